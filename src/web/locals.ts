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

/** A text's `{{name}}` placeholders, split once: literal parts around the variables' names. */
interface Template {
  parts: string[];
  vars: string[];
}

/**
 * One `t` per i18n instance and language, made once: it keeps the texts it has looked up (they do
 * not change while the process runs, and a page looks up hundreds of them), keyed by the key
 * itself, so a lookup builds no string and every request shares the same function.
 */
const translators = new WeakMap<I18n, Partial<Record<Lang, ViewContext['t']>>>();

/** Options that change what i18next looks up or how (plurals, context, language…): those calls always go to i18next. */
const I18NEXT_OPTIONS = new Set([
  'context',
  'defaultValue',
  'lng',
  'lngs',
  'ns',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'interpolation',
  'keySeparator',
  'nsSeparator',
  'ordinal',
  'replace',
  'skipInterpolation',
  'fallbackLng',
]);

/**
 * The template of a text, or null when only i18next may interpolate it: nesting (`$t(`),
 * formats (`{{x, number}}`), unescaped (`{{- x}}`) or nested names (`{{a.b}}`), or plural forms.
 */
function compile(i18n: I18n, lng: Lang, key: string, text: string): Template | null {
  if (text.includes('$t(') || i18n.exists(`${key}_other`, { lng }) || i18n.exists(`${key}_one`, { lng })) return null;
  const parts: string[] = [];
  const vars: string[] = [];
  const re = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[1].trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
    parts.push(text.slice(last, m.index));
    vars.push(name);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return { parts, vars };
}

/**
 * The view's `t`. Without options: the cached text. With plain values (strings and numbers) for
 * a text with simple `{{name}}` placeholders: filled here, exactly as i18next would (a missing
 * values only, no escaping: EJS escapes on output) — i18next's option handling
 * per call was a tenth of a municipality page's CPU. Anything else goes to i18next.
 */
export function translator(i18n: I18n, lng: Lang): ViewContext['t'] {
  let byLng = translators.get(i18n);
  if (!byLng) translators.set(i18n, (byLng = {}));
  return (byLng[lng] ??= makeTranslator(i18n, lng));
}

function makeTranslator(i18n: I18n, lng: Lang): ViewContext['t'] {
  const t = i18n.getFixedT(lng);
  const known = new Map<string, string>();
  const byKey = new Map<string, Template | null>();
  const plain = (key: string): string => {
    let text = known.get(key);
    if (text === undefined) known.set(key, (text = String(t(key))));
    return text;
  };
  return (key, opts) => {
    if (!opts) return plain(key);
    let tpl = byKey.get(key);
    if (tpl === undefined) byKey.set(key, (tpl = i18n.exists(key, { lng }) ? compile(i18n, lng, key, plain(key)) : null));
    if (tpl === null) return String(t(key, opts as never));
    for (const k in opts) if (I18NEXT_OPTIONS.has(k)) return String(t(key, opts as never));
    let out = tpl.parts[0];
    for (let i = 0; i < tpl.vars.length; i++) {
      const v = opts[tpl.vars[i]];
      if (typeof v === 'string') out += v;
      else if (typeof v === 'number') out += String(v);
      else return String(t(key, opts as never)); // missing, null or an object: i18next decides
      out += tpl.parts[i + 1];
    }
    return out;
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
