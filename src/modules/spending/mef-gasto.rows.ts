import type { RowError } from './consulta-amigable.importer';
import { CsvRange, readCsvRecords } from './mef-gasto.csv';

/**
 * The per-row work of the mef-gasto importer, shared by the inline path and the parser
 * workers: validate one CSV record, map it to a municipality, and sum it into an in-memory
 * aggregate at the fact grain that is handed over (and forgotten) every `flushEvery` keys.
 */
export interface RowContext {
  ix: Record<string, number>;
  ubigeos: string[];
  secEjec: [string, string][];
  maxErrors: number;
  flushEvery: number;
  allowSynthetic: boolean;
  /** Only rows of this municipality are accepted: SEC_EJEC and every ubigeo column must agree. */
  restrict?: { ubigeo: string; secEjec: string | null };
}

export interface Batch {
  /** Flat fact rows: 12 key values then 7 amounts (céntimos) per row. */
  facts: (string | number)[];
  count: number;
  names: [string, string, string][];
  pairs: [number, string[]][];
}

export interface Summary {
  records: number;
  kept: number;
  skipped: number;
  errors: RowError[];
  errorCount: number;
  d1: number;
  d2: number;
  pairs: [number, string[]][];
  maxMonth: [number, number][];
  synthetic: number;
}

/** Written by the synthetic-file generator in SECTOR_NOMBRE (empty for municipalities in real files). */
export const SYNTHETIC_MARKER = 'DATOS SINTETICOS - NO REALES';

/** MEF amount columns in the order of AMOUNT_COLUMNS (pia, pim, certificacion, compromiso_anual, atencion_compromiso_mensual, devengado, girado). */
export const MEF_AMOUNT_COLUMNS = ['MONTO_PIA', 'MONTO_PIM', 'MONTO_CERTIFICADO', 'MONTO_COMPROMETIDO_ANUAL', 'MONTO_COMPROMETIDO', 'MONTO_DEVENGADO', 'MONTO_GIRADO'];

const DIGITS = /^\d+$/;
const AMOUNT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** "1234.5" → 123450 céntimos; empty → 0; null when not a number. */
export function parseMefAmount(raw: string): number | null {
  if (raw === '') return 0;
  if (!AMOUNT.test(raw)) return null;
  return Math.round(Number(raw) * 100);
}

