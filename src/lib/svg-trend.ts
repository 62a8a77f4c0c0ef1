import { esc, n1, open } from './svg';
import type { Frame } from './svg';

/**
 * Server-built SVG trend lines over years (no JavaScript, no inline styles: classes in site.css).
 * A missing value (a year without data, e.g. 2023, or before a municipality existed) is a gap:
 * each run of consecutive years with data is its own path, never joined across the gap, and a
 * year without any data is marked on the axis. The chart is role="img" with <title> and <desc>;
 * pages put its table next to it.
 */

export interface TrendSeries {
  label: string;
  values: (number | null)[];
}

/**
 * Runs of consecutive indexes whose value is not null: [[0,1,2],[4,5]] for [a,b,c,null,d,e].
 * An index in `alone` (a partial year) is a run of its own, never joined to its neighbours.
 */
export function segments(values: (number | null)[], alone: ReadonlySet<number> = new Set()): number[][] {
  const out: number[][] = [];
  let run: number[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v) || alone.has(i)) {
      if (run.length) out.push(run);
      run = [];
      if (v !== null && Number.isFinite(v)) out.push([i]);
    } else run.push(i);
  });
  if (run.length) out.push(run);
  return out;
}

const DASH = ['', ' stroke-dasharray="7 4"', ' stroke-dasharray="2 3"'];

export function trendChart(
  frame: Frame & {
    years: number[];
    series: TrendSeries[];
    format: (v: number) => string;
    /** Text on a year without any data (e.g. "s/d"). */
    noData: string;
    /** Small multiple: compact size, no legend, first and last year only. */
    small?: boolean;
    /** Years drawn as lone points (hollow), never joined by the line: partial years. */
    partialYears?: number[];
    /** Said of a partial year in its point's tooltip (e.g. "año parcial"). */
    partialLabel?: string;
    yMax?: number;
  },
): string {
  const small = Boolean(frame.small);
  const width = small ? 260 : 720;
  const height = small ? 150 : 340;
  const left = small ? 42 : 56;
  const right = small ? 14 : 16;
  const top = small ? 10 : 36 + 18 * Math.max(0, frame.series.length - 2);
  const bottom = small ? 22 : 40;
  const alone = new Set(frame.years.flatMap((yr, i) => ((frame.partialYears ?? []).includes(yr) ? [i] : [])));
  const all = frame.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const yMax = Math.max(frame.yMax ?? 100, ...all);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = frame.years.length;
  const x = (i: number) => left + (n > 1 ? (i * plotW) / (n - 1) : plotW / 2);
  const y = (v: number) => top + plotH - (Math.max(0, v) / yMax) * plotH;
  let out = open(frame, width, height, small ? 'line-chart trend trend-small' : 'line-chart trend');
  const ticks = small ? [0, yMax / 2, yMax] : [0, yMax / 4, yMax / 2, (3 * yMax) / 4, yMax];
  for (const v of ticks) {
    out += `<line x1="${left}" x2="${width - right}" y1="${n1(y(v))}" y2="${n1(y(v))}" class="grid"/>`;
    out += `<text x="${left - 4}" y="${n1(y(v) + 4)}" text-anchor="end" class="chart-axis">${esc(frame.format(v))}</text>`;
  }
  // Years without any data: a marked band, so the gap reads as "no data", not as a drawing error.
  frame.years.forEach((yr, i) => {
    if (frame.series.some((s) => s.values[i] !== null && s.values[i] !== undefined)) return;
    const w = n > 1 ? plotW / (n - 1) : plotW;
    out += `<rect x="${n1(x(i) - w / 2)}" y="${top}" width="${n1(w)}" height="${plotH}" class="trend-gap"><title>${esc(`${yr}: ${frame.noData}`)}</title></rect>`;
    out += `<text x="${n1(x(i))}" y="${n1(top + plotH / 2)}" text-anchor="middle" class="chart-axis trend-gap-label">${esc(frame.noData)}</text>`;
  });
  frame.years.forEach((yr, i) => {
    if (small ? i !== 0 && i !== n - 1 : n > 8 && i % 2 === 1 && i !== n - 1) return;
    const anchor = small && i === n - 1 ? 'end' : small && i === 0 ? 'start' : 'middle';
    out += `<text x="${n1(x(i))}" y="${height - bottom + (small ? 14 : 18)}" text-anchor="${anchor}" class="chart-axis">${esc(yr)}</text>`;
  });
  frame.series.forEach((s, si) => {
    if (!small) {
      const ly = 14 + si * 18;
      out += `<line x1="${left}" x2="${left + 28}" y1="${ly}" y2="${ly}" class="line-${si}" stroke-width="3"${DASH[si] ?? ''}/>`;
      out += `<text x="${left + 34}" y="${ly + 4}" class="chart-legend">${esc(s.label)}</text>`;
    }
    for (const run of segments(s.values, alone)) {
      if (run.length < 2) continue; // a lone point is its dot
      const d = run.map((i, k) => `${k === 0 ? 'M' : 'L'}${n1(x(i))} ${n1(y(s.values[i]!))}`).join(' ');
      out += `<path d="${d}" class="line-${si} trend-segment" fill="none" stroke-width="${small ? 2 : 3}"${DASH[si] ?? ''}/>`;
    }
    if (si === 0 || !small)
      s.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) return;
        const hollow = alone.has(i) ? ` fill="#fff" stroke-width="2" class="line-${si}"` : ` class="dot-${si}"`;
        out += `<circle cx="${n1(x(i))}" cy="${n1(y(v))}" r="${si === 0 ? (small ? 2.5 : 4) : 2.5}"${hollow}><title>${esc(`${s.label}, ${frame.years[i]}${alone.has(i) && frame.partialLabel ? ` (${frame.partialLabel})` : ''}: ${frame.format(v)}`)}</title></circle>`;
      });
  });
  return `${out}</svg>`;
}
