import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { generateMefGasto } from '../src/modules/spending';
import { benchScores } from './scores';
import { benchPages } from './pages';
import { benchInstances } from './instances';

/**
 * `npm run bench -- import`: generates SYNTHETIC MEF gasto files of 200 000 and 1 000 000 rows
 * and imports each into a fresh SQLite database and, when reachable, a fresh MariaDB database,
 * printing rows/s and peak RSS. Targets: ≥ 50 000 rows/s SQLite, ≥ 25 000 MariaDB, peak RSS
 * < 300 MB and flat with file size. MariaDB: BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306).
 */
const SIZES = (process.env.BENCH_ROWS ?? '200000,1000000').split(',').map(Number);

async function mysqlAdmin(url: URL) {
  try {
    return await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      connectTimeout: 2000,
    });
  } catch {
    return null;
  }
}

async function main(argv: string[]) {
  if (argv[0] === 'scores') return benchScores();
  if (argv[0] === 'pages' && argv.includes('--instances')) return benchInstances(argv.slice(1));
  if (argv[0] === 'pages') return benchPages(argv.slice(1));
  if (argv[0] !== 'import') {
    process.stderr.write('Usage: npm run bench -- import | scores | pages [--mysql] | pages --instances 2 --redis [--sqlite]\n');
    return 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ra-bench-'));
  const child = path.join(__dirname, 'import-child.js');
  const base = new URL(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/');
  const admin = await mysqlAdmin(base);
  if (!admin) process.stdout.write(`MariaDB not reachable at ${base.host}: MariaDB runs SKIPPED\n`);
  const results: Record<string, unknown>[] = [];
  try {
    for (const rows of SIZES) {
      const file = path.join(dir, `gasto-${rows}.csv`);
      const g = await generateMefGasto({ rows, year: 2024, out: file });
      process.stdout.write(`generated SYNTHETIC ${path.basename(file)}: ${g.rows} rows, ${(g.bytes / 1e6).toFixed(0)} MB, ${g.municipalities.length} municipalities\n`);
      const targets: Array<[string, string, () => Promise<void>]> = [['sqlite', `sqlite:${path.join(dir, `bench-${rows}.sqlite`)}`, async () => undefined]];
      if (admin) {
        const name = `ra_bench_${process.pid}_${rows}`;
        await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        const u = new URL(base.toString());
        u.pathname = `/${name}`;
        targets.push(['mariadb', u.toString(), async () => void (await admin.query(`DROP DATABASE IF EXISTS \`${name}\``))]);
      }
      for (const [dialect, url, cleanup] of targets) {
        try {
          const out = execFileSync(process.execPath, ['--max-semi-space-size=4', '--max-old-space-size=160', child, url, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
          const r = { dialect, fileRows: rows, fileMb: Math.round(g.bytes / 1e6), ...JSON.parse(out.trim().split('\n').pop()!) };
          results.push(r);
          process.stdout.write(
            `${dialect.padEnd(8)} ${String(rows).padStart(8)} rows: ${String(r.rowsPerSecond).padStart(7)} rows/s, ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMb} MB (${r.status}, ${r.facts} fact rows)\n`,
          );
        } finally {
          await cleanup();
        }
      }
      fs.rmSync(file, { force: true });
    }
  } finally {
    await admin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const target = { sqlite: 50000, mariadb: 25000 } as Record<string, number>;
  for (const r of results as Array<{ dialect: string; fileRows: number; rowsPerSecond: number; peakRssMb: number }>) {
    const ok = r.rowsPerSecond >= target[r.dialect] && r.peakRssMb < 300;
    process.stdout.write(`${ok ? 'MET ' : 'MISS'} ${r.dialect} ${r.fileRows}: ${r.rowsPerSecond} rows/s (target ≥ ${target[r.dialect]}), peak RSS ${r.peakRssMb} MB (target < 300)\n`);
  }
  process.stdout.write(
    `machine: ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (rows/s falls when the CPUs are shared)\n`,
  );
  const resultsDir = path.resolve(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(resultsDir, `import-${stamp}.json`), JSON.stringify({ node: process.version, cpus: os.cpus().length, results }, null, 2));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
