import { z } from 'zod';
import { api, ApiOperation, operation } from '../../lib/api';
import { sendRows } from '../../lib/http';
import { MunicipalityListQuery, Ubigeo } from './municipalities.schemas';
import type { MunicipalitiesService } from './municipalities.service';

/** A municipality as open data (the fields and their order are the CSV columns). */
export const MunicipalityRow = z.object({
  ubigeo: api.ubigeo(),
  name: z.string().describe('name of the municipality as the MEF lists it'),
  district: z.string().describe('district (for a provincial municipality, its capital district)'),
  type: z.enum(['provincial', 'distrital']).describe('provincial or district municipality'),
  department_code: z.string().describe('INEI department code (2 digits)'),
  department: z.string().describe('department name'),
  province_code: z.string().describe('INEI province code (4 digits)'),
  province: z.string().describe('province name'),
  sec_ejec: z.string().nullable().describe('MEF executing unit code (SEC_EJEC), null when unknown'),
  capital: z.string().describe('capital town'),
  capital_category: z.string().nullable().describe('INEI category of the capital (ciudad, villa, pueblo…), null when unknown'),
  population: z.number().int().describe('inhabitants, INEI projection at 2025-06-30'),
  surface_km2: z.number().nullable().describe('surface in km²'),
  altitude_m: z.number().nullable().describe('altitude of the capital in metres above sea level'),
  latitude: z.number().nullable().describe('latitude of the capital, decimal degrees (WGS 84)'),
  longitude: z.number().nullable().describe('longitude of the capital, decimal degrees (WGS 84)'),
});
export const MUNICIPALITY_FIELDS = Object.keys(MunicipalityRow.shape);
const SOURCE = 'INEI, Directorio Nacional de Municipalidades 2025 (población proyectada al 30/06/2025)';

const toApi = (m: Record<string, unknown>) => ({
  ...m,
  name: m.name_mef,
  population: Number(m.population),
  surface_km2: m.surface_km2 == null ? null : Number(m.surface_km2),
  altitude_m: m.altitude_m == null ? null : Number(m.altitude_m),
  latitude: m.latitude == null ? null : Number(m.latitude),
  longitude: m.longitude == null ? null : Number(m.longitude),
});

/** The `:ubigeo` path parameter of every per-municipality operation (a malformed one is a 404). */
export const UbigeoParams = z.object({ ubigeo: Ubigeo.describe('INEI ubigeo of the municipality (6 digits)') });
export const MUNICIPALITY_NOT_FOUND = 'municipalities:errors.municipality_not_found';

/** GET /api/v1/municipalities[/:ubigeo] — the directory as open data. */
export function municipalitiesApi(svc: MunicipalitiesService): ApiOperation[] {
  return [
    operation({
      id: 'listMunicipalities',
      path: '/municipalities',
      tag: 'municipalities',
      summary: { es: 'Directorio de municipalidades', en: 'Directory of municipalities' },
      description: {
        es: 'Las 1,891 municipalidades (provinciales y distritales) con su población, superficie y capital; filtrables por departamento, provincia, tipo o nombre.',
        en: 'The 1,891 municipalities (provincial and district) with population, surface and capital; filtered by department, province, type or name.',
      },
      query: MunicipalityListQuery,
      response: api.listing(MunicipalityRow, z.object({ count: z.number().int().describe('rows answered'), source: z.string().describe('where the directory comes from') })),
      csv: { columns: MUNICIPALITY_FIELDS },
      example: { query: { department: '15', type: 'provincial' } },
      handle: async ({ query, res }) => {
        const rows = (await svc.list(query)).map((m) => toApi(m as unknown as Record<string, unknown>));
        sendRows(res, query.format, rows, MUNICIPALITY_FIELDS, 'municipalities', { count: rows.length, source: SOURCE });
      },
    }),
    operation({
      id: 'getMunicipality',
      path: '/municipalities/:ubigeo',
      tag: 'municipalities',
      summary: { es: 'Una municipalidad', en: 'One municipality' },
      params: UbigeoParams,
      notFoundKey: MUNICIPALITY_NOT_FOUND,
      notFound: true,
      response: MunicipalityRow,
      example: { params: { ubigeo: '150101' } },
      handle: async ({ params, res }) => {
        const m = toApi((await svc.municipality(params.ubigeo)) as unknown as Record<string, unknown>);
        res.json(Object.fromEntries(MUNICIPALITY_FIELDS.map((f) => [f, m[f as keyof typeof m] ?? null])));
      },
    }),
  ];
}
