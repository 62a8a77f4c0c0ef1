import { foldForSearch } from '../../lib/text';
import type { Request, Response } from 'express';
import type { Formatters } from '../../i18n';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { projectedAreas } from '../../lib/geo';
import { parse } from '../../lib/http';
import { barChart, choropleth, lineChart } from '../../lib/svg';
import type { MunicipalitiesService, Municipality } from '../municipalities';
import { Ubigeo } from '../../lib/schemas';
import { areaRef } from './breakdown.api';
import { AreaRef, BY, By, BreakdownService, CANON_RUBRO } from './breakdown.service';
import { MEF_GASTO_LABEL, SYNTHETIC_LABEL } from './mef-gasto.importer';
import { AreaSpendingQuery, CompareQuery, MapQuery, MunicipalitySpendingPageQuery } from './spending.schemas';
import { latestCompleteYear, type SpendingService } from './spending.service';
import { placeName } from '../../web/seo';

type T = (key: string, opts?: Record<string, unknown>) => string;
const CHART_ROWS = 20;

/** Execution % bins of the map (lower bounds); bin 0 = no data. */
export const MAP_BINS = [0, 50, 65, 75, 85];
export const mapBin = (pct: number | null) => (pct === null ? 0 : MAP_BINS.filter((b) => pct >= b).length);

function breakdownCharts(
  t: T,
  fmt: Formatters,
  data: Awaited<ReturnType<BreakdownService['breakdown']>>,
  by: By,
  areaName: string,
  curve: Awaited<ReturnType<BreakdownService['curve']>> | null,
  typeShares: ReturnType<BreakdownService['typeShares']> | null,
) {
  const charts: string[] = [];
  const year = data.year;
  if (by === 'month' && curve) {
    const months = Array.from({ length: 12 }, (_, i) => String(i + 1));
    charts.push(
      lineChart({
        id: 'chart-month',
        title: t('spending:detail.curve_title', { area: areaName, year }),
        desc: t('spending:detail.curve_desc', { year, previous: year - 1, pct: fmt.pct(curve.current?.[11]?.accumulated_pct ?? null) }),
        xLabels: months,
        series: [
          { label: String(year), values: (curve.current ?? []).map((m) => m.accumulated_pct) },
          ...(curve.previous ? [{ label: String(year - 1), values: curve.previous.map((m) => m.accumulated_pct) }] : []),
        ],
        format: (v) => fmt.pct(v, 0),
      }),
    );
    return charts;
  }
  if (by === 'category' && typeShares) {
    charts.push(
      barChart({
        id: 'chart-types',
        title: t('spending:detail.types_title', { area: areaName, year }),
        desc: typeShares.map((s) => `${t(`spending:category_type.${s.type}`)}: ${fmt.pct(s.share_pct)}`).join('; '),
        series: [{ label: t('spending:detail.share_of_devengado') }],
        rows: typeShares.map((s) => ({ label: t(`spending:category_type.${s.type}`), values: [s.share_pct ?? 0] })),
        format: (v) => fmt.pct(v),
      }),
    );
  }
  const top = data.rows.filter((r) => r.code !== '00').slice(0, CHART_ROWS);
  charts.push(
    barChart({
      id: `chart-${by}`,
      title: t('spending:detail.chart_title', { by: t(`spending:by.${by}`), area: areaName, year }),
      desc: t('spending:detail.chart_desc', { count: top.length, total: data.rows.length }),
      series: [{ label: t('common:amounts.pim') }, { label: t('common:amounts.devengado') }],
      rows: top.map((r) => ({ label: by === 'project' ? `${r.code} ${r.name}` : r.name, values: [r.pim, r.devengado], note: fmt.pct(r.execution_pct) })),
      format: (v) => fmt.moneyCompact(v),
    }),
  );
  return charts;
}

