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

export function numberFormatters(lng: NumberLang): NumberFormatters {
  const hit = cache.get(lng);
  if (hit) return hit;
  const tag = NUMBER_LOCALE[lng];
  const num = [0, 1, 2].map((d) => new Intl.NumberFormat(tag, { minimumFractionDigits: d, maximumFractionDigits: d }));
  const soles = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
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
