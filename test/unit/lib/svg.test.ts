import { esc, n1 } from '../../../src/lib/svg';

describe('svg helpers', () => {
  test('when a coordinate is written, then it is the text of the number rounded to a tenth, for every kind of value', () => {
    // The oracle is the plain JavaScript conversion the charts used before.
    const oracle = (v: number) => (Math.round(v * 10) / 10).toString();
    const values = [0, -0, 0.04, -0.04, 0.05, -0.05, 0.95, 1, 9.99, 10, 12.34, -12.34, 56, 719.96, 1e15, -1e15, 1e21, 2 ** 53, NaN, Infinity, -Infinity];
    for (let i = 0; i < 20_000; i++) values.push((Math.random() - 0.3) * 10 ** Math.floor(Math.random() * 8));
    for (const v of values) expect([v, n1(v)]).toEqual([v, oracle(v)]);
  });

  test('when a text has markup characters, then each is escaped once and the rest is unchanged', () => {
    expect(esc(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(esc('Año 2025 — 76.1 %')).toBe('Año 2025 — 76.1 %');
    expect(esc(42)).toBe('42');
  });
});