// Order-independent fingerprint of the stored content: the two 32-bit halves of a per-row hash
// are summed over all rows. The hash is fed field by field (no concatenated strings to collect).
let H1 = 0;
let H2 = 0;
function hStr(str: string): void {
  let h1 = H1;
  let h2 = H2;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  H1 = Math.imul(h1 ^ 0x1f, 2654435761);
  H2 = Math.imul(h2 ^ 0x1f, 1597334677);
}
function hNum(n: number): void {
  const lo = (n % 4294967296) | 0;
  const hi = Math.floor(n / 4294967296) | 0;
  H1 = Math.imul(Math.imul(H1 ^ lo, 2654435761) ^ hi, 2654435761);
  H2 = Math.imul(Math.imul(H2 ^ lo, 1597334677) ^ hi, 1597334677);
}
function hEnd(): [number, number] {
  const h1 = Math.imul(H1 ^ (H1 >>> 16), 2246822507) ^ Math.imul(H2 ^ (H2 >>> 13), 3266489909);
  const h2 = Math.imul(H2 ^ (H2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

const NAME_LISTS: [string, string, string][] = [
  // list, code column, name column
  ['category', 'PROGRAMA_PPTO', 'PROGRAMA_PPTO_NOMBRE'],
  ['function', 'FUNCION', 'FUNCION_NOMBRE'],
  ['division', 'DIVISION_FUNCIONAL', 'DIVISION_FUNCIONAL_NOMBRE'],
  ['group', 'GRUPO_FUNCIONAL', 'GRUPO_FUNCIONAL_NOMBRE'],
  ['source', 'FUENTE_FINANCIAMIENTO', 'FUENTE_FINANCIAMIENTO_NOMBRE'],
  ['rubro', 'RUBRO', 'RUBRO_NOMBRE'],
  ['generic', 'GENERICA', 'GENERICA_NOMBRE'],
  ['project', 'PRODUCTO_PROYECTO', 'PRODUCTO_PROYECTO_NOMBRE'],
];

export function createRowProcessor(ctx: RowContext, emit: (b: Batch) => Promise<void>) {
  const { ix } = ctx;
  const ubigeos = new Set(ctx.ubigeos);
  const bySecEjec = new Map(ctx.secEjec);
  const amountIx = MEF_AMOUNT_COLUMNS.map((c) => ix[c]);
  const agg = new Map<string, { key: (string | number)[]; a: number[] }>();
  // Codes already handed over (first name wins): each code's name is sent once per parser.
  const known = NAME_LISTS.map(() => new Set<string>());
  let names: [string, string, string][] = [];
  const scratch = new Array<number>(7).fill(0);
  const codeScratch = new Array<string>(8).fill('');
  const pairs = new Map<number, Set<string>>();
  let newPairs = new Map<number, Set<string>>();
  const maxMonth = new Map<number, number>();
  const s: Summary = { records: 0, kept: 0, skipped: 0, errors: [], errorCount: 0, d1: 0, d2: 0, pairs: [], maxMonth: [], synthetic: 0 };

  const fail = (e: RowError) => {
    s.errorCount++;
    if (s.errors.length < ctx.maxErrors) s.errors.push(e);
  };
  const code = (rec: string[], column: string, width: number, row: number): string => {
    const v = (rec[ix[column]] ?? '').trim();
    if (!DIGITS.test(v) || v.length > width) {
      fail({ row, column, value: v, key: 'import:errors.code', params: { width } });
      return '';
    }
    return v.length === width ? v : v.padStart(width, '0');
  };

  /** Every identifying column of a municipal row names the restricted municipality; else each disagreeing cell is an error. */
  const ownRow = (rec: string[], row: number, own: NonNullable<RowContext['restrict']>, [dep, prov, dist]: string[]): boolean => {
    const before = s.errorCount;
    const sec = (rec[ix.SEC_EJEC] ?? '').trim();
    if (!own.secEjec || !DIGITS.test(sec) || Number(sec) !== Number(own.secEjec))
      fail({ row, column: 'SEC_EJEC', value: sec.slice(0, 20), key: 'import:errors.foreign_row', params: { expected: own.secEjec ?? '—' } });
    const parts: [string, string, string][] = [
      ['DEPARTAMENTO_EJECUTORA', dep, own.ubigeo.slice(0, 2)],
      ['PROVINCIA_EJECUTORA', prov, own.ubigeo.slice(2, 4)],
      ['DISTRITO_EJECUTORA', dist, own.ubigeo.slice(4, 6)],
    ];
    for (const [column, value, expected] of parts) {
      if (!DIGITS.test(value) || value.length > 2 || value.padStart(2, '0') !== expected) fail({ row, column, value: value.slice(0, 20), key: 'import:errors.foreign_row', params: { expected } });
    }
    return s.errorCount === before;
  };

  async function flush(): Promise<void> {
    if (s.errorCount > 0) {
      // The file will be rejected: nothing more is handed over for writing.
      agg.clear();
      names = [];
      return;
    }
    const facts: (string | number)[] = [];
    for (const { key, a } of agg.values()) {
      for (const v of key) facts.push(v);
      for (const v of a) facts.push(v);
    }
    const batch: Batch = {
      facts,
      count: agg.size,
      names,
      pairs: [...newPairs].map(([y, set]) => [y, [...set]]),
    };
    agg.clear();
    names = [];
    newPairs = new Map();
    await emit(batch);
  }

  /** Handles one data record (`row` = its number counted from the first data row of the segment). */
  function push(rec: string[], row: number): Promise<void> | undefined {
    s.records++;
    const nivel = (rec[ix.NIVEL_GOBIERNO] ?? '').trim();
    if (nivel !== 'M') {
      if (nivel === 'E' || nivel === 'R') s.skipped++;
      else fail({ row, column: 'NIVEL_GOBIERNO', value: nivel, key: 'import:errors.nivel' });
      return undefined;
    }
    const before = s.errorCount;
    if (rec[ix.SECTOR_NOMBRE] === SYNTHETIC_MARKER) {
      if (s.synthetic++ === 0 && !ctx.allowSynthetic) fail({ row, column: 'SECTOR_NOMBRE', value: SYNTHETIC_MARKER, key: 'import:errors.synthetic' });
    }
    const yearRaw = (rec[ix.ANO_EJE] ?? '').trim();
    const year = Number(yearRaw);
    if (!/^\d{4}$/.test(yearRaw) || year < 2000 || year > 2100) fail({ row, column: 'ANO_EJE', value: yearRaw, key: 'import:errors.year' });
    const monthRaw = (rec[ix.MES_EJE] ?? '').trim();
    const month = Number(monthRaw);
    if (!/^\d{1,2}$/.test(monthRaw) || month > 12) fail({ row, column: 'MES_EJE', value: monthRaw, key: 'import:errors.month' });

    const dep = (rec[ix.DEPARTAMENTO_EJECUTORA] ?? '').trim();
    const prov = (rec[ix.PROVINCIA_EJECUTORA] ?? '').trim();
    const dist = (rec[ix.DISTRITO_EJECUTORA] ?? '').trim();
    let ubigeo = dep.length <= 2 && prov.length <= 2 && dist.length <= 2 ? dep.padStart(2, '0') + prov.padStart(2, '0') + dist.padStart(2, '0') : '';
    if (ctx.restrict) {
      if (!ownRow(rec, row, ctx.restrict, [dep, prov, dist])) return undefined;
      ubigeo = ctx.restrict.ubigeo;
    } else if (!ubigeos.has(ubigeo)) {
      const sec = (rec[ix.SEC_EJEC] ?? '').trim();
      ubigeo = bySecEjec.get(sec) ?? bySecEjec.get(sec.replace(/^0+/, '')) ?? '';
      if (!ubigeo) fail({ row, column: 'DISTRITO_EJECUTORA', value: `${dep}-${prov}-${dist} / SEC_EJEC ${sec}`, key: 'import:errors.municipality_unknown' });
    }
    const category = code(rec, 'PROGRAMA_PPTO', 4, row);
    const func = code(rec, 'FUNCION', 2, row);
    const division = code(rec, 'DIVISION_FUNCIONAL', 3, row);
    const fgroup = code(rec, 'GRUPO_FUNCIONAL', 4, row);
    const fuente = code(rec, 'FUENTE_FINANCIAMIENTO', 2, row);
    const rubro = code(rec, 'RUBRO', 2, row);
    const generica = code(rec, 'GENERICA', 2, row);
    const tipo = code(rec, 'TIPO_ACT_PROY', 1, row);
    const product = code(rec, 'PRODUCTO_PROYECTO', 20, row);
    const amounts = scratch;
    for (let i = 0; i < 7; i++) {
      const raw = (rec[amountIx[i]] ?? '').trim();
      const v = parseMefAmount(raw);
      if (v === null) fail({ row, column: MEF_AMOUNT_COLUMNS[i], value: raw, key: 'import:errors.mef_amount' });
      amounts[i] = v ?? 0;
    }
    if (s.errorCount > before) return undefined;
    s.kept++;

    let set = pairs.get(year);
    if (!set) pairs.set(year, (set = new Set()));
    if (!set.has(ubigeo)) {
      set.add(ubigeo);
      let np = newPairs.get(year);
      if (!np) newPairs.set(year, (np = new Set()));
      np.add(ubigeo);
    }
    if ((maxMonth.get(year) ?? -1) < month) maxMonth.set(year, month);

    const ks = `${ubigeo}|${year}|${month}|${category}|${func}|${division}|${fgroup}|${fuente}|${rubro}|${generica}|${tipo}|${product}`;
    H1 = 0xdeadbeef;
    H2 = 0x41c6ce57;
    hStr(ks);
    for (let i = 0; i < 7; i++) hNum(amounts[i]);
    hStr(rec[ix.PRODUCTO_PROYECTO_NOMBRE] ?? '');
    const [h1, h2] = hEnd();
    s.d1 = (s.d1 + h1) >>> 0;
    s.d2 = (s.d2 + h2) >>> 0;
    const hit = agg.get(ks);
    if (hit) for (let i = 0; i < 7; i++) hit.a[i] += amounts[i];
    else agg.set(ks, { key: [ubigeo, year, month, category, func, division, fgroup, fuente, rubro, generica, tipo, product], a: amounts.slice() });

    const codes = codeScratch;
    codes[0] = category;
    codes[1] = func;
    codes[2] = division;
    codes[3] = fgroup;
    codes[4] = fuente;
    codes[5] = rubro;
    codes[6] = generica;
    codes[7] = product;
    for (let i = 0; i < 8; i++) {
      if (!known[i].has(codes[i])) {
        known[i].add(codes[i]);
        names.push([NAME_LISTS[i][0], codes[i], (rec[ix[NAME_LISTS[i][2]]] ?? '').trim()]);
      }
    }
    return agg.size >= ctx.flushEvery ? flush() : undefined;
  }

  async function finish(): Promise<Summary> {
    await flush();
    s.pairs = [...pairs].map(([y, set]) => [y, [...set]]);
    s.maxMonth = [...maxMonth];
    return s;
  }

  /** The text stops being CSV at this row (an unclosed quote): the file is refused there. */
  function unreadable(row: number): void {
    fail({ row, column: '', value: '', key: 'import:errors.unreadable' });
  }

  return { push, finish, unreadable, summary: s };
}

/**
 * Reads one byte range of a file (the whole file, or a parser worker's part) into `emit`:
 * every record through the row rules, the header skipped when the range starts with it.
 * Row numbers in the summary count from the first data row of the range.
 */
export async function parseRange(range: CsvRange, skipHeader: boolean, ctx: RowContext, emit: (b: Batch) => Promise<void>, onProgress?: (rows: number, bytes: number) => void): Promise<Summary> {
  const proc = createRowProcessor(ctx, emit);
  const first = skipHeader ? 1 : 0;
  const read = await readCsvRecords(range, (rec, n) => (n > first ? proc.push(rec, n - first) : undefined), onProgress && ((records, bytes) => onProgress(records - first, bytes)));
  if (read.unreadableAt !== null) proc.unreadable(Math.max(1, read.unreadableAt - first));
  return proc.finish();
}
