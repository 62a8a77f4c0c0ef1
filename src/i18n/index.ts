import { NUMBER_LOCALE, numberFormatters, type NumberFormatters } from '../lib/numbers';
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

const LOCALE_TAG: Record<Lang, string> = NUMBER_LOCALE;

/** Numbers and money come from lib/numbers (one style per language); dates are formatted here. */
export interface Formatters extends NumberFormatters {
  date(iso: string | Date | null | undefined): string;
}

const cache = new Map<Lang, Formatters>();

/** Number, money (PEN, shown as S/) and date formats per language, built once. */
export function formatters(lng: Lang): Formatters {
  const hit = cache.get(lng);
  if (hit) return hit;
  const date = new Intl.DateTimeFormat(LOCALE_TAG[lng], { dateStyle: 'long', timeZone: 'UTC' });
  const f: Formatters = {
    ...numberFormatters(lng),
    date: (d) => {
      if (!d) return '—';
      const value = typeof d === 'string' ? new Date(d.length === 10 ? `${d}T00:00:00Z` : d) : d;
      return Number.isNaN(value.getTime()) ? '—' : date.format(value);
    },
  };
  cache.set(lng, f);
  return f;
}

export type { TFunction };
