import type { Request, Response } from 'express';
import type { i18n as I18n } from 'i18next';
import { formatters, Lang, localized } from '../i18n';
import { PAGE_PATHS, PageName, pageUrl } from '../i18n/paths';
import { canonicalQuery } from './seo';

export interface ViewContext {
  lng: Lang;
  otherLng: Lang;
  t: (key: string, opts?: Record<string, unknown>) => string;
  fmt: ReturnType<typeof formatters>;
  url: (name: PageName, params?: Record<string, string | number>, query?: Record<string, string | number | undefined>) => string;
  switchUrl: string;
  nonce: string;
  currentPath: string;
  /** The signed-in user shown in the header, or null (anonymous readers have no session). */
  currentUser: { email: string; role: string } | null;
  /** CSRF token of the session, '' when there is none. */
  csrfToken: string;
  /** User text of a row in the page's language: `loc(item, 'title')`; `fallback` when Spanish stands in for English. */
  loc: (row: Record<string, unknown> | null | undefined, base: string) => { text: string; fallback: boolean };
  // --- findable and shareable (issue 16) ---
  /** Absolute canonical URL of a registered page (PUBLIC_URL + path + meaningful query); null on error pages. */
  canonicalUrl: string | null;
  /** Absolute hreflang alternates: both languages (self included) and x-default (Spanish). */
  alternates: Array<{ hreflang: string; href: string }>;
  /** PUBLIC_URL without the trailing slash. */
  publicUrl: string;
  /** The page kind's own meta description (seo:page.<name>), '' when the handler must give one. */
  pageDescription: string;
  // --- end findable and shareable ---
}

declare module 'express-serve-static-core' {
  /** res.locals: the view context (complete once a page's handler runs) and what middleware sets before it. */
  interface Locals extends ViewContext {
    cspNonce: string;
    csrfDeferred?: boolean;
  }
}

/**
 * Translations without options, kept per i18n instance and language: the texts do not change
 * while the process runs, and a page looks up hundreds of them (a third of its render time).
 */
const plainTexts = new WeakMap<I18n, Map<string, string>>();
function translator(i18n: I18n, lng: Lang): ViewContext['t'] {
  const t = i18n.getFixedT(lng);
  let texts = plainTexts.get(i18n);
  if (!texts) plainTexts.set(i18n, (texts = new Map()));
  const known = texts;
  return (key, opts) => {
    if (opts) return String(t(key, opts as never));
    const id = `${lng}\u0000${key}`;
    let text = known.get(id);
    if (text === undefined) known.set(id, (text = String(t(key))));
    return text;
  };
}

/**
 * Builds the locals every view gets, explicitly: nothing from req.query or req.body reaches
 * the template options.
 */
export function viewContext(i18n: I18n, lng: Lang, req: Request, res: Response, page?: PageName): ViewContext {
  const other: Lang = lng === 'es' ? 'en' : 'es';
  let switchUrl = `/${other}/`;
  // --- findable and shareable (issue 16) ---
  const publicUrl = String((req.app?.locals as { publicUrl?: string } | undefined)?.publicUrl ?? '');
  let canonicalUrl: string | null = null;
  let alternates: ViewContext['alternates'] = [];
  if (page && PAGE_PATHS[page]) {
    const params = req.params as Record<string, string>;
    const query = canonicalQuery(req.originalUrl);
    const href = { es: publicUrl + pageUrl('es', page, params) + query, en: publicUrl + pageUrl('en', page, params) + query };
    canonicalUrl = href[lng];
    alternates = [
      { hreflang: 'es', href: href.es },
      { hreflang: 'en', href: href.en },
      { hreflang: 'x-default', href: href.es },
    ];
  }
  const pageDescription = page && i18n.exists(`seo:page.${page}`, { lng }) ? String(i18n.t(`seo:page.${page}`, { lng })) : '';
  // --- end findable and shareable ---
  if (page && PAGE_PATHS[page]) {
    const qs = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    switchUrl = pageUrl(other, page, req.params as Record<string, string>) + (/[?&]token=/.test(qs) ? '' : qs);
  }
  return {
    lng,
    otherLng: other,
    t: translator(i18n, lng),
    fmt: formatters(lng),
    url: (name, params, query) => pageUrl(lng, name, params, query),
    switchUrl,
    nonce: String(res.locals.cspNonce ?? ''),
    currentPath: req.originalUrl.split('?')[0],
    currentUser: req.user ? { email: req.user.email, role: req.user.role } : null,
    csrfToken: typeof res.locals.csrfToken === 'string' ? res.locals.csrfToken : '',
    loc: (row, base) => localized(row, base, lng),
    canonicalUrl,
    alternates,
    publicUrl,
    pageDescription,
  };
}
