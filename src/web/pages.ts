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

/**
 * What a module gets to declare its pages; each is mounted under /es and /en. `page` is a
 * public GET; `route` is anything else and must name its guards (deny by default: a test
 * fails on any route that is neither public nor guarded).
 */
export interface PageRegistrar {
  page(name: PageName, handler: PageHandler): void;
  route(method: 'get' | 'post', name: PageName, guards: RequestHandler[], handler: PageHandler, options?: RouteOptions): void;
}

export interface RegisteredPage {
  method: 'get' | 'post';
  name: PageName;
  guards: RequestHandler[];
  handler: PageHandler;
  quiet: boolean;
}

export function createPageRegistrar(): PageRegistrar & { pages: RegisteredPage[] } {
  const pages: RegisteredPage[] = [];
  return {
    pages,
    page: (name, handler) => pages.push({ method: 'get', name, guards: [], handler, quiet: false }),
    route: (method, name, guards, handler, { quiet = false } = {}) => pages.push({ method, name, guards, handler, quiet }),
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
