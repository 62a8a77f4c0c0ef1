import fs from 'node:fs';
import { once } from 'node:events';
import { readReferenceCsv } from '../../lib/reference-files';
import { mefGastoColumns } from './mef-gasto.importer';
import { SYNTHETIC_MARKER } from './mef-gasto.rows';

/**
 * SYNTHETIC data: writes a CSV in the exact layout of MEF's "Presupuesto y Ejecución de Gasto"
 * (63 columns) with codes from the bundled mef_*.csv lists and plausible amounts. It is for tests
 * and benchmarks only; the figures are invented and must never be shown as real data.
 */
export interface GenerateOptions {
  rows: number;
  year: number;
  out: string;
  seed?: number;
  /** Municipalities to use (ubigeos); default: a deterministic spread, always including 150101. */
  ubigeos?: string[];
  municipalities?: number;
  encoding?: 'utf-8' | 'utf-8-bom' | 'latin1';
  /** One line in `otherLevelsEvery` belongs to a regional government (to be skipped on import). 0 = none. */
  otherLevelsEvery?: number;
  /** Scales every amount (e.g. 1.1 to make a "newer" file of the same year). */
  scale?: number;
  /** Last month with execution (default 12). */
  lastMonth?: number;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const money = (soles: number) => (Math.round(soles * 100) / 100).toFixed(2);

// Share of the year's devengado executed in each month: slow start, December peak.
const MONTH_WEIGHTS = [0.04, 0.05, 0.07, 0.07, 0.08, 0.08, 0.08, 0.09, 0.09, 0.1, 0.1, 0.15];

const PRODUCT_WORDS = ['ACCIONES COMUNES', 'FAMILIAS CON SERVICIOS', 'POBLACION ATENDIDA', 'INSTITUCIONES CON CAPACIDADES', 'VIAS MANTENIDAS'];
const PROJECT_WORDS = ['MEJORAMIENTO', 'CREACION', 'AMPLIACION', 'RECUPERACION', 'INSTALACION'];
const PROJECT_OBJECTS = [
  'DEL SERVICIO DE AGUA POTABLE Y SANEAMIENTO',
  'DE LA TRANSITABILIDAD VEHICULAR Y PEATONAL',
  'DEL SERVICIO DE LIMPIEZA PUBLICA',
  'DE LOS SERVICIOS DEPORTIVOS Y RECREATIVOS',
  'DEL SERVICIO DE SEGURIDAD CIUDADANA',
  'DEL SERVICIO EDUCATIVO DE NIVEL INICIAL',
  'DE LOS ESPACIOS PUBLICOS Y AREAS VERDES',
  'DEL CAMINO VECINAL',
];

/** Writes the synthetic file; resolves with the number of data rows and bytes written. */
export async function generateMefGasto(opts: GenerateOptions): Promise<{ rows: number; bytes: number; municipalities: string[] }> {
  const rand = mulberry32(opts.seed ?? opts.year);
  const scale = opts.scale ?? 1;
  const lastMonth = opts.lastMonth ?? 12;
  const otherEvery = opts.otherLevelsEvery ?? 40;
  const columns = mefGastoColumns();
  const col = Object.fromEntries(columns.map((c, i) => [c, i])) as Record<string, number>;

  const districts = readReferenceCsv('ubigeo_distritos.csv');
  const byUbigeo = new Map(districts.map((d) => [d.ubigeo, d]));
  let chosen: Record<string, string>[];
  if (opts.ubigeos?.length) {
    chosen = opts.ubigeos.map((u) => {
      const d = byUbigeo.get(u);
      if (!d) throw new Error(`unknown ubigeo ${u}`);
      return d;
    });
  } else {
    const n = Math.min(districts.length, Math.max(1, opts.municipalities ?? Math.round(opts.rows / 2000)));
    const step = districts.length / n;
    const set = new Set<string>(['150101']);
    for (let i = 0; set.size < n; i++) set.add(districts[Math.floor(i * step) % districts.length].ubigeo);
    chosen = [...set].map((u) => byUbigeo.get(u)!);
  }

  const categories = readReferenceCsv('mef_categoria_presupuestal.csv');
  const catCycle = [...categories, ...Array(10).fill(categories.find((c) => c.code === '9002')), ...Array(4).fill(categories.find((c) => c.code === '9001'))];
  const fdg = readReferenceCsv('mef_funcion_division_grupo.csv').filter((r) => !['01', '02', '04'].includes(r.funcion));
  const rubros = readReferenceCsv('mef_rubros.csv');
  const rubroWeights: Record<string, number> = { '07': 6, '08': 5, '18': 6, '09': 4, '00': 2, '19': 2, '13': 1, '04': 1, '15': 1 };
  const rubroCycle = rubros.flatMap((r) => Array(rubroWeights[r.code] ?? 1).fill(r));
  const fuentes = new Map(readReferenceCsv('mef_fuentes_financiamiento.csv').map((f) => [f.code, f.name_mef]));
  const otros = readReferenceCsv('mef_otros_codigos.csv');
  const generica = new Map(otros.filter((o) => o.list === 'generica').map((o) => [o.code, o.name_mef]));
  const activityGenericas = ['1', '3', '3', '3', '2', '4', '5', '3', '1', '8', '7'];

  const out = fs.createWriteStream(opts.out);
  let bytes = 0;
  const write = async (s: string) => {
    const buf = opts.encoding === 'latin1' ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
    bytes += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  if (opts.encoding === 'utf-8-bom') await write('\ufeff');
  await write(`${columns.join(',')}\n`);

  let written = 0;
  let chunk: string[] = [];
  const M = chosen.length;
  const row = new Array<string>(columns.length);
  for (let line = 0; written < opts.rows; line++) {
    const mi = line % M;
    const muni = chosen[mi];
    const j = Math.floor(line / M);
    const k = Math.floor(j / 2); // two specific items per key: they collapse on import
    const regional = otherEvery > 0 && line % otherEvery === otherEvery - 1;
    const cat = catCycle[k % catCycle.length];
    const isProject = cat.code !== '9001' && (k * 7 + mi) % 10 < 3;
    const f = fdg[(k * 31 + mi * 7) % fdg.length];
    const rub = rubroCycle[(k * 13 + mi) % rubroCycle.length];
    const gen = isProject ? '6' : activityGenericas[(k + mi) % activityGenericas.length];
    const cui = String(2000000 + ((Number(muni.ubigeo) * 37 + k * 101) % 600000));
    const product = isProject ? cui : cat.code === '9002' ? '3999999' : cat.code === '9001' ? '3999999' : String(3000001 + (k % 40));
    const productName = isProject
      ? `${PROJECT_WORDS[k % PROJECT_WORDS.length]} ${PROJECT_OBJECTS[(k + mi) % PROJECT_OBJECTS.length]} EN EL DISTRITO DE ${muni.district.toUpperCase()} - ${muni.province.toUpperCase()} - ${muni.department.toUpperCase()}`
      : cat.code === '9002' || cat.code === '9001'
        ? 'SIN PRODUCTO'
        : `PRODUCTO ${3000001 + (k % 40)} - ${PRODUCT_WORDS[k % PRODUCT_WORDS.length]}`;
    const size = Math.sqrt(Number(muni.population_2025) || 1000);
    const pim = Math.exp(rand() * 3) * size * 400 * scale;
    const pia = pim * (0.6 + rand() * 0.45);
    const exec = isProject ? 0.35 + rand() * 0.55 : 0.7 + rand() * 0.28;
    const dep = muni.ubigeo.slice(0, 2);
    const prov = muni.ubigeo.slice(2, 4);
    const dist = muni.ubigeo.slice(4, 6);

    row.fill('');
    row[col.ANO_EJE] = String(opts.year);
    row[col.NIVEL_GOBIERNO] = regional ? 'R' : 'M';
    row[col.NIVEL_GOBIERNO_NOMBRE] = regional ? 'GOBIERNOS REGIONALES' : 'GOBIERNOS LOCALES';
    row[col.SECTOR] = regional ? '99' : '';
    // Real M rows leave SECTOR_NOMBRE empty; the importer refuses this marker unless told otherwise.
    row[col.SECTOR_NOMBRE] = regional ? 'GOBIERNOS REGIONALES' : SYNTHETIC_MARKER;
    row[col.PLIEGO] = regional ? `4${dep}` : muni.sec_ejec_mef;
    row[col.PLIEGO_NOMBRE] = regional ? `GOBIERNO REGIONAL ${muni.department.toUpperCase()}` : muni.municipality_name_mef;
    row[col.SEC_EJEC] = regional ? String(800 + Number(dep)) : muni.sec_ejec_mef;
    row[col.EJECUTORA] = '001';
    row[col.EJECUTORA_NOMBRE] = row[col.PLIEGO_NOMBRE];
    // Unpadded codes, as some MEF extracts have them.
    row[col.DEPARTAMENTO_EJECUTORA] = String(Number(dep));
    row[col.DEPARTAMENTO_EJECUTORA_NOMBRE] = muni.department.toUpperCase();
    row[col.PROVINCIA_EJECUTORA] = prov;
    row[col.PROVINCIA_EJECUTORA_NOMBRE] = muni.province.toUpperCase();
    row[col.DISTRITO_EJECUTORA] = dist;
    row[col.DISTRITO_EJECUTORA_NOMBRE] = muni.district.toUpperCase();
    row[col.SEC_FUNC] = String(k + 1);
    row[col.PROGRAMA_PPTO] = cat.code;
    row[col.PROGRAMA_PPTO_NOMBRE] = cat.name_mef;
    row[col.TIPO_ACT_PROY] = isProject ? '2' : '3';
    row[col.TIPO_ACT_PROY_NOMBRE] = isProject ? 'PROYECTO' : 'ACTIVIDAD';
    row[col.PRODUCTO_PROYECTO] = product;
    row[col.PRODUCTO_PROYECTO_NOMBRE] = productName;
    row[col.ACTIVIDAD_ACCION_OBRA] = isProject ? '6000032' : '5000276';
    row[col.ACTIVIDAD_ACCION_OBRA_NOMBRE] = isProject ? 'EXPEDIENTE TECNICO Y EJECUCION DE OBRA' : 'GESTION DEL PROGRAMA';
    row[col.FUNCION] = f.funcion;
    row[col.FUNCION_NOMBRE] = f.funcion_nombre;
    row[col.DIVISION_FUNCIONAL] = f.division_funcional;
    row[col.DIVISION_FUNCIONAL_NOMBRE] = f.division_funcional_nombre;
    row[col.GRUPO_FUNCIONAL] = f.grupo_funcional;
    row[col.GRUPO_FUNCIONAL_NOMBRE] = f.grupo_funcional_nombre;
    row[col.META] = String(k + 1).padStart(5, '0');
    row[col.FINALIDAD] = String(100000 + k);
    row[col.META_NOMBRE] = productName;
    row[col.DEPARTAMENTO_META] = dep;
    row[col.DEPARTAMENTO_META_NOMBRE] = muni.department.toUpperCase();
    row[col.FUENTE_FINANCIAMIENTO] = rub.fuente_code;
    row[col.FUENTE_FINANCIAMIENTO_NOMBRE] = fuentes.get(rub.fuente_code) ?? '';
    row[col.RUBRO] = rub.code;
    row[col.RUBRO_NOMBRE] = rub.name_mef;
    row[col.TIPO_RECURSO] = '0';
    row[col.TIPO_RECURSO_NOMBRE] = 'SIN TIPO DE RECURSO';
    row[col.CATEGORIA_GASTO] = gen === '8' ? '7' : gen === '6' || gen === '7' ? '6' : '5';
    row[col.CATEGORIA_GASTO_NOMBRE] = gen === '8' ? 'SERVICIO DE LA DEUDA' : gen === '6' || gen === '7' ? 'GASTOS DE CAPITAL' : 'GASTOS CORRIENTES';
    row[col.TIPO_TRANSACCION] = '2';
    row[col.GENERICA] = gen;
    row[col.GENERICA_NOMBRE] = generica.get(gen) ?? '';
    row[col.SUBGENERICA] = '1';
    row[col.SUBGENERICA_NOMBRE] = 'SUBGENERICA';
    row[col.SUBGENERICA_DET] = String(1 + (j % 2));
    row[col.SUBGENERICA_DET_NOMBRE] = 'SUBGENERICA DETALLE';
    row[col.ESPECIFICA] = '1';
    row[col.ESPECIFICA_NOMBRE] = 'ESPECIFICA';
    row[col.ESPECIFICA_DET] = String(1 + (j % 2));
    row[col.ESPECIFICA_DET_NOMBRE] = j % 2 ? 'ESPECIFICA DETALLE B' : 'ESPECIFICA DETALLE A';

    for (let month = 0; month <= 12 && written < opts.rows; month++) {
      row[col.MES_EJE] = String(month);
      const executed = month >= 1 && month <= lastMonth;
      const dev = executed ? pim * exec * MONTH_WEIGHTS[month - 1] : 0;
      row[col.MONTO_PIA] = money(month === 0 ? pia : 0);
      row[col.MONTO_PIM] = money(month === 0 ? pim : 0);
      row[col.MONTO_CERTIFICADO] = money(month === 0 ? pim * Math.min(1, exec + 0.05) : 0);
      row[col.MONTO_COMPROMETIDO_ANUAL] = money(month === 0 ? pim * exec : 0);
      row[col.MONTO_COMPROMETIDO] = money(dev * 1.01);
      row[col.MONTO_DEVENGADO] = money(dev);
      row[col.MONTO_GIRADO] = money(dev * 0.97);
      chunk.push(row.map(quote).join(','));
      written++;
      if (chunk.length >= 2000) {
        await write(`${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
  }
  if (chunk.length) await write(`${chunk.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return { rows: written, bytes, municipalities: chosen.map((c) => c.ubigeo) };
}
