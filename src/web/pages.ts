import express, { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { i18n as I18n } from 'i18next';
import { LANGUAGES, Lang } from '../i18n';
import { PAGE_PATHS, PageName } from '../i18n/paths';
import { viewContext } from './locals';
import { quietWrite } from './response-cache';

export type PageHandler = (req: Request, res: Response, next: NextFunction) => unknown;

export interface RouteOptions {
  /**
   * A write that changes no public page (signing in, account settings, follows): its success
   * keeps the in-process response cache, which any other successful write empties.
   */
  quiet?: boolean;
}

/** Handlers by page name, registered in the table's order (within a method, the first path that matches answers). */
export type PageTable = Partial<Record<PageName, PageHandler>>;

/**
 * What a module gets to declare its pages; each is mounted under /es and /en. `page` is a
 * public GET; `route` is anything else and must name its guards (deny by default: a test
 * fails on any route that is neither public nor guarded). `pages` and `routes` declare a
 * table of them at once, in the table's order: the public pages, and the routes of one method
 * that share the same guards and options.
 */
export interface PageRegistrar {
  page(name: PageName, handler: PageHandler): void;
  route(method: 'get' | 'post', name: PageName, guards: RequestHandler[], handler: PageHandler, options?: RouteOptions): void;
  pages(table: PageTable): void;
  routes(method: 'get' | 'post', guards: RequestHandler[], table: PageTable, options?: RouteOptions): void;
}

export interface RegisteredPage {
  method: 'get' | 'post';
  name: PageName;
  guards: RequestHandler[];
  handler: PageHandler;
  quiet: boolean;
}

export function createPageRegistrar(): PageRegistrar & { registered: RegisteredPage[] } {
  const registered: RegisteredPage[] = [];
  const page = (name: PageName, handler: PageHandler) => registered.push({ method: 'get', name, guards: [], handler, quiet: false });
  const route = (method: 'get' | 'post', name: PageName, guards: RequestHandler[], handler: PageHandler, { quiet = false }: RouteOptions = {}) =>
    registered.push({ method, name, guards, handler, quiet });
  const entries = (table: PageTable) => Object.entries(table) as Array<[PageName, PageHandler]>;
  return {
    registered,
    page,
    route,
    pages: (table) => entries(table).forEach(([name, handler]) => page(name, handler)),
    routes: (method, guards, table, options) => entries(table).forEach(([name, handler]) => route(method, name, guards, handler, options)),
  };
}

/**
 * One router per language with every registered page at its localized path. `before` runs
 * first on every request of the language (sessions, user, CSRF); `admin` guards all of /admin;
 * `last` runs after a route's own guards and body parsers, right before its handler.
 */
export function languageRouters(
  i18n: I18n,
  pages: RegisteredPage[],
  { before = [], admin = [], last = [] }: { before?: RequestHandler[]; admin?: RequestHandler[]; last?: RequestHandler[] } = {},
): Array<{ lng: Lang; router: Router }> {
  return LANGUAGES.map((lng) => {
    const router = express.Router();
    router.use((_req, res, next) => {
      res.locals.lng = lng;
      next();
    });
    for (const mw of before) router.use(mw);
    if (admin.length) router.use('/admin', ...admin);
    for (const p of pages) {
      // A quiet write is marked first, so that its guards' answers (a redirect to sign in) keep the cache too.
      router[p.method](PAGE_PATHS[p.name][lng], ...(p.quiet ? [quietWrite] : []), ...p.guards, ...last, (req: Request, res: Response, next: NextFunction) => {
        Object.assign(res.locals, viewContext(i18n, lng, req, res, p.name));
        return p.handler(req, res, next);
      });
    }
    return { lng, router };
  });
}
