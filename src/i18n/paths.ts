import type { Lang } from './index';

/**
 * Public page paths per language. Every page exists under both prefixes; the language
 * switcher maps a page to its twin through its name.
 */
export const PAGE_PATHS = {
  home: { es: '/', en: '/' },
  departments: { es: '/departamentos', en: '/departments' },
  department: { es: '/departamentos/:code', en: '/departments/:code' },
  municipality: { es: '/municipalidades/:ubigeo', en: '/municipalities/:ubigeo' },
  search: { es: '/buscar', en: '/search' },
  ranking: { es: '/ejecucion', en: '/execution' },
  history: { es: '/historico', en: '/history' },
  about: { es: '/acerca', en: '/about' },
  spending_municipality: { es: '/municipalidades/:ubigeo/gasto', en: '/municipalities/:ubigeo/spending' },
  spending_area: { es: '/gasto', en: '/spending' },
  spending_categories: { es: '/gasto/categorias', en: '/spending/categories' },
  compare: { es: '/comparar', en: '/compare' },
  spending_map: { es: '/mapa', en: '/map' },
  open_data: { es: '/datos', en: '/data' },
} as const satisfies Record<string, Record<Lang, string>>;

export type PageName = keyof typeof PAGE_PATHS;

/** Builds a language-prefixed URL for a page, encoding its parameters. */
export function pageUrl(lng: Lang, name: PageName, params: Record<string, string | number> = {}, query?: Record<string, string | number | undefined>): string {
  let p: string = PAGE_PATHS[name][lng];
  p = p.replace(/:([a-z_]+)/gi, (_, key: string) => encodeURIComponent(String(params[key] ?? '')));
  const base = p === '/' ? `/${lng}/` : `/${lng}${p}`;
  if (!query) return base;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${base}?${s}` : base;
}
