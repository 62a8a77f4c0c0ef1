/** Share images and icons: SVG built from numbers and names, rasterised to PNG with resvg. */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const BRAND = '#0b4f8a';

export interface ShareFacts {
  /** Big name, e.g. "Santa Cruz". */
  name: string;
  /** Line under the name, e.g. "Santa Cruz, Cajamarca". */
  context: string;
  /** Headline figure, e.g. "81,3 %", or null when there is no data. */
  figure: string | null;
  /** What the figure says, e.g. "ejecutó de su presupuesto en 2024". */
  caption: string;
  /** Execution 0–100 for the bar, null without data. */
  pct: number | null;
}

/** Splits a name into at most two lines of about `width` characters. */
function lines(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const words = text.split(' ');
  let first = '';
  while (words.length && (first + ' ' + words[0]).trim().length <= width) first = (first + ' ' + words.shift()).trim();
  if (!first) first = words.shift() ?? '';
  const rest = words.join(' ');
  return rest ? [first, rest.length > width ? `${rest.slice(0, width - 1)}…` : rest] : [first];
}

/** 1200×630 (the Open Graph size); large type so it reads as a phone thumbnail. */
export function shareSvg(f: ShareFacts): string {
  const nameLines = lines(f.name, 22);
  const nameSize = nameLines.length > 1 ? 72 : 88;
  const nameY = 150;
  const name = nameLines.map((l, i) => `<text x="64" y="${nameY + i * (nameSize + 8)}" font-size="${nameSize}" font-weight="bold" fill="#1b1f24">${esc(l)}</text>`).join('');
  const contextY = nameY + (nameLines.length - 1) * (nameSize + 8) + 56;
  const pct = f.pct == null ? 0 : Math.max(0, Math.min(100, f.pct));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" font-family="${FONT}">
<rect width="1200" height="630" fill="#ffffff"/>
<rect width="1200" height="24" fill="${BRAND}"/>
${name}
<text x="64" y="${contextY}" font-size="40" fill="#4a5360">${esc(f.context)}</text>
<text x="64" y="455" font-size="150" font-weight="bold" fill="${BRAND}">${esc(f.figure ?? '—')}</text>
<text x="64" y="515" font-size="40" fill="#1b1f24">${esc(f.caption)}</text>
<rect x="64" y="545" width="1072" height="18" fill="#e3e8ee"/>
<rect x="64" y="545" width="${(1072 * pct) / 100}" height="18" fill="${BRAND}"/>
<text x="1136" y="608" font-size="28" fill="#4a5360" text-anchor="end">Resultados Abiertos</text>
</svg>`;
}

/** The icon: three rising bars on the brand colour (no text, so it renders the same everywhere). */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect width="64" height="64" rx="12" fill="${BRAND}"/>
<rect x="12" y="36" width="10" height="16" rx="2" fill="#ffffff"/>
<rect x="27" y="26" width="10" height="26" rx="2" fill="#ffffff"/>
<rect x="42" y="14" width="10" height="38" rx="2" fill="#f2a900"/>
</svg>`;

type ResvgModule = { Resvg: new (svg: string, opts?: Record<string, unknown>) => { render(): { asPng(): Buffer } } };
let resvg: ResvgModule | null | undefined;

/** resvg, or null when the optional native package is missing (then SVG is served instead). */
export function rasteriser(): ResvgModule | null {
  if (resvg === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      resvg = require('@resvg/resvg-js') as ResvgModule;
    } catch {
      resvg = null;
    }
  }
  return resvg;
}

/** PNG of an SVG at `width` pixels wide, or null without resvg. */
export function toPng(svg: string, width?: number): Buffer | null {
  const r = rasteriser();
  if (!r) return null;
  const opts: Record<string, unknown> = { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } };
  if (width) opts.fitTo = { mode: 'width', value: width };
  return Buffer.from(new r.Resvg(svg, opts).render().asPng());
}

/** A .ico holding PNG images (allowed since Windows Vista; every current browser reads it). */
export function icoFromPngs(pngs: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  const dir = Buffer.alloc(16 * pngs.length);
  let offset = 6 + dir.length;
  pngs.forEach(({ size, png }, i) => {
    const o = i * 16;
    dir.writeUInt8(size >= 256 ? 0 : size, o);
    dir.writeUInt8(size >= 256 ? 0 : size, o + 1);
    dir.writeUInt8(0, o + 2);
    dir.writeUInt8(0, o + 3);
    dir.writeUInt16LE(1, o + 4);
    dir.writeUInt16LE(32, o + 6);
    dir.writeUInt32LE(png.length, o + 8);
    dir.writeUInt32LE(offset, o + 12);
    offset += png.length;
  });
  return Buffer.concat([header, dir, ...pngs.map((p) => p.png)]);
}