export const breakdownHandlers = (
  svc: BreakdownService,
  spending: SpendingService,
  municipalities: MunicipalitiesService,
  compareScores?: (ubigeos: string[], year: number) => Promise<Map<string, Record<string, unknown>>>,
) => {
  async function render(
    res: Response,
    ref: AreaRef,
    q: { year?: number; by: By },
    area: { name: string; crumbs: { name: string; href: string }[]; apiBase: string; pageUrl: (by: By, year?: number) => string; municipality?: unknown },
  ) {
    const t = res.locals.t;
    const fmt = res.locals.fmt;
    const lng = res.locals.lng;
    const years = await svc.years(ref);
    const meta = (await spending.years()).filter((y) => y.source === 'mef_gasto' && years.includes(y.year));
    const year = q.year ?? (meta.length ? latestCompleteYear(meta) : years[0]);
    const place = area.municipality ? placeName(t, area.municipality as Municipality) : area.name;
    const seoNoData = area.municipality ? { docTitle: t('seo:spending.title_no_data', { place }), description: t('seo:spending.description_no_data', { place }) } : {};
    const base = { title: t('spending:detail.title', { area: area.name }), ...seoNoData, area, ref, years, by: q.by, bys: BY, canonRubro: CANON_RUBRO, sourceLabel: MEF_GASTO_LABEL };
    if (!year) {
      res.render('spending/breakdown', { ...base, year: null, data: null, charts: [], typeShares: null, curve: null, yearMeta: null });
      return;
    }
    const data = await svc.breakdown(ref, year, q.by, lng);
    const typeShares = q.by === 'category' ? svc.typeShares(data.rows) : null;
    const curve = q.by === 'month' ? await svc.curve(ref, year) : null;
    const yearMeta = (await spending.years()).find((y) => y.year === year && y.source === 'mef_gasto') ?? null;
    const sep = area.apiBase.includes('?') ? '&' : '?';
    res.render('spending/breakdown', {
      ...base,
      title: t('spending:detail.title_year', { area: area.name, year, by: t(`spending:by.${q.by}`) }),
      ...(area.municipality
        ? { docTitle: t('seo:spending.title', { place, year, by: t(`spending:by.${q.by}`) }), description: t('seo:spending.description', { place, year, by: t(`spending:by.${q.by}`) }) }
        : {}),
      year,
      data,
      typeShares,
      curve,
      charts: breakdownCharts(t, fmt, data, q.by, area.name, curve, typeShares),
      apiHref: `${area.apiBase}${sep}year=${year}&by=${q.by}`,
      yearMeta: yearMeta ? { ...yearMeta, label: yearMeta.label === SYNTHETIC_LABEL ? t('common:source.synthetic') : t('common:source.mef_gasto') } : null,
    });
  }

  return {
    /** A municipality's detailed spending: one breakdown at a time, chart + table + downloads. */
    async municipality(req: Request, res: Response) {
      const u = Ubigeo.safeParse(req.params.ubigeo);
      if (!u.success) throw new NotFoundError();
      const m = await municipalities.municipality(u.data);
      const q = parse(MunicipalitySpendingPageQuery, req.query);
      const url = res.locals.url;
      await render(res, { level: 'municipality', area: m.ubigeo }, q, {
        name: m.district,
        municipality: m,
        crumbs: [
          { name: m.department, href: url('department', { code: m.department_code }) },
          { name: m.district, href: url('municipality', { ubigeo: m.ubigeo }) },
        ],
        apiBase: `/api/v1/municipalities/${m.ubigeo}/spending`,
        pageUrl: (by: By, year?: number) => url('spending_municipality', { ubigeo: m.ubigeo }, { by, year }),
      });
    },

    /** National, department or province view of the same breakdowns. */
    async area(req: Request, res: Response) {
      const q = parse(AreaSpendingQuery, req.query);
      const ref = areaRef(q.level, q.code);
      const url = res.locals.url;
      const t = res.locals.t;
      let name = t('spending:area.national');
      const crumbs: { name: string; href: string }[] = [];
      if (q.level === 'department') {
        const d = await municipalities.department(ref.area);
        name = d.name;
        crumbs.push({ name: d.name, href: url('department', { code: d.code }) });
      } else if (q.level === 'province') {
        const p = (await municipalities.provinces(ref.area.slice(0, 2))).find((x) => x.code === ref.area);
        if (!p) throw new NotFoundError();
        const d = await municipalities.department(ref.area.slice(0, 2));
        name = t('spending:area.province', { name: p.name });
        crumbs.push({ name: d.name, href: url('department', { code: d.code }) });
      }
      await render(res, ref, q, {
        name,
        crumbs,
        apiBase: `/api/v1/spending?level=${q.level}${q.level === 'national' ? '' : `&code=${ref.area}`}`,
        pageUrl: (by: By, year?: number) => url('spending_area', {}, { level: q.level === 'national' ? undefined : q.level, code: q.level === 'national' ? undefined : ref.area, by, year }),
      });
    },

    /** National shares of devengado by budget category type, per imported year (paper Table 2 shape). */
    async categories(_req: Request, res: Response) {
      const t = res.locals.t;
      const fmt = res.locals.fmt;
      const shares = await svc.nationalCategoryShares();
      const history = await spending.history();
      const latest = shares.values[shares.values.length - 1];
      const chart = latest
        ? barChart({
            id: 'chart-shares',
            title: t('spending:categories.chart_title', { year: latest.year }),
            desc: (['programa_presupuestal', 'acciones_centrales', 'apnop'] as const).map((k) => `${t(`spending:category_type.${k}`)}: ${fmt.pct(latest.shares[k])}`).join('; '),
            series: [{ label: t('spending:detail.share_of_devengado') }],
            rows: (['programa_presupuestal', 'acciones_centrales', 'apnop'] as const).map((k) => ({ label: t(`spending:category_type.${k}`), values: [latest.shares[k] ?? 0] })),
            format: (v) => fmt.pct(v),
          })
        : null;
      res.render('spending/categories', { title: t('spending:categories.title'), shares, history, chart });
    },

    /**
     * 2–4 municipalities side by side, chosen by name without JavaScript: a GET form keeps the
     * chosen ubigeos (`u`) and searches `add` by name; one match is added, several are offered
     * as choices. One municipality chosen (arriving from its page) is a start, not an error.
     * More than 4, a malformed or unknown ubigeo → 422 with the form kept.
     */
    async compare(req: Request, res: Response) {
      const t = res.locals.t;
      const raw = req.query.u;
      const entered = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((s) => String(s).slice(0, 6));
      const addRaw = typeof req.query.add === 'string' ? req.query.add.trim().slice(0, 100) : '';
      const years = await spending.years();
      const base = {
        title: t('spending:compare.title'),
        entered,
        chosen: [] as Municipality[],
        rows: null as unknown,
        year: await spending.defaultYear(),
        errors: [] as string[],
        years,
        add: addRaw,
        candidates: [] as Municipality[],
        notFound: false,
      };
      const q = CompareQuery.safeParse(req.query);
      const issues: string[] = [];
      if (!q.success) issues.push(...q.error.issues.map((i) => i.message));
      else if (new Set(q.data.u).size !== q.data.u.length) issues.push('spending:errors.compare_duplicate');
      if (issues.length || !q.success) {
        res.status(422).render('spending/compare', { ...base, errors: [...new Set(issues)].map((k) => t(k, { min: 2, max: 4 })) });
        return;
      }
      const chosen: Municipality[] = [];
      for (const u of q.data.u) {
        try {
          chosen.push(await municipalities.municipality(u));
        } catch {
          issues.push(t('spending:errors.compare_unknown', { ubigeo: u }));
        }
      }
      let candidates: Municipality[] = [];
      let notFound = false;
      if (!issues.length && addRaw) {
        const found = (await municipalities.search(addRaw, 20)).municipalities.filter((m) => !chosen.some((c) => c.ubigeo === m.ubigeo));
        const folded = foldForSearch(addRaw);
        const exact = found.filter((m) => foldForSearch(m.district) === folded);
        if (found.length === 1) chosen.push(found[0]);
        else if (exact.length === 1) chosen.push(exact[0]);
        else if (found.length) candidates = found;
        else notFound = true;
      }
      if (chosen.length > 4) issues.push(t('spending:errors.compare_count', { min: 2, max: 4 }));
      if (issues.length) {
        res.status(422).render('spending/compare', { ...base, chosen, errors: issues });
        return;
      }
      const year = q.data.year ?? base.year;
      if (!year) throw new ValidationError([{ field: 'year', key: 'spending:errors.no_data' }], 422);
      const view = { ...base, chosen, entered: chosen.map((m) => m.ubigeo), candidates, notFound, year };
      if (chosen.length < 2) {
        res.render('spending/compare', view);
        return;
      }
      const ubigeos = chosen.map((m) => m.ubigeo);
      const cmp = await svc.compare(ubigeos, year);
      const scores = compareScores ? await compareScores(ubigeos, year) : new Map<string, Record<string, unknown>>();
      res.render('spending/compare', { ...view, rows: cmp.map((c, i) => ({ ...c, municipality: chosen[i], score: scores.get(chosen[i].ubigeo) ?? null })) });
    },

    /** Execution map of Peru by department or province, with a table alternative. */
    async map(req: Request, res: Response) {
      const t = res.locals.t;
      const fmt = res.locals.fmt;
      const url = res.locals.url;
      const q = parse(MapQuery, req.query);
      const level = q.level ?? 'department';
      const years = await spending.years();
      const year = q.year ?? (await spending.defaultYear());
      const geo = projectedAreas(level);
      const ranking = year ? await spending.ranking({ level, year }) : null;
      const exec = new Map((ranking?.rows ?? []).map((r) => [r.code, r]));
      const rows = geo.areas.map((a) => {
        const e = exec.get(a.code);
        const pct = e?.execution_pct ?? null;
        return {
          code: a.code,
          name: level === 'province' && e ? e.name : a.name,
          parent: e?.parent ?? '',
          pim: e?.pim ?? null,
          devengado: e?.devengado ?? null,
          execution_pct: pct,
          bin: mapBin(pct),
          href: level === 'department' ? url('department', { code: a.code }) : url('province', { code: a.code }),
          d: a.d,
        };
      });
      const svg = choropleth({
        id: 'map',
        width: geo.width,
        height: geo.height,
        title: t('spending:map.svg_title', { level: t(`spending:map.level_${level}`), year: year ?? '' }),
        desc: t('spending:map.svg_desc'),
        areas: rows.map((r) => ({ code: r.code, name: r.name, href: r.href, d: r.d, bin: r.bin, label: fmt.pct(r.execution_pct) })),
      });
      const yearMeta = years.find((y) => y.year === year) ?? null;
      res.render('spending/map', {
        title: t('spending:map.title'),
        ...(year ? { docTitle: t('seo:map.title', { year, level: t(`seo:ranking.level_${level}`) }), description: t('seo:map.description', { year, level: t(`seo:ranking.level_${level}`) }) } : {}),
        level,
        year,
        years,
        svg,
        bins: MAP_BINS,
        rows: rows.map(({ d: _d, ...r }) => r).sort((a, b) => a.name.localeCompare(b.name, 'es')),
        yearMeta: yearMeta
          ? {
              ...yearMeta,
              label: yearMeta.label === SYNTHETIC_LABEL ? t('common:source.synthetic') : yearMeta.source === 'mef_gasto' ? t('common:source.mef_gasto') : t('common:source.consulta_amigable'),
            }
          : null,
        apiHref: `/api/v1/execution?level=${level}${year ? `&year=${year}` : ''}`,
      });
    },
  };
};
