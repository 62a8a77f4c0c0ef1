import { benchImport } from './import';
import { benchInstances } from './instances';
import { benchPages } from './pages';
import { benchScores } from './scores';

/**
 * `npm run bench -- <name>`: `import` (a national MEF file through the job queue, readers during
 * it: bench/import.ts), `scores`, `pages [--mysql] [--long-tail]`, `pages --instances 2 --redis
 * [--sqlite]` (several web processes behind nginx: bench/instances.ts). Each prints its figures
 * with the machine's load and writes them to bench/results/.
 */
async function main(argv: string[]) {
  if (argv[0] === 'import') return benchImport(argv.slice(1));
  if (argv[0] === 'scores') return benchScores();
  if (argv[0] === 'pages' && argv.includes('--instances')) return benchInstances(argv.slice(1));
  if (argv[0] === 'pages') return benchPages(argv.slice(1));
  process.stderr.write('Usage: npm run bench -- import [--no-direct] [--sqlite | --mariadb] | scores | pages [--mysql] [--long-tail] | pages --instances 2 --redis [--sqlite]\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
