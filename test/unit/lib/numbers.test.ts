import fs from 'node:fs';
import path from 'node:path';
import { groupedFixed, numberFormatters } from '../../../src/lib/numbers';
import { formatters } from '../../../src/i18n';

describe('one number style per language', () => {
  it('when numbers, percentages and money are formatted in Spanish, then es-PE grouping is used (1,891 · 76.1 % · S/ 1,234,568)', () => {
    const f = numberFormatters('es');
    expect(f.number(1891)).toBe('1,891');
    expect(f.pct(76.14)).toBe('76.1 %');
    expect(f.money(123456789)).toBe('S/ 1,234,568');
  });
  it('when the page formatters are used, then they are the lib formatters (the same output)', () => {
    for (const lng of ['es', 'en'] as const) {
      expect(formatters(lng).number(1234567.891, 2)).toBe(numberFormatters(lng).number(1234567.891, 2));
      expect(formatters(lng).money(99999950)).toBe(numberFormatters(lng).money(99999950));
    }
  });
  it.each(['es', 'en'])('when the %s texts write a number, then they group it as the formatter does (no spaces)', (lng) => {
    const dir = path.join(__dirname, '..', '..', '..', 'locales', lng);
    const spaced: string[] = [];
    for (const f of fs.readdirSync(dir)) for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)/g)) spaced.push(`${f}: ${m[0]}`);
    expect(spaced).toEqual([]);
  });
});

describe('grouped fixed digits without Intl', () => {
  it('when a hundred thousand numbers of every size and sign are written, then groupedFixed writes each exactly as Intl does in es-PE and en-US', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const values: number[] = [0.5, -0.5, 1.005, 2.675, 0.045, 999.95, 9999.5, -0.04];
    for (let i = 0; i < 100_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 16 - 3);
      const v = (random() - 0.3) * magnitude;
      values.push(i % 3 ? v : Math.round(v * 1000) / 1000 + 0.0005); // and ties at the rounding digit
    }
    for (const tag of ['es-PE', 'en-US']) {
      for (const digits of [0, 1, 2]) {
        const intl = new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits });
        const wrong = values.filter((v) => groupedFixed(v, digits) !== intl.format(v));
        expect([tag, digits, wrong.slice(0, 3).map((v) => [v, groupedFixed(v, digits), intl.format(v)])]).toEqual([tag, digits, []]);
      }
    }
  });

  it('when the value is negative zero or written with an exponent, then groupedFixed leaves it to Intl', () => {
    expect(groupedFixed(-0, 1)).toBeNull();
    expect(groupedFixed(1e21, 0)).toBeNull();
    expect(groupedFixed(1e-7, 2)).toBeNull();
    expect(numberFormatters('es').number(-0)).toBe(new Intl.NumberFormat('es-PE', { maximumFractionDigits: 0 }).format(-0));
  });
});
