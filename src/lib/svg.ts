/**
 * Server-built SVG charts. Every number is formatted here and every text goes through esc(),
 * so views may output the result with <%-. No inline style attributes (CSP style-src 'self'):
 * colours come from classes in site.css and from presentation attributes.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * A coordinate rounded to a tenth, written as `(Math.round(v * 10) / 10).toString()` writes it,
 * from integers: a chart writes hundreds of them and the double's shortest-text conversion was
 * most of their cost.
 */
export function n1(v: number): string {
  const r = Math.round(v * 10);
  if (!Number.isSafeInteger(r)) return (r / 10).toString();
  const a = r < 0 ? -r : r;
  const tenth = a % 10;
  return `${r < 0 ? '-' : ''}${(a - tenth) / 10}${tenth ? `.${tenth}` : ''}`;
}
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export interface Frame {
  id: string;
  title: string;
  desc: string;
}

export function open({ id, title, desc }: Frame, width: number, height: number, cls: string, role = 'img'): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" viewBox="0 0 ${width} ${height}" role="${role}" aria-labelledby="${esc(id)}-t ${esc(id)}-d"${role === 'img' ? ' focusable="false"' : ''}>` +
    `<title id="${esc(id)}-t">${esc(title)}</title><desc id="${esc(id)}-d">${esc(desc)}</desc>`
  );
}

const HATCH = (id: string) =>
  `<defs><pattern id="${esc(id)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line" stroke-width="3"/></pattern></defs>`;

export interface BarSeries {
  label: string;
}

export interface BarRow {
  label: string;
  values: number[];
  /** Text printed after the bars (e.g. "76,1 %"). */
  note?: string;
}

/**
 * Horizontal grouped bars: one group per row, one bar per series (series 1 solid, series 2
 * hatched, so colour is not the only cue), values printed as text, legend on top.
 */
export function barChart(frame: Frame & { series: BarSeries[]; rows: BarRow[]; format: (v: number) => string }): string {
  const width = 760;
  const labelW = 300;
  const barX = labelW + 10;
  const barW = 290;
  const barH = 12;
  const gap = 10;
  const legendH = 24;
  const groupH = frame.series.length * (barH + 2) + gap;
  const height = legendH + Math.max(1, frame.rows.length) * groupH + 6;
  const max = Math.max(1, ...frame.rows.flatMap((r) => r.values.map((v) => Math.max(0, v))));
  let out = open(frame, width, height, 'bar-chart') + HATCH(frame.id);
  frame.series.forEach((s, i) => {
    const x = barX + i * 200;
    out += `<rect x="${x}" y="6" width="14" height="12" class="series-${i}"${i === 1 ? ` fill="url(#${esc(frame.id)}-hatch)"` : ''}/>`;
    out += `<text x="${x + 20}" y="16" class="chart-legend">${esc(s.label)}</text>`;
  });
  frame.rows.forEach((r, ri) => {
    const y0 = legendH + ri * groupH;
    out += `<text x="${labelW}" y="${y0 + barH}" text-anchor="end" class="chart-label"><title>${esc(r.label)}</title>${esc(clip(r.label, 44))}</text>`;
    r.values.forEach((v, si) => {
      const w = Math.max(0, (Math.max(0, v) / max) * barW);
      const y = y0 + si * (barH + 2);
      out += `<rect x="${barX}" y="${y}" width="${n1(w)}" height="${barH}" class="series-${si}"${si === 1 ? ` fill="url(#${esc(frame.id)}-hatch)"` : ''}/>`;
      out += `<text x="${n1(barX + w + 4)}" y="${y + barH - 2}" class="chart-value">${esc(frame.format(v))}${si === r.values.length - 1 && r.note ? ` · ${esc(r.note)}` : ''}</text>`;
    });
  });
  return `${out}</svg>`;
}

export interface LineSeries {
  label: string;
  values: (number | null)[];
}

/** Lines over 12 months on a 0–max % scale; series 2 dashed, with point markers and a legend. */
export function lineChart(frame: Frame & { xLabels: string[]; series: LineSeries[]; yMax?: number; format: (v: number) => string }): string {
  const width = 720;
  const height = 340;
  const left = 56;
  const right = 16;
  const top = 36;
  const bottom = 40;
  const yMax = Math.max(frame.yMax ?? 100, ...frame.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number) => left + (frame.xLabels.length > 1 ? (i * plotW) / (frame.xLabels.length - 1) : 0);
  const y = (v: number) => top + plotH - (Math.max(0, v) / yMax) * plotH;
  let out = open(frame, width, height, 'line-chart');
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    out += `<line x1="${left}" x2="${width - right}" y1="${n1(y(v))}" y2="${n1(y(v))}" class="grid"/>`;
    out += `<text x="${left - 6}" y="${n1(y(v) + 4)}" text-anchor="end" class="chart-axis">${esc(frame.format(v))}</text>`;
  }
  frame.xLabels.forEach((l, i) => {
    out += `<text x="${n1(x(i))}" y="${height - bottom + 18}" text-anchor="middle" class="chart-axis">${esc(l)}</text>`;
  });
  frame.series.forEach((s, si) => {
    const lx = left + si * 220;
    out += `<line x1="${lx}" x2="${lx + 28}" y1="14" y2="14" class="line-${si}" stroke-width="3"${si === 1 ? ' stroke-dasharray="6 4"' : ''}/>`;
    out += `<text x="${lx + 34}" y="18" class="chart-legend">${esc(s.label)}</text>`;
    const pts = s.values.map((v, i) => (v === null ? null : `${n1(x(i))},${n1(y(v))}`)).filter((p): p is string => p !== null);
    if (pts.length) out += `<polyline points="${pts.join(' ')}" class="line-${si}" fill="none" stroke-width="3"${si === 1 ? ' stroke-dasharray="6 4"' : ''}/>`;
    s.values.forEach((v, i) => {
      if (v === null) return;
      out +=
        si === 0
          ? `<circle cx="${n1(x(i))}" cy="${n1(y(v))}" r="4" class="dot-${si}"><title>${esc(`${s.label}, ${frame.xLabels[i]}: ${frame.format(v)}`)}</title></circle>`
          : `<rect x="${n1(x(i) - 3.5)}" y="${n1(y(v) - 3.5)}" width="7" height="7" class="dot-${si}"><title>${esc(`${s.label}, ${frame.xLabels[i]}: ${frame.format(v)}`)}</title></rect>`;
    });
  });
  return `${out}</svg>`;
}

export interface MapArea {
  code: string;
  name: string;
  href: string;
  /** Projected path data (see lib/geo.ts). */
  d: string;
  bin: number; // 0 = no data, 1..5
  label: string;
}

/**
 * Choropleth: one linked path per area, fill by bin class, holes by fill-rule evenodd. The map
 * holds links, so it is a labelled group rather than role="img" (which would hide the links).
 */
export function choropleth(frame: Frame & { width: number; height: number; areas: MapArea[] }): string {
  let out = open(frame, frame.width, frame.height, 'map', 'group') + HATCH(frame.id);
  for (const a of frame.areas) {
    out += `<a href="${esc(a.href)}" aria-label="${esc(`${a.name}: ${a.label}`)}"><path d="${a.d}" fill-rule="evenodd" class="map-area bin-${a.bin}"${a.bin === 0 ? ` fill="url(#${esc(frame.id)}-hatch)"` : ''}><title>${esc(`${a.name}: ${a.label}`)}</title></path></a>`;
  }
  return `${out}</svg>`;
}
