import { LANGUAGES } from '../../i18n';
import { PageName, pageUrl } from '../../i18n/paths';

/** A public page in both languages. */
export interface SitemapPage {
  page: PageName;
  params?: Record<string, string | number>;
}

/** Public pages without parameters, listed in every sitemap. */
export const STATIC_PAGES: PageName[] = [
  'home',
  'departments',
  'ranking',
  'history',
  'about',
  'monitors',
  'scores_ranking',
  'methodology',
  'spending_area',
  'spending_categories',
  'compare',
  'spending_map',
  'open_data',
  'api_docs',
  'pb_items',
  'hearings',
  'commitments',
];

/** The pages every municipality has. */
export const MUNICIPALITY_PAGES: PageName[] = ['municipality', 'spending_municipality', 'satisfaction', 'delivery'];

export interface SitemapGroup {
  name: string;
  pages: SitemapPage[];
}

/** Sitemap files: each group split into chunks of at most `maxUrls` URLs (a page counts once per language). */
export function chunkGroups(groups: SitemapGroup[], maxUrls: number): Array<{ file: string; pages: SitemapPage[] }> {
  const perFile = Math.max(1, Math.floor(maxUrls / LANGUAGES.length));
  const files: Array<{ file: string; pages: SitemapPage[] }> = [];
  for (const g of groups) {
    if (!g.pages.length) continue;
    for (let i = 0, n = 1; i < g.pages.length; i += perFile, n++) files.push({ file: `${g.name}-${n}.xml`, pages: g.pages.slice(i, i + perFile) });
  }
  return files;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One sitemap: every page in both languages, each with its hreflang alternates (and x-default). */
export function sitemapXml(base: string, pages: SitemapPage[], lastmod: string | null): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'];
  for (const p of pages) {
    const href = Object.fromEntries(LANGUAGES.map((l) => [l, base + pageUrl(l, p.page, p.params)])) as Record<string, string>;
    const alternates = [
      ...LANGUAGES.map((l) => `<xhtml:link rel="alternate" hreflang="${l}" href="${esc(href[l])}"/>`),
      `<xhtml:link rel="alternate" hreflang="x-default" href="${esc(href.es)}"/>`,
    ].join('');
    for (const l of LANGUAGES) out.push(`<url><loc>${esc(href[l])}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}${alternates}</url>`);
  }
  out.push('</urlset>');
  return out.join('\n');
}

export function sitemapIndexXml(base: string, files: string[], lastmod: string | null): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...files.map((f) => `<sitemap><loc>${esc(`${base}/sitemaps/${f}`)}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}</sitemap>`),
    '</sitemapindex>',
  ].join('\n');
}

/** robots.txt: everything public may be crawled except search results and pages behind login. */
export function robotsTxt(base: string): string {
  const closed = [
    'admin',
    'gestion',
    'manage',
    'cuenta',
    'account',
    'login',
    'registro',
    'register',
    'salir',
    'logout',
    'confirmar',
    'confirm',
    'contrasena',
    'password',
    'moderacion',
    'moderation',
    'buscar',
    'search',
    'dejar-de-seguir',
    'unsubscribe',
  ];
  const lines = ['User-agent: *', 'Allow: /'];
  for (const l of LANGUAGES) for (const c of closed) lines.push(`Disallow: /${l}/${c}`);
  lines.push('Allow: /api/v1/datasets/', 'Disallow: /api/', '', `Sitemap: ${base}/sitemap.xml`, '');
  return lines.join('\n');
}
