import type { Db } from '../../db';
import { NotFoundError } from '../../lib/errors';
import { foldForSearch } from '../../lib/text';
import * as q from './municipalities.queries';
import type { MunicipalityFilter, Predecessor } from './municipalities.types';

type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;

/**
 * `memo`: a per-data-version memo (the spending module's: predecessors are written by the MEF
 * history and revenue imports, which move that version). Without one, every call reads the table.
 */
export function createMunicipalitiesService({ db, memo = (_key, load) => load() }: { db: Db; memo?: Memo }) {
  /** Every predecessor, by its own code and by its successor's (a dozen rows: one read per data version). */
  const predecessors = () =>
    memo('predecessors', async () => {
      const all = await q.listPredecessors(db, {});
      const bySuccessor = new Map<string, Predecessor[]>();
      for (const p of all) bySuccessor.set(p.successor_ubigeo, [...(bySuccessor.get(p.successor_ubigeo) ?? []), p]);
      return { byCode: new Map(all.map((p) => [p.ubigeo, p])), bySuccessor };
    });
  const directory = () => memo('directory', async () => new Map((await q.listMunicipalities(db)).map((m) => [m.ubigeo, m])));
  return {
    departments: () => memo('departments', () => q.listDepartments(db)),

    async department(code: string) {
      const d = await q.findDepartment(db, code);
      if (!d) throw new NotFoundError('municipalities:errors.department_not_found', { code });
      return d;
    },

    // Reference data with a count: read once per data version (a provincial municipality's page reads it for its population).
    provinces: (departmentCode?: string) => memo(`provinces:${departmentCode ?? '*'}`, () => q.listProvinces(db, departmentCode)),

    async province(code: string) {
      const p = await q.findProvince(db, code);
      if (!p) throw new NotFoundError('municipalities:errors.province_not_found', { code });
      return p;
    },

    list(filter: MunicipalityFilter) {
      return q.listMunicipalities(db, { ...filter, q: filter.q ? foldForSearch(filter.q) || undefined : undefined });
    },

    async municipality(ubigeo: string) {
      // The directory changes only with the reference data: one read of all of it per data version.
      const m = (await directory()).get(ubigeo);
      if (!m) throw new NotFoundError('municipalities:errors.municipality_not_found', { ubigeo });
      return m;
    },

    /** Accent- and case-insensitive search over municipalities, provinces and departments. */
    async search(text: string, limit = 50) {
      // A code finds its municipality (6 digits, the ubigeo), province (4) or department (2).
      const code = text.trim();
      if (/^\d{6}$/.test(code)) {
        const m = await q.findMunicipality(db, code);
        return { query: text, municipalities: m ? [m] : [], total: m ? 1 : 0, provinces: [], departments: [] };
      }
      if (/^\d{4}$/.test(code)) {
        const p = await q.findProvince(db, code);
        return { query: text, municipalities: [], total: 0, provinces: p ? [{ code: p.code, name: p.name, department: p.department }] : [], departments: [] };
      }
      if (/^\d{2}$/.test(code)) {
        const d = await q.findDepartment(db, code);
        return { query: text, municipalities: [], total: 0, provinces: [], departments: d ? [{ code: d.code, name: d.name }] : [] };
      }
      const folded = foldForSearch(text);
      if (!folded) return { query: text, municipalities: [], total: 0, provinces: [], departments: [] };
      const [municipalities, places] = await Promise.all([q.listMunicipalities(db, { q: folded }, 500).then((rows) => rows), q.searchPlaces(db, folded, 20)]);
      const score = (name: string) => {
        const n = foldForSearch(name);
        return n === folded ? 0 : n.startsWith(folded) ? 1 : 2;
      };
      municipalities.sort((a, b) => score(a.district) - score(b.district) || b.population - a.population);
      return { query: text, municipalities: municipalities.slice(0, limit), total: municipalities.length, ...places };
    },

    counts: () => q.countDirectory(db),

    /** A predecessor municipality by its code (undefined when there is none). */
    predecessor: async (ubigeo: string): Promise<Predecessor | undefined> => (await predecessors()).byCode.get(ubigeo),
    /** Reads what is kept per data version (the directory, the predecessors) ahead of the first page. */
    warm: () => Promise.all([directory(), predecessors()]),
    /** The predecessors of a municipality of today's directory. */
    predecessorsOf: async (successor: string): Promise<Predecessor[]> => (await predecessors()).bySuccessor.get(successor) ?? [],
  };
}

export type MunicipalitiesService = ReturnType<typeof createMunicipalitiesService>;
