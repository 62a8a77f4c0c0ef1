import { esc } from '../../lib/svg';

/**
 * A small trend line of the published quarterly mean (1–5), built on the server from numbers
 * only; titles are escaped. role="img" with title and desc; the page shows the same data as a table.
 */
export function trendSvg(points: Array<{ year: number; quarter: number; mean: number }>, { title, desc }: { title: string; desc: string }): string {
  if (!points.length) return '';
  const W = 320;
  const H = 120;
  const pad = 24;
  const x = (i: number) => (points.length === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (points.length - 1));
  const y = (v: number) => H - pad - ((v - 1) / 4) * (H - 2 * pad);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.mean).toFixed(1)}`).join(' ');
  const dots = points.map((p, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="3" class="trend-dot"/>`).join('');
  const grid = [1, 3, 5].map((v) => `<line x1="${pad}" x2="${W - pad}" y1="${y(v)}" y2="${y(v)}" class="trend-grid"/><text x="4" y="${y(v) + 4}" class="trend-label">${v}</text>`).join('');
  const labels = points.map((p, i) => `<text x="${x(i).toFixed(1)}" y="${H - 6}" text-anchor="middle" class="trend-label">${p.year}T${p.quarter}</text>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="trend-title trend-desc" class="trend" focusable="false"><title id="trend-title">${esc(title)}</title><desc id="trend-desc">${esc(desc)}</desc>${grid}<path d="${path}" class="trend-line"/>${dots}${labels}</svg>`;
}
