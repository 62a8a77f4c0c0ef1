import type { Request, Response } from 'express';
import { parse } from '../../lib/http';
import { pageOfRows } from '../../web/paging';
import type { MunicipalitiesService } from '../municipalities';
import { RankingPageQuery } from './spending.schemas';
import type { SpendingService } from './spending.service';
import type { HistoryService } from './history.service';
import { trendChart } from '../../lib/svg-trend';
import { redirectDefaults } from '../../web/seo';

export const PAGE_SIZE = 100;

export const spendingHandlers = (svc: SpendingService, municipalities: MunicipalitiesService, history: HistoryService) => ({
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

  /**
   * Execution 2012– by department and for the country from the municipal data (charts: national
   * line and per-department small multiples, each with its table), next to the paper's Table 1.
   */
  async history(_req: Request, res: Response) {
    const [paper, dh] = await Promise.all([svc.history(), history.departmentHistory()]);
    const t = res.locals.t;
    const fmt = res.locals.fmt;
    const from = dh.years[0];
    const to = dh.years[dh.years.length - 1];
    const gapYears = dh.years.filter((_, i) => !dh.national[i]);
    const gaps = gapYears.length ? gapYears.join(', ') : t('spending:trend.none');
    const pct = (v: number) => fmt.pct(v, 0);
    const partialYears = dh.years.filter((y) => dh.partial[y]);
    const nationalValues = dh.national.map((n) => n?.pct ?? null);
    const nationalSvg = trendChart({
      id: 'history-national',
      title: t('spending:history.chart_national_title', { from, to }),
      desc: t('spending:history.chart_national_desc', { from, to, gaps }),
      years: dh.years,
      series: [{ label: t('spending:trend.national'), values: nationalValues }],
      format: pct,
      noData: t('spending:trend.no_data_short'),
      partialYears,
      partialLabel: t('common:year.partial_badge'),
    });
    const rows = [...dh.rows].sort((a, b) => a.name.localeCompare(b.name, 'es'));
    const multiples = rows.map((d) => ({
      code: d.code,
      name: d.name,
      svg: trendChart({
        id: `history-${d.code}`,
        title: t('spending:history.chart_department_title', { name: d.name, from, to }),
        desc: t('spending:history.chart_department_desc', { name: d.name, gaps }),
        years: dh.years,
        series: [
          { label: d.name, values: d.years.map((y) => y.pct) },
          { label: t('spending:trend.national'), values: nationalValues },
        ],
        format: pct,
        noData: t('spending:trend.no_data_short'),
        small: true,
        partialYears,
        partialLabel: t('common:year.partial_badge'),
      }),
    }));
    const names = Object.fromEntries(dh.rows.map((d) => [d.code, d.name]));
    res.render('spending/history', {
      title: t('spending:history.title'),
      dh: { ...dh, rows },
      nationalSvg,
      multiples,
      gapYears,
      notInPaper: dh.years.filter((y) => !dh.paperYears.includes(y) && !gapYears.includes(y)),
      history: { ...paper, rows: paper.rows.map((r) => ({ ...r, name: names[r.code] ?? r.code })).sort((a, b) => a.name.localeCompare(b.name, 'es')) },
    });
  },
});
