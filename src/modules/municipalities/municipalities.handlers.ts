import type { Request, Response } from 'express';
import { parse } from '../../lib/http';
import { DepartmentCode, DepartmentQuery, ProvinceCode, SearchQuery, Ubigeo, YearQuery } from './municipalities.schemas';
import { barChart } from '../../lib/svg';
import type { MunicipalitiesService } from './municipalities.service';
import type { DetailYearsPort, HistoryFor, ParticipationGlancePort, SpendingFigures, FollowingPort } from './municipalities.types';
import { NotFoundError } from '../../lib/errors';
import { jsonLdText, placeName, redirectDefaults } from '../../web/seo';

/** A malformed code in a page URL is simply a page that does not exist. */
function codeOr404<T>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new NotFoundError();
  return r.data as T;
}

export const municipalitiesHandlers = (
  svc: MunicipalitiesService,
  spending: SpendingFigures,
  scores?: (ubigeo: string) => Promise<Array<Record<string, unknown>>>,
  participation?: ParticipationGlancePort,
  detailYears?: DetailYearsPort,
  historyFor?: HistoryFor,
  following?: FollowingPort,
) => ({
  async departments(_req: Request, res: Response) {
    const [departments, provinces, year] = await Promise.all([svc.departments(), svc.provinces(), spending.defaultYear()]);
    const ranking = year ? await spending.ranking({ level: 'department', year }) : null;
    const exec = new Map((ranking?.rows ?? []).map((r) => [r.code, r]));
    const provinceCount = new Map<string, number>();
    const muniCount = new Map<string, number>();
    for (const p of provinces) {
      provinceCount.set(p.department_code, (provinceCount.get(p.department_code) ?? 0) + 1);
      muniCount.set(p.department_code, (muniCount.get(p.department_code) ?? 0) + Number(p.municipality_count ?? 0));
    }
    res.render('municipalities/departments', {
      title: res.locals.t('municipalities:departments.title'),
      docTitle: ranking ? res.locals.t('seo:departments.title', { count: departments.length, year: ranking.year.year }) : undefined,
      year: ranking?.year ?? null,
      total: ranking?.total ?? null,
      departments: departments.map((d) => ({
        ...d,
        provinces: provinceCount.get(d.code) ?? 0,
        municipalities: muniCount.get(d.code) ?? 0,
        execution: exec.get(d.code) ?? null,
      })),
    });
  },

  async department(req: Request, res: Response) {
    const code = codeOr404(DepartmentCode, req.params.code);
    const department = await svc.department(code);
    const { year: y, province: p } = parse(DepartmentQuery, req.query);
    const years = await spending.years();
    const defaultYear = await spending.defaultYear();
    if (redirectDefaults(req, res, { year: defaultYear })) return;
    const year = y ?? defaultYear;
    const allProvinces = await svc.provinces(code);
    // An unknown province of this department is no filter at all (a stale link still shows the department).
    const province = p && allProvinces.some((x) => x.code === p) ? p : undefined;
    const provinces = allProvinces;
    const [municipalities, provinceRanking] = await Promise.all([
      year ? spending.ranking({ level: 'municipality', year, department: code, province }) : null,
      year ? spending.ranking({ level: 'province', year, department: code }) : null,
    ]);
    const provExec = new Map((provinceRanking?.rows ?? []).map((r) => [r.code, r]));
    const t = res.locals.t;
    const facts = {
      name: department.name,
      year: municipalities?.year.year,
      pct: res.locals.fmt.pct(municipalities?.total.execution_pct),
      provinces: provinces.length,
      municipalities: municipalities?.rows.length ?? provinces.reduce((n, p) => n + Number(p.municipality_count ?? 0), 0),
    };
    const known = municipalities != null && municipalities.total.execution_pct != null;
    res.render('municipalities/department', {
      title: department.name,
      docTitle: t(known ? 'seo:department.title' : 'seo:department.title_no_data', facts),
      description: t(known ? 'seo:department.description' : 'seo:department.description_no_data', facts),
      shareImage: `/share/${res.locals.lng}/d/${department.code}.png`,
      noindex: Boolean(province),
      department,
      years,
      year: municipalities ? { ...municipalities.year, isDefault: municipalities.year.year === defaultYear } : null,
      province: province ?? null,
      provinces: provinces.map((p) => ({ ...p, execution: provExec.get(p.code) ?? null })),
      municipalities: municipalities?.rows ?? [],
      total: municipalities?.total ?? null,
    });
  },

  /** A province: its municipalities ranked by execution, its totals and a ranked bar chart (with its table). */
  async province(req: Request, res: Response) {
    const code = codeOr404(ProvinceCode, req.params.code);
    const province = await svc.province(code);
    const { year: y } = parse(YearQuery, req.query);
    const [years, defaultYear] = await Promise.all([spending.years(), spending.defaultYear()]);
    if (redirectDefaults(req, res, { year: defaultYear })) return;
    const year = y ?? defaultYear;
    const ranking = year ? await spending.ranking({ level: 'municipality', year, department: province.department_code, province: code }) : null;
    const t = res.locals.t;
    const fmt = res.locals.fmt;
    const rows = ranking?.rows ?? [];
    const facts = {
      name: province.name,
      department: province.department,
      year: ranking?.year.year,
      pct: fmt.pct(ranking?.total.execution_pct),
      count: fmt.number(Number(province.municipality_count)),
    };
    const known = ranking != null && ranking.total.execution_pct != null;
    const chart =
      ranking && rows.length
        ? barChart({
            id: 'prov-chart',
            title: t('municipalities:province.chart_title', { name: province.name, year: ranking.year.year }),
            desc: t('municipalities:province.chart_desc'),
            series: [{ label: t('common:amounts.execution_pct') }],
            rows: rows.filter((r) => r.execution_pct != null).map((r) => ({ label: r.name, values: [Math.min(100, r.execution_pct ?? 0)], note: fmt.pct(r.execution_pct) })),
            format: (v) => fmt.pct(v),
          })
        : null;
    res.render('municipalities/province', {
      title: t('municipalities:province.title', { name: province.name }),
      docTitle: t(known ? 'seo:province.title' : 'seo:province.title_no_data', facts),
      description: t(known ? 'seo:province.description' : 'seo:province.description_no_data', facts),
      province,
      years,
      year: ranking?.year ?? null,
      rows,
      total: ranking?.total ?? null,
      chartSvg: chart,
    });
  },

  async municipality(req: Request, res: Response) {
    const ubigeo = codeOr404(Ubigeo, req.params.ubigeo);
    // A predecessor municipality (not in today's directory): its own years and a link to its successor.
    const predecessor = await svc.predecessor(ubigeo);
    if (predecessor) {
      const t = res.locals.t;
      const title = t('spending:predecessor.title', { name: predecessor.name_mef });
      res.render('municipalities/predecessor', {
        title,
        description: t('spending:predecessor.not_added'),
        predecessor,
        hv: historyFor ? await historyFor(ubigeo, predecessor.name_mef, res.locals) : null,
      });
      return;
    }
    const municipality = await svc.municipality(ubigeo);
    const [all, defaultYear, scoreRows, glance, detail] = await Promise.all([
      spending.forMunicipality(ubigeo),
      spending.defaultYear(),
      scores ? scores(ubigeo) : [],
      participation ? participation(ubigeo) : null,
      detailYears ? detailYears(ubigeo) : [],
    ]);
    // The latest complete year first (the headline), then partial years (marked), then older years.
    const execution = [...all].sort((a, b) => Number(b.year === defaultYear) - Number(a.year === defaultYear) || Number(b.partial) - Number(a.partial) || b.year - a.year);
    // A provincial municipality also serves province-wide functions: show both populations.
    const provincePopulation = municipality.type === 'provincial' ? ((await svc.provinces(municipality.department_code)).find((p) => p.code === municipality.province_code)?.population ?? null) : null;
    const headline = execution.find((e) => !e.partial && e.execution_pct != null) ?? execution.find((e) => e.execution_pct != null) ?? null;
    const url = res.locals.url;
    const yearQuery = headline && headline.year !== defaultYear ? headline.year : undefined;
    const ranks = headline
      ? [
          {
            key: 'province',
            rank: headline.rank_province,
            count: headline.count_province,
            name: municipality.province,
            href: url('province', { code: municipality.province_code }, { year: yearQuery }),
          },
          {
            key: 'department',
            rank: headline.rank_department,
            count: headline.count_department,
            name: municipality.department,
            href: url('department', { code: municipality.department_code }, { year: yearQuery }),
          },
          { key: 'national', rank: headline.rank_national, count: headline.count_national, name: '', href: url('ranking', {}, { level: 'municipality', year: yearQuery }) },
          {
            key: 'peers',
            rank: headline.rank_peers,
            count: headline.count_peers,
            name: res.locals.t(`scores:band.${headline.peer_band}`),
            type: headline.peer_type,
            href: url('ranking', {}, { level: 'municipality', type: headline.peer_type, band: headline.peer_band, year: yearQuery }),
          },
        ]
      : [];
    const t = res.locals.t;
    const fmt = res.locals.fmt;
    const place = placeName(t, municipality);
    const facts = {
      place,
      district: municipality.district,
      province: municipality.province,
      department: municipality.department,
      type: t(`municipalities:type.${municipality.type}`).toLowerCase(),
      population: fmt.number(municipality.population),
      year: headline?.year,
      pct: fmt.pct(headline?.execution_pct),
      devengado: fmt.moneyCompact(headline?.devengado),
      pim: fmt.moneyCompact(headline?.pim),
    };
    const description = t(headline ? 'seo:municipality.description' : 'seo:municipality.description_no_data', facts);
    res.render('municipalities/show', {
      title: municipality.district,
      docTitle: t(headline ? 'seo:municipality.title' : 'seo:municipality.title_no_data', facts),
      description: description.charAt(0).toUpperCase() + description.slice(1),
      shareImage: `/share/${res.locals.lng}/m/${municipality.ubigeo}.png`,
      shareImageAlt: headline ? t('seo:municipality.image_alt', facts) : place,
      jsonLd: jsonLdText({
        '@context': 'https://schema.org',
        '@type': 'GovernmentOrganization',
        name: municipality.name_mef,
        alternateName: place,
        identifier: municipality.ubigeo,
        url: res.locals.canonicalUrl,
        areaServed: {
          '@type': 'AdministrativeArea',
          name: municipality.district,
          containedInPlace: { '@type': 'AdministrativeArea', name: `${municipality.province}, ${municipality.department}, Perú` },
        },
        ...(municipality.latitude != null && municipality.longitude != null
          ? { location: { '@type': 'Place', geo: { '@type': 'GeoCoordinates', latitude: Number(municipality.latitude), longitude: Number(municipality.longitude) } } }
          : {}),
      }),
      municipality,
      execution,
      headline,
      ranks,
      hasDetail: detail.length > 0,
      detailYears: detail,
      rated: req.query.rated === '1' && Boolean(req.user),
      following: req.user && following ? await following(req.user.id, ubigeo) : false,
      done: req.user && (req.query.done === 'followed' || req.query.done === 'unfollowed') ? req.query.done : null,
      glance,
      scores: scoreRows.filter((r) => r.score !== null),
      provincePopulation,
      // history: trend and revenue (one call; views/partials/trend.ejs and revenue.ejs)
      hv: historyFor ? await historyFor(ubigeo, municipality.district, res.locals) : null,
    });
  },

  async search(req: Request, res: Response) {
    const { q } = parse(SearchQuery, req.query);
    const results = await svc.search(q);
    const shown = q.trim().slice(0, 100);
    // Each result with its headline figure: execution % of the latest complete year.
    const year = await spending.defaultYear();
    const figures = new Map<string, number | null>();
    if (year && results.query) {
      const levels = [
        ...(results.municipalities.length ? (['municipality'] as const) : []),
        ...(results.provinces.length ? (['province'] as const) : []),
        ...(results.departments.length ? (['department'] as const) : []),
      ];
      for (const level of levels) for (const r of (await spending.ranking({ level, year })).rows) figures.set(`${level}:${r.code}`, r.execution_pct);
    }
    res.render('municipalities/search', {
      title: res.locals.t('municipalities:search.title'),
      docTitle: shown ? res.locals.t('seo:search.title', { q: shown }) : undefined,
      description: shown ? res.locals.t('seo:search.description', { q: shown }) : undefined,
      noindex: true,
      results,
      year,
      figure: (level: string, code: string) => figures.get(`${level}:${code}`) ?? null,
    });
  },
});
