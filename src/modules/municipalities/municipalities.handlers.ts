import type { Request, Response } from 'express';
import { parse } from '../../lib/http';
import { DepartmentCode, SearchQuery, Ubigeo, YearQuery } from './municipalities.schemas';
import type { MunicipalitiesService } from './municipalities.service';
import type { HistoryFor, SpendingFigures } from './municipalities.types';
import { NotFoundError } from '../../lib/errors';
import { jsonLdText, placeName, redirectDefaults } from '../../web/seo';

/** A malformed code in a page URL is simply a page that does not exist. */
function codeOr404<T>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new NotFoundError();
  return r.data as T;
}

export const municipalitiesHandlers = (svc: MunicipalitiesService, spending: SpendingFigures, scores?: (ubigeo: string) => Promise<Array<Record<string, unknown>>>, historyFor?: HistoryFor) => ({
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
    const { year: y } = parse(YearQuery, req.query);
    const years = await spending.years();
    const defaultYear = await spending.defaultYear();
    if (redirectDefaults(req, res, { year: defaultYear })) return;
    const year = y ?? defaultYear;
    const [provinces, municipalities, provinceRanking] = await Promise.all([
      svc.provinces(code),
      year ? spending.ranking({ level: 'municipality', year, department: code }) : null,
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
      department,
      years,
      year: municipalities?.year ?? null,
      provinces: provinces.map((p) => ({ ...p, execution: provExec.get(p.code) ?? null })),
      municipalities: municipalities?.rows ?? [],
      total: municipalities?.total ?? null,
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
    const execution = await spending.forMunicipality(ubigeo);
    const scoreRows = scores ? await scores(ubigeo) : [];
    // A provincial municipality also serves province-wide functions: show both populations.
    const provincePopulation = municipality.type === 'provincial' ? ((await svc.provinces(municipality.department_code)).find((p) => p.code === municipality.province_code)?.population ?? null) : null;
    const t = res.locals.t;
    const fmt = res.locals.fmt;
    const place = placeName(t, municipality);
    const headline = execution.find((e) => !e.partial && e.execution_pct != null) ?? execution.find((e) => e.execution_pct != null) ?? null;
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
    res.render('municipalities/search', {
      title: res.locals.t('municipalities:search.title'),
      docTitle: shown ? res.locals.t('seo:search.title', { q: shown }) : undefined,
      description: shown ? res.locals.t('seo:search.description', { q: shown }) : undefined,
      noindex: true,
      results,
    });
  },
});
