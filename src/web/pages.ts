import express, { Request, Response, Router } from 'express';
import type { i18n as I18n } from 'i18next';
import { LANGUAGES, Lang } from '../i18n';
import { PAGE_PATHS, PageName } from '../i18n/paths';
import { viewContext } from './locals';

export type PageHandler = (req: Request, res: Response) => unknown;

/** What a module gets to declare its public pages; each is mounted under /es and /en. */
export interface PageRegistrar {
  page(name: PageName, handler: PageHandler): void;
}

export interface RegisteredPage {
  name: PageName;
  handler: PageHandler;
}

export function createPageRegistrar(): PageRegistrar & { pages: RegisteredPage[] } {
  const pages: RegisteredPage[] = [];
  return { pages, page: (name, handler) => pages.push({ name, handler }) };
}

/** One router per language with every registered page at its localized path. */
export function languageRouters(i18n: I18n, pages: RegisteredPage[]): Array<{ lng: Lang; router: Router }> {
  return LANGUAGES.map((lng) => {
    const router = express.Router();
    for (const p of pages) {
      router.get(PAGE_PATHS[p.name][lng], (req, res) => {
        res.locals.lng = lng;
        Object.assign(res.locals, viewContext(i18n, lng, req, res, p.name));
        return p.handler(req, res);
      });
    }
    return { lng, router };
  });
}
