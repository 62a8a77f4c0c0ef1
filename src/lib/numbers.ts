/**
 * The portal's one number style per language, used in prose, cards, tables, charts, share
 * images and the command line alike: es-PE grouping for Spanish (1,891 · 76.1 %), en-US for
 * English (the same digits). Money is stored in céntimos and shown as whole soles (S/ 1,234,568).
 */
export const NUMBER_LOCALE = { es: 'es-PE', en: 'en-US' } as const;
export type NumberLang = keyof typeof NUMBER_LOCALE;

export interface NumberFormatters {
  number(n: number | null | undefined, digits?: number): string;
  /** Amount given in céntimos, shown in whole soles (rounded): S/ 1,234,568. */
  money(centimos: number | null | undefined): string;
  /** Large amount in words: S/ 51.8 mil millones / S/ 51.8 billion. */
  moneyCompact(centimos: number | null | undefined): string;
  pct(value: number | null | undefined, digits?: number): string;
}

const DASH = '—';
const cache = new Map<NumberLang, NumberFormatters>();

/**
 * Fixed digits with "," grouping and "." decimals, as es-PE and en-US write them, rounded as
 * Intl rounds (half away from zero, on the shortest decimal that reads back as the same double:
 * 1.005 → 1.01), at a fraction of Intl's cost (a national ranking formats ten thousand numbers).
 * Negative zero and numbers JavaScript writes with an exponent are left to Intl (null).
 */
export function groupedFixed(v: number, digits: number): string | null {
  if (Object.is(v, -0) || !Number.isFinite(v)) return null;
  const text = String(Math.abs(v));
  if (text.includes('e')) return null;
  const dot = text.indexOf('.');
  let int = dot < 0 ? text : text.slice(0, dot);
  let frac = dot < 0 ? '' : text.slice(dot + 1);
  if (frac.length > digits) {
    const up = frac.charCodeAt(digits) >= 53; // '5' or more: away from zero
    frac = frac.slice(0, digits);
    if (up) {
      const all = (int + frac).split('');
      let k = all.length - 1;
      while (k >= 0 && all[k] === '9') all[k--] = '0';
      if (k < 0) all.unshift('1');
      else all[k] = String.fromCharCode(all[k].charCodeAt(0) + 1);
      int = all.slice(0, all.length - digits).join('');
      frac = all.slice(all.length - digits).join('');
    }
  } else frac = frac.padEnd(digits, '0');
  const grouped = int.length > 3 ? int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : int;
  return (v < 0 ? '-' : '') + grouped + (digits ? `.${frac}` : '');
}

/** Whether groupedFixed writes numbers exactly as this Intl format does (checked once per language at start). */
function agreesWith(format: (v: number) => string, digits: number): boolean {
  const samples = [0, 1, -1, 0.5, -0.5, 2.5, -2.5, 0.05, 0.15, -0.04, 0.125, 999.5, 1234, -1234, 12345.675, 999999.95, 1234567.125, 1e15 + 0.5, 98765432109876.5, 1.005, 2.675, 8.345];
  return samples.every((v) => groupedFixed(v, digits) === format(v));
}

export function numberFormatters(lng: NumberLang): NumberFormatters {
  const hit = cache.get(lng);
  if (hit) return hit;
  const tag = NUMBER_LOCALE[lng];
  const intl = [0, 1, 2].map((d) => new Intl.NumberFormat(tag, { minimumFractionDigits: d, maximumFractionDigits: d }));
  const num = intl.map((f, d) => (agreesWith((v) => f.format(v), d) ? { format: (v: number) => groupedFixed(v, d) ?? f.format(v) } : f));
  const intlSoles = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const soles = agreesWith((v) => intlSoles.format(v), 0) ? { format: (v: number) => groupedFixed(v, 0) ?? intlSoles.format(v) } : intlSoles;
  const compact = new Intl.NumberFormat(tag, { notation: 'compact', compactDisplay: 'long', maximumFractionDigits: 1 });
  const f: NumberFormatters = {
    number: (n, digits = 0) => (n == null || !Number.isFinite(n) ? DASH : num[Math.min(2, Math.max(0, digits))].format(n)),
    money: (c) => (c == null || !Number.isFinite(c) ? DASH : `S/ ${soles.format(Math.round(c / 100))}`),
    moneyCompact: (c) => (c == null || !Number.isFinite(c) ? DASH : `S/ ${compact.format(c / 100)}`),
    pct: (v, digits = 1) => (v == null || !Number.isFinite(v) ? DASH : `${num[digits].format(v)} %`),
  };
  cache.set(lng, f);
  return f;
}
