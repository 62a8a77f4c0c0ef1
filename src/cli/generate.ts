import path from 'node:path';
import { generateMefGasto } from '../modules/spending';

const USAGE = `Usage: npm run generate -- mef-gasto --rows N --year YYYY --out file.csv
         [--seed S] [--municipalities N | --ubigeos 150101,150132] [--encoding utf-8|utf-8-bom|latin1]
         [--scale 1.1] [--last-month 1-12]

Writes a SYNTHETIC file in the exact layout of MEF's "Presupuesto y Ejecución de Gasto" CSV
(63 columns), with codes from reference-data/mef_*.csv and invented, plausible amounts: every
month (0-12), every budget category, every rubro and genérica. For tests and benchmarks only.`;

function main(argv: string[]): Promise<number> | number {
  const [kind, ...rest] = argv;
  if (kind !== 'mef-gasto') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const opt: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1] ?? '';
  const rows = Number(opt.rows);
  const year = Number(opt.year);
  if (!Number.isInteger(rows) || rows < 1 || !/^\d{4}$/.test(opt.year ?? '') || !opt.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const encoding = (opt.encoding ?? 'utf-8') as 'utf-8' | 'utf-8-bom' | 'latin1';
  if (!['utf-8', 'utf-8-bom', 'latin1'].includes(encoding)) {
    process.stderr.write(`--encoding expects utf-8, utf-8-bom or latin1\n`);
    return 2;
  }
  const out = path.resolve(process.env.INIT_CWD ?? process.cwd(), opt.out);
  const started = Date.now();
  return generateMefGasto({
    rows,
    year,
    out,
    seed: opt.seed ? Number(opt.seed) : undefined,
    municipalities: opt.municipalities ? Number(opt.municipalities) : undefined,
    ubigeos: opt.ubigeos ? opt.ubigeos.split(',') : undefined,
    encoding,
    scale: opt.scale ? Number(opt.scale) : undefined,
    lastMonth: opt['last-month'] ? Number(opt['last-month']) : undefined,
  }).then((r) => {
    process.stdout.write(`SYNTHETIC ${out}: ${r.rows} rows, ${(r.bytes / 1e6).toFixed(1)} MB, ${r.municipalities.length} municipalities, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  });
}

if (require.main === module) {
  Promise.resolve(main(process.argv.slice(2))).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
