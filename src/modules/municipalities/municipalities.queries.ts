import type { Db } from '../../db';
import type { Department, Municipality, MunicipalityFilter, Predecessor, Province } from './municipalities.types';

const MUNI_COLUMNS = [
  'm.ubigeo',
  'm.department_code',
  'd.name as department',
  'm.province_code',
  'p.name as province',
  'm.district',
  'm.type',
  'm.name_mef',
  'm.sec_ejec',
  'm.capital',
  'm.capital_category',
  'm.population',
  'm.surface_km2',
  'm.altitude_m',
  'm.latitude',
  'm.longitude',
];

const DEPT_COLUMNS = ['code', 'name', 'name_mef', 'iso_3166_2', 'capital', 'population', 'surface_km2', 'latitude', 'longitude'];

/** Escapes LIKE wildcards in a user-supplied fragment (the value is still bound). */
const likeFragment = (s: string) => `%${s.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** All departments ordered by name. */
export function listDepartments(db: Db): Promise<Department[]> {
  return db('departments').select(DEPT_COLUMNS).orderBy('name');
}

export function findDepartment(db: Db, code: string): Promise<Department | undefined> {
  return db('departments').where({ code }).first(DEPT_COLUMNS);
}

/** Provinces of a department with the number of municipalities in each. */
export function listProvinces(db: Db, departmentCode?: string): Promise<Province[]> {
  const q = db('provinces as p')
    .leftJoin('municipalities as m', 'm.province_code', 'p.code')
    .groupBy('p.code', 'p.department_code', 'p.name', 'p.capital', 'p.population', 'p.surface_km2')
    .select('p.code', 'p.department_code', 'p.name', 'p.capital', 'p.population', 'p.surface_km2')
    .count({ municipality_count: 'm.ubigeo' })
    .orderBy('p.code');
  if (departmentCode) q.where('p.department_code', departmentCode);
  return q as unknown as Promise<Province[]>;
}

/** One province with its department's name and the number of its municipalities. */
export async function findProvince(db: Db, code: string): Promise<(Province & { department: string }) | undefined> {
  const row = await db('provinces as p')
    .join('departments as d', 'd.code', 'p.department_code')
    .leftJoin('municipalities as m', 'm.province_code', 'p.code')
    .where('p.code', code)
    .groupBy('p.code', 'p.department_code', 'p.name', 'p.capital', 'p.population', 'p.surface_km2', 'd.name')
    .select('p.code', 'p.department_code', 'p.name', 'p.capital', 'p.population', 'p.surface_km2', 'd.name as department')
    .count({ municipality_count: 'm.ubigeo' })
    .first();
  return row ? ({ ...row, municipality_count: Number(row.municipality_count) } as Province & { department: string }) : undefined;
}

/** Municipalities matching the filter; `q` must already be folded (see foldForSearch). */
export function listMunicipalities(db: Db, f: MunicipalityFilter = {}, limit?: number): Promise<Municipality[]> {
  const q = db('municipalities as m').join('departments as d', 'd.code', 'm.department_code').join('provinces as p', 'p.code', 'm.province_code').select(MUNI_COLUMNS).orderBy('m.ubigeo');
  if (f.department) q.where('m.department_code', f.department);
  if (f.province) q.where('m.province_code', f.province);
  if (f.type) q.where('m.type', f.type);
  if (f.q) for (const word of f.q.split(' ')) q.whereRaw("m.name_search like ? escape '!'", [likeFragment(word)]);
  if (limit) q.limit(limit);
  return q;
}

export function findMunicipality(db: Db, ubigeo: string): Promise<Municipality | undefined> {
  return db('municipalities as m').join('departments as d', 'd.code', 'm.department_code').join('provinces as p', 'p.code', 'm.province_code').where('m.ubigeo', ubigeo).first(MUNI_COLUMNS);
}

/** Departments and provinces whose folded name contains every word of `folded`. */
export async function searchPlaces(db: Db, folded: string, limit: number) {
  const words = folded.split(' ');
  const dq = db('departments').select('code', 'name').orderBy('name').limit(limit);
  const pq = db('provinces as p').join('departments as d', 'd.code', 'p.department_code').select('p.code', 'p.name', 'd.name as department').orderBy('p.name').limit(limit);
  for (const w of words) {
    dq.whereRaw("name_search like ? escape '!'", [likeFragment(w)]);
    pq.whereRaw("p.name_search like ? escape '!'", [likeFragment(w)]);
  }
  const [departments, provinces] = await Promise.all([dq, pq]);
  return { departments: departments as { code: string; name: string }[], provinces: provinces as { code: string; name: string; department: string }[] };
}

export async function countDirectory(db: Db) {
  const [d, p, m] = await Promise.all([db('departments').count({ n: '*' }).first(), db('provinces').count({ n: '*' }).first(), db('municipalities').select('type').count({ n: '*' }).groupBy('type')]);
  const byType = Object.fromEntries((m as { type: string; n: number }[]).map((r) => [r.type, Number(r.n)]));
  return {
    departments: Number(d?.n ?? 0),
    provinces: Number(p?.n ?? 0),
    provincial: byType.provincial ?? 0,
    distrital: byType.distrital ?? 0,
    municipalities: (byType.provincial ?? 0) + (byType.distrital ?? 0),
  };
}

const PREDECESSOR_COLUMNS = [
  'p.ubigeo',
  'p.sec_ejec',
  'p.name_mef',
  'p.department_code',
  'p.province_code',
  'p.first_year',
  'p.last_year',
  'p.successor_ubigeo',
  'm.district as successor_district',
  'm.name_mef as successor_name_mef',
  'd.name as department',
];

const predecessorRow = (r: Record<string, unknown>): Predecessor => ({
  ubigeo: String(r.ubigeo),
  sec_ejec: String(r.sec_ejec),
  name_mef: String(r.name_mef),
  department_code: String(r.department_code),
  province_code: String(r.province_code),
  first_year: Number(r.first_year),
  last_year: Number(r.last_year),
  successor_ubigeo: String(r.successor_ubigeo),
  successor_district: String(r.successor_district),
  successor_name_mef: String(r.successor_name_mef),
  department: String(r.department),
});

/** Predecessor municipalities: one by its code, or those of a successor. */
export async function listPredecessors(db: Db, where: { ubigeo?: string; successor?: string }): Promise<Predecessor[]> {
  const query = db('municipality_predecessors as p')
    .join('municipalities as m', 'm.ubigeo', 'p.successor_ubigeo')
    .join('departments as d', 'd.code', 'p.department_code')
    .select(PREDECESSOR_COLUMNS)
    .orderBy('p.ubigeo');
  if (where.ubigeo) query.where('p.ubigeo', where.ubigeo);
  if (where.successor) query.where('p.successor_ubigeo', where.successor);
  return (await query).map(predecessorRow);
}
