import type { Db } from '../../db';
import { readReferenceCsv } from '../../lib/reference-files';
import { foldForSearch } from '../../lib/text';

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

/** The columns every level of the directory has: its capital, population, surface and centre. */
const place = (r: Record<string, string>) => ({
  capital: r.capital,
  population: Number(r.population_2025),
  surface_km2: num(r.surface_km2),
  latitude: num(r.latitude),
  longitude: num(r.longitude),
});

type Row = Record<string, string>;

/** The directory's three levels, in insert order (a province needs its department): file, table and columns beyond `place`. */
const LEVELS = [
  {
    table: 'departments',
    file: 'ubigeo_departamentos.csv',
    chunk: 100,
    columns: (d: Row) => ({ code: d.department_code, name: d.department, name_search: foldForSearch(d.department), name_mef: d.name_mef, iso_3166_2: d.iso_3166_2 }),
  },
  {
    table: 'provinces',
    file: 'ubigeo_provincias.csv',
    chunk: 200,
    columns: (p: Row) => ({ code: p.province_code, department_code: p.department_code, name: p.province, name_search: foldForSearch(p.province) }),
  },
  {
    table: 'municipalities',
    file: 'ubigeo_distritos.csv',
    chunk: 200,
    columns: (m: Row) => ({
      ubigeo: m.ubigeo,
      department_code: m.department_code,
      province_code: m.province_code,
      district: m.district,
      name_search: foldForSearch(m.district),
      type: m.municipality_type === 'provincial' ? 'provincial' : 'distrital',
      name_mef: m.municipality_name_mef,
      sec_ejec: m.sec_ejec_mef || null,
      capital_category: m.capital_category || null,
      altitude_m: num(m.altitude_m),
    }),
  },
] as const;

/** Loads the INEI directory (25 departments, 196 provinces, 1 891 municipalities) in one transaction. */
export async function loadDirectory(db: Db): Promise<{ departments: number; provinces: number; municipalities: number }> {
  const levels = LEVELS.map((l) => ({ ...l, rows: readReferenceCsv(l.file) }));
  await db.transaction(async (trx) => {
    for (const l of levels)
      await trx.batchInsert(
        l.table,
        l.rows.map((r) => ({ ...l.columns(r), ...place(r) })),
        l.chunk,
      );
  });
  const [departments, provinces, municipalities] = levels.map((l) => l.rows.length);
  return { departments, provinces, municipalities };
}

/** Loads the predecessor municipalities of past years (not in today's directory), each linked to its successor. */
export async function loadPredecessors(db: Db): Promise<number> {
  const rows = readReferenceCsv('municipality_predecessors.csv').map((r) => ({
    ubigeo: r.predecessor_ubigeo,
    sec_ejec: r.predecessor_sec_ejec,
    name_mef: r.predecessor_name_mef,
    department_code: r.department_code,
    province_code: r.province_code,
    first_year: Number(r.first_year),
    last_year: Number(r.last_year),
    successor_ubigeo: r.successor_ubigeo,
  }));
  await db('municipality_predecessors').insert(rows).onConflict('ubigeo').merge();
  return rows.length;
}
