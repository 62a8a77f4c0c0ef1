import type { Request, Response } from 'express';
import { parse } from '../../lib/http';
import { DepartmentCode, SearchQuery, Ubigeo, YearQuery } from './municipalities.schemas';
import type { MunicipalitiesService } from './municipalities.service';
import type { SpendingFigures } from './municipalities.types';
import { NotFoundError } from '../../lib/errors';

/** A malformed code in a page URL is simply a page that does not exist. */
function codeOr404<T>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new NotFoundError();
  return r.data as T;
}

export const municipalitiesHandlers = (svc: MunicipalitiesService, spending: SpendingFigures, scores?: (ubigeo: string) => Promise<Array<Record<string, unknown>>>) => ({
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
    const year = y ?? (await spending.defaultYear());
    const [provinces, municipalities, provinceRanking] = await Promise.all([
      svc.provinces(code),
      year ? spending.ranking({ level: 'municipality', year, department: code }) : null,
      year ? spending.ranking({ level: 'province', year, department: code }) : null,
    ]);
    const provExec = new Map((provinceRanking?.rows ?? []).map((r) => [r.code, r]));
    res.render('municipalities/department', {
      title: department.name,
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
    const municipality = await svc.municipality(ubigeo);
    const execution = await spending.forMunicipality(ubigeo);
    const scoreRows = scores ? await scores(ubigeo) : [];
    // A provincial municipality also serves province-wide functions: show both populations.
    const provincePopulation =
      municipality.type === 'provincial' ? (await svc.provinces(municipality.department_code)).find((p) => p.code === municipality.province_code)?.population ?? null : null;
    res.render('municipalities/show', {
      title: municipality.district,
      municipality,
      execution,
      scores: scoreRows.filter((r) => r.score !== null),
      provincePopulation,
    });
  },

  async search(req: Request, res: Response) {
    const { q } = parse(SearchQuery, req.query);
    const results = await svc.search(q);
    res.render('municipalities/search', { title: res.locals.t('municipalities:search.title'), results });
  },
});
