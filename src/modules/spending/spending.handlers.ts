import type { Request, Response } from 'express';
import { parse } from '../../lib/http';
import { pageOfRows } from '../../web/paging';
import type { MunicipalitiesService } from '../municipalities';
import { RankingPageQuery } from './spending.schemas';
import type { SpendingService } from './spending.service';
import { redirectDefaults } from '../../web/seo';

export const PAGE_SIZE = 100;

export const spendingHandlers = (svc: SpendingService, municipalities: MunicipalitiesService) => ({
  /** National ranking: departments, provinces or municipalities by execution %. */
  async ranking(req: Request, res: Response) {
    const q = parse(RankingPageQuery, req.query);
    const years = await svc.years();
    const defaultYear = await svc.defaultYear();
    if (redirectDefaults(req, res, { level: 'department' })) return; // not year or page: the pagination and year links carry them
    const year = q.year ?? defaultYear;
    if (year === null) {
      res.render('spending/ranking', { title: res.locals.t('spending:ranking.title'), years, data: null, q, departments: [] });
      return;
    }
    const level = q.level ?? 'department';
    const data = await svc.ranking({
      level,
      year,
      department: q.department,
      province: level === 'municipality' ? q.province : undefined,
      type: q.type,
      band: level === 'municipality' ? q.band : undefined,
      sort: q.sort,
      dir: q.dir,
    });
    const { rows, page, pages } = pageOfRows(data.rows, q.page, PAGE_SIZE);
    const t = res.locals.t;
    const department = q.department ? ((await municipalities.departments()).find((d) => d.code === q.department)?.name ?? q.department) : null;
    const facts = {
      year,
      level: t(`seo:ranking.level_${level}`),
      scope:
        (department ? t('seo:ranking.in_department', { name: department }) : '') +
        (q.type && level === 'municipality' ? t(`seo:ranking.type_${q.type}`) : '') +
        (q.band && level === 'municipality' ? t(`seo:ranking.band_${q.band}`) : '') +
        (page > 1 ? t('seo:ranking.page', { page }) : ''),
    };
    res.render('spending/ranking', {
      title: res.locals.t('spending:ranking.title'),
      docTitle: t('seo:ranking.title', facts),
      description: t('seo:ranking.description', facts),
      noindex: Boolean(q.sort || q.dir || q.band || q.province),
      years,
      data: { ...data, rows, level, page, pages, count: data.rows.length },
      q: { ...q, year, level },
      departments: await municipalities.departments(),
    });
  },

  /** The paper's Table 1 and 2 with the latest complete year appended from municipal data. */
  async history(_req: Request, res: Response) {
    const [history, departments, years] = await Promise.all([svc.history(), municipalities.departments(), svc.years()]);
    const names = Object.fromEntries(departments.map((d) => [d.code, d.name]));
    res.render('spending/history', {
      title: res.locals.t('spending:history.title'),
      history: { ...history, rows: history.rows.map((r) => ({ ...r, name: names[r.code] ?? r.code })).sort((a, b) => a.name.localeCompare(b.name, 'es')) },
      computedMeta: years.find((y) => y.year === history.computedYear) ?? null,
    });
  },
});
