import { createAuditService } from '../modules/audit';
import { indicatorInputs } from '../modules/results';
import { createScoresService } from '../modules/scores';
import { runCli, usageError, withDatabase } from './run';

const USAGE = `Usage: npm run scores -- recompute [--year YYYY]

  recompute   recomputes the results score of every municipality from the stored inputs
              (ratings, execution, PB items, hearings, commitments) for one year, or for
              every year that has inputs. Set-based: a few grouped queries per year.
Environment: DATABASE_URL (default: embedded SQLite under data/).`;

export function parseArgs(argv: string[]): { year?: number } | string {
  if (argv[0] !== 'recompute') return argv.length ? `unknown command: ${argv[0]}` : '';
  const out: { year?: number } = {};
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--year') {
      const y = argv[++i] ?? '';
      if (!/^\d{4}$/.test(y)) return '--year expects YYYY';
      out.year = Number(y);
    } else return `unknown option: ${argv[i]}`;
  }
  return out;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') return usageError(USAGE, args);
  return withDatabase(async (db) => {
    const scores = createScoresService({ db, clock: Date.now, audit: createAuditService(), indicatorInputs });
    const started = Date.now();
    const done = await scores.recomputeAll(args.year);
    for (const d of done) process.stdout.write(`${d.year}: ${d.rows} municipalities\n`);
    process.stdout.write(`recomputed ${done.length} year(s) in ${Date.now() - started} ms\n`);
    return 0;
  });
}

if (require.main === module) runCli(main);
