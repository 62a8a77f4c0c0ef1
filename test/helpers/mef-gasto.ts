import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateMefGasto, GenerateOptions } from '../../src/modules/spending/mef-gasto.generator';

let n = 0;

/** A small synthetic MEF gasto file in the test temp folder. */
export async function syntheticFile(opts: Omit<GenerateOptions, 'out'> & { name?: string }): Promise<string> {
  const dir = process.env.RA_TEST_TMP ?? fs.mkdtempSync('/tmp/ra-');
  const out = path.join(dir, `${opts.name ?? 'gasto'}-${process.pid}-${n++}.csv`);
  await generateMefGasto({ ...opts, out });
  return out;
}

/** Expected sums (céntimos) per ubigeo of the municipal rows of a file, computed independently. */
export function expectedTotals(file: string): Map<string, { pim: number; devengado: number; pia: number }> {
  const rows = parse(fs.readFileSync(file), { columns: true, bom: true }) as Record<string, string>[];
  const out = new Map<string, { pim: number; devengado: number; pia: number }>();
  for (const r of rows) {
    if (r.NIVEL_GOBIERNO !== 'M') continue;
    const u = r.DEPARTAMENTO_EJECUTORA.padStart(2, '0') + r.PROVINCIA_EJECUTORA.padStart(2, '0') + r.DISTRITO_EJECUTORA.padStart(2, '0');
    const t = out.get(u) ?? { pim: 0, devengado: 0, pia: 0 };
    t.pim += Math.round(Number(r.MONTO_PIM) * 100);
    t.pia += Math.round(Number(r.MONTO_PIA) * 100);
    t.devengado += Math.round(Number(r.MONTO_DEVENGADO) * 100);
    out.set(u, t);
  }
  return out;
}

/** Rewrites one cell (data row `row` counted as a spreadsheet does: header = 1) of a generated file. */
export function withCell(file: string, row: number, column: string, value: string, suffix: string): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const header = lines[0].split(',');
  const i = header.indexOf(column);
  const cells = parse(lines[row - 1])[0] as string[];
  cells[i] = value;
  lines[row - 1] = cells.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
  const out = file.replace(/\.csv$/, `-${suffix}.csv`);
  fs.writeFileSync(out, lines.join('\n'));
  return out;
}

/**
 * The parser worker compiled to JavaScript (jest runs TypeScript sources, which a worker thread
 * cannot load): transpiled into node_modules/.cache so that its requires resolve.
 */
export function compiledWorker(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a test needs the worker
  const ts = require('typescript') as typeof import('typescript');
  const root = path.resolve(__dirname, '..', '..');
  const out = path.join(root, 'node_modules', '.cache', `ra-mef-worker-${process.pid}`);
  fs.mkdirSync(out, { recursive: true });
  for (const name of ['mef-gasto.worker', 'mef-gasto.rows', 'mef-gasto.csv']) {
    const src = fs.readFileSync(path.join(root, 'src', 'modules', 'spending', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    fs.writeFileSync(path.join(out, `${name}.js`), js);
  }
  return path.join(out, 'mef-gasto.worker.js');
}

/** The seven MEF amount columns of a row where only PIM and devengado matter (PIA = PIM; the later stages = devengado). */
export const mefAmounts = (pim: number, devengado: number) => ({
  pia: pim,
  pim,
  certificacion: devengado,
  compromiso_anual: devengado,
  atencion_compromiso_mensual: devengado,
  devengado,
  girado: devengado,
});
