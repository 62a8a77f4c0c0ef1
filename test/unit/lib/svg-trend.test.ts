import { segments, trendChart } from '../../../src/lib/svg-trend';

const YEARS = [2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
const frame = { id: 't', title: 'Ejecución', desc: 'Líneas por año', noData: 's/d', format: (v: number) => `${v} %` };

/** The path elements of a chart, with the x coordinates each one visits. */
function paths(svg: string): number[][] {
  return [...svg.matchAll(/<path d="([^"]+)" class="line-0 trend-segment"/g)].map((m) => [...m[1].matchAll(/[ML]([\d.]+) /g)].map((p) => Number(p[1])));
}

describe('svg-trend', () => {
  test('when a series has a missing year, then its runs are split there and never joined across it', () => {
    expect(segments([1, 2, 3, null, 5, 6])).toEqual([
      [0, 1, 2],
      [4, 5],
    ]);
    expect(segments([null, null, 3, 4])).toEqual([[2, 3]]);
    expect(segments([null, null])).toEqual([]);
  });

  test('when a year is partial, then it is a run of its own', () => {
    expect(segments([1, 2, 3], new Set([2]))).toEqual([[0, 1], [2]]);
  });

  test('when 2023 is missing, then the chart draws two separate paths, none of them spans 2023, and 2023 is marked as "no data"', () => {
    const values = YEARS.map((y) => (y === 2023 ? null : 60 + (y % 7)));
    const svg = trendChart({ ...frame, years: YEARS, series: [{ label: 'Lima', values }] });
    const runs = paths(svg);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toHaveLength(11); // 2012–2022
    expect(runs[1]).toHaveLength(2); // 2024–2025
    // The x of 2023 lies strictly between the end of the first run and the start of the second.
    const x2023 = Number(/<rect x="([\d.]+)" y="\d+" width="([\d.]+)"[^>]*class="trend-gap"><title>2023: s\/d<\/title>/.exec(svg)![1]);
    expect(Math.max(...runs[0])).toBeLessThan(x2023 + 1);
    expect(Math.min(...runs[1])).toBeGreaterThan(x2023);
  });

  test('when the chart is built, then it is an accessible image with a title and a description, and text is escaped', () => {
    const svg = trendChart({ ...frame, title: 'A <b>&', years: [2012, 2013], series: [{ label: 'X', values: [1, 2] }] });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="t-t t-d"/);
    expect(svg).toContain('<title id="t-t">A &lt;b&gt;&amp;</title>');
    expect(svg).toContain('<desc id="t-d">Líneas por año</desc>');
  });

  test('when the last year is partial, then it is a hollow point not joined to the full years', () => {
    const svg = trendChart({ ...frame, years: [2022, 2024, 2025], series: [{ label: 'P', values: [70, 76, 10] }], partialYears: [2025], partialLabel: 'parcial' });
    expect(paths(svg)).toHaveLength(1);
    expect(paths(svg)[0]).toHaveLength(2);
    expect(svg).toMatch(/<circle [^>]*fill="#fff"[^>]*><title>P, 2025 \(parcial\): 10 %<\/title>/);
  });
});
