import { benchScores } from './scores';

/** `npm run bench -- <case>`: scores. */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'scores') return benchScores();
  process.stderr.write('Usage: npm run bench -- scores\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
