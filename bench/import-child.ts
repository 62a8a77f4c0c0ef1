import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db';
import { createLogger } from '../src/lib/logger';
import { importMefGasto } from '../src/modules/spending';

/** One measured import in its own process, so that peak RSS belongs to this import alone. */
async function main() {
  const [url, file] = process.argv.slice(2);
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: url });
  const db = createDb(config.db);
  try {
    await prepareDatabase(db, createLogger('silent'), true);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const cpu0 = process.cpuUsage();
    const report = await importMefGasto(db, file, {
      allowSynthetic: true,
      workers: process.env.RA_IMPORT_WORKERS ? Number(process.env.RA_IMPORT_WORKERS) : undefined,
      flushEvery: process.env.RA_IMPORT_FLUSH ? Number(process.env.RA_IMPORT_FLUSH) : undefined,
    });
    clearInterval(timer);
    const maxRss = process.resourceUsage().maxRSS * 1024;
    process.stdout.write(
      `${JSON.stringify({
        status: report.status,
        rows: report.rows,
        facts: report.facts,
        seconds: report.seconds,
        rowsPerSecond: Math.round(report.rows / report.seconds),
        cpuSeconds: Math.round(((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6) * 10) / 10,
        peakRssMb: Math.round(Math.max(peak, maxRss) / 1048576),
        rssBeforeImportMb: Math.round(rssBefore / 1048576),
      })}\n`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
