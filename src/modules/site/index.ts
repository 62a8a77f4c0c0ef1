import type { Request, Response } from 'express';
import type { PageRegistrar } from '../../web/pages';
import type { MunicipalitiesService } from '../municipalities';
import type { SpendingService } from '../spending';

/** Home and about pages: the portal's front door. */
export function createSiteModule({ municipalities, spending }: { municipalities: MunicipalitiesService; spending: SpendingService }) {
  async function home(_req: Request, res: Response) {
    const [counts, years] = await Promise.all([municipalities.counts(), spending.years()]);
    const year = await spending.defaultYear();
    const ranking = year ? await spending.ranking({ level: 'department', year }) : null;
    const partial = years.find((y) => y.partial) ?? null;
    const partialTotals = partial ? await spending.ranking({ level: 'department', year: partial.year }) : null;
    const facts = { count: res.locals.fmt.number(counts.municipalities), year: ranking?.year.year, pct: res.locals.fmt.pct(ranking?.total.execution_pct) };
    res.render('site/home', {
      title: res.locals.t('site:home.title'),
      docTitle: res.locals.t('seo:home.title', facts),
      ...(ranking ? { description: res.locals.t('seo:home.description', facts) } : {}),
      counts,
      year: ranking?.year ?? null,
      total: ranking?.total ?? null,
      top: ranking ? ranking.rows.slice(0, 5) : [],
      bottom: ranking ? ranking.rows.slice(-5).reverse() : [],
      partial: partial && partialTotals ? { year: partial, total: partialTotals.total } : null,
    });
  }
  function about(_req: Request, res: Response) {
    res.render('site/about', { title: res.locals.t('site:about.title') });
  }
  return {
    registerPages(reg: PageRegistrar) {
      reg.page('home', home);
      reg.page('about', about);
    },
  };
}
