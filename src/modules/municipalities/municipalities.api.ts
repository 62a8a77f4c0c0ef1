import { Request, Router } from 'express';
import type { z } from 'zod';
import { parse, sendRows } from '../../lib/http';
import { NotFoundError } from '../../lib/errors';
import { Ubigeo as AnyUbigeo } from '../../lib/schemas';
import { MunicipalityListQuery, Ubigeo } from './municipalities.schemas';
import type { MunicipalitiesService } from './municipalities.service';

export const MUNICIPALITY_FIELDS = [
  'ubigeo',
  'name',
  'district',
  'type',
  'department_code',
  'department',
  'province_code',
  'province',
  'sec_ejec',
  'capital',
  'capital_category',
  'population',
  'surface_km2',
  'altitude_m',
  'latitude',
  'longitude',
];

const toApi = (m: Record<string, unknown>) => ({
  ...m,
  name: m.name_mef,
  population: Number(m.population),
  surface_km2: m.surface_km2 == null ? null : Number(m.surface_km2),
  altitude_m: m.altitude_m == null ? null : Number(m.altitude_m),
  latitude: m.latitude == null ? null : Number(m.latitude),
  longitude: m.longitude == null ? null : Number(m.longitude),
});

/**
 * The municipality an API request names in `:ubigeo`, with the request's query parsed by `schema`:
 * a malformed ubigeo is a 404, then an invalid query a 400, then an unknown municipality a 404.
 */
export async function municipalityRequest<T extends z.ZodType>(municipalities: MunicipalitiesService, req: Request, schema: T): Promise<{ ubigeo: string; q: z.infer<T> }> {
  const ubigeo = AnyUbigeo.safeParse(req.params.ubigeo);
  if (!ubigeo.success) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo: req.params.ubigeo });
  const q = parse(schema, req.query);
  await municipalities.municipality(ubigeo.data);
  return { ubigeo: ubigeo.data, q };
}

/** GET /api/v1/municipalities[/:ubigeo] — the directory as open data. */
export function municipalitiesApi(svc: MunicipalitiesService): Router {
  const r = Router();
  r.get('/municipalities', async (req, res) => {
    const q = parse(MunicipalityListQuery, req.query);
    const rows = (await svc.list(q)).map((m) => toApi(m as unknown as Record<string, unknown>));
    sendRows(res, q.format, rows, MUNICIPALITY_FIELDS, 'municipalities', {
      count: rows.length,
      source: 'INEI, Directorio Nacional de Municipalidades 2025 (población proyectada al 30/06/2025)',
    });
  });
  r.get('/municipalities/:ubigeo', async (req, res) => {
    const ubigeo = Ubigeo.safeParse(req.params.ubigeo);
    if (!ubigeo.success) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo: req.params.ubigeo });
    const m = toApi((await svc.municipality(ubigeo.data)) as unknown as Record<string, unknown>);
    res.json(Object.fromEntries(MUNICIPALITY_FIELDS.map((f) => [f, m[f as keyof typeof m] ?? null])));
  });
  return r;
}
