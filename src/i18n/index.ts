import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';
import i18next, { i18n as I18n, TFunction } from 'i18next';

export const LANGUAGES = ['es', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'es';

export function isLang(v: unknown): v is Lang {
  return v === 'es' || v === 'en';
}

/**
 * The language of a request: the one its /es or /en router set, else the prefix of `url` when
 * given (middleware that may run outside those routers), else Spanish.
 */
export function lngOf(res: Response, url?: string): Lang {
  const l: unknown = res.locals.lng ?? url?.split('/')[1];
  return isLang(l) ? l : DEFAULT_LANG;
}

/** A row's `<base>_es` / `<base>_en` user text in `lng`; English falls back to Spanish, flagged so views can say so. */
export function localized(row: Record<string, unknown> | null | undefined, base: string, lng: Lang): { text: string; fallback: boolean } {
  const es = (row?.[`${base}_es`] as string | null | undefined) ?? '';
  if (lng === 'es') return { text: es, fallback: false };
  const en = row?.[`${base}_en`] as string | null | undefined;
  return en ? { text: en, fallback: false } : { text: es, fallback: !!es };
}

const LOCALES_DIR = path.resolve(__dirname, '..', '..', '..', 'locales');

function localesDir(): string {
  // Compiled code lives in dist/src/i18n, sources in src/i18n: find the folder either way.
  for (const dir of [LOCALES_DIR, path.resolve(__dirname, '..', '..', 'locales')]) {
    if (fs.existsSync(path.join(dir, 'es'))) return dir;
  }
  throw new Error('locales folder not found');
}

/** Reads every locales/<lng>/<namespace>.json synchronously, once, at boot. */
export function createI18n(): I18n {
  const dir = localesDir();
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    for (const file of fs.readdirSync(path.join(dir, lng))) {
      if (!file.endsWith('.json')) continue;
      const ns = file.slice(0, -5);
      namespaces.add(ns);
      resources[lng][ns] = JSON.parse(fs.readFileSync(path.join(dir, lng, file), 'utf8'));
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    resources: resources as never,
    lng: DEFAULT_LANG,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGUAGES],
    ns: [...namespaces],
    defaultNS: 'common',
    initAsync: false,
    interpolation: { escapeValue: false }, // EJS escapes on output
    returnNull: false,
  });
  return instance;
}

/** Picks es or en from an Accept-Language header; Spanish unless English is preferred. */
export function negotiateLanguage(header: string | undefined): Lang {
  if (!header) return DEFAULT_LANG;
  const prefs = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { lang: tag.trim().toLowerCase().slice(0, 2), weight: Number.isFinite(weight) ? weight : 0 };
    })
    .filter((p) => p.weight > 0)
    .sort((a, b) => b.weight - a.weight);
  for (const p of prefs) if (isLang(p.lang)) return p.lang;
  return DEFAULT_LANG;
}

const LOCALE_TAG: Record<Lang, string> = { es: 'es-PE', en: 'en-US' };

export interface Formatters {
  number(n: number | null | undefined, digits?: number): string;
  /** Amount given in céntimos, shown in soles without decimals: S/ 1,234,568. */
  money(centimos: number | null | undefined): string;
  /** Large amount in words: S/ 51.8 mil millones / S/ 51.8 billion. */
  moneyCompact(centimos: number | null | undefined): string;
  pct(value: number | null | undefined, digits?: number): string;
  date(iso: string | Date | null | undefined): string;
}

const cache = new Map<Lang, Formatters>();

/** Number, money (PEN, shown as S/) and date formats per language, built once. */
export function formatters(lng: Lang): Formatters {
  const hit = cache.get(lng);
  if (hit) return hit;
  const tag = LOCALE_TAG[lng];
  const num = [0, 1, 2].map((d) => new Intl.NumberFormat(tag, { minimumFractionDigits: d, maximumFractionDigits: d }));
  const soles = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(tag, { notation: 'compact', compactDisplay: 'long', maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const dash = '—';
  const f: Formatters = {
    number: (n, digits = 0) => (n == null || !Number.isFinite(n) ? dash : num[Math.min(2, Math.max(0, digits))].format(n)),
    money: (c) => (c == null || !Number.isFinite(c) ? dash : `S/ ${soles.format(Math.round(c / 100))}`),
    moneyCompact: (c) => (c == null || !Number.isFinite(c) ? dash : `S/ ${compact.format(c / 100)}`),
    pct: (v, digits = 1) => (v == null || !Number.isFinite(v) ? dash : `${num[digits].format(v)} %`),
    date: (d) => {
      if (!d) return dash;
      const value = typeof d === 'string' ? new Date(d.length === 10 ? `${d}T00:00:00Z` : d) : d;
      return Number.isNaN(value.getTime()) ? dash : date.format(value);
    },
  };
  cache.set(lng, f);
  return f;
}

export type { TFunction };
