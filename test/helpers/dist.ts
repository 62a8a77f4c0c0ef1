import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const SOURCES = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/**
 * Compiles `dist/` (tsc -p tsconfig.build.json) when it is missing or older than any source, so
 * the tests that spawn the built server and commands never skip and never test stale code.
 * Called once per run from the jest globalSetup; a failed build fails the run with tsc's output.
 */
export function ensureBuilt(): void {
  // `npm run build` (which `npm test` runs first) leaves tsc's .tsbuildinfo newer than the sources.
  const built = Math.max(...[STAMP, path.join(ROOT, 'dist', '.tsbuildinfo')].map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  if (built >= Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))))) return;
  const started = new Date();
  process.stdout.write(`\nBuilding dist/ (${built ? 'sources changed since the last build' : 'no build yet'}): tsc -p tsconfig.build.json …\n`);
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`Building dist/ failed, so the tests that run the built server and commands cannot run:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`, { cause: err });
  }
  // Dated at the start of the build: a source saved while tsc ran is newer, so it is built next time.
  fs.writeFileSync(STAMP, `${started.toISOString()}\n`);
  fs.utimesSync(STAMP, started, started);
}

/** The path of a built file under dist/ (e.g. `src/server.js`); throws a clear message when it is missing. */
export function distFile(rel: string): string {
  const file = path.join(ROOT, 'dist', rel);
  if (!fs.existsSync(file)) throw new Error(`dist/${rel} does not exist: run the tests through jest (its globalSetup builds dist/) or run \`npm run build\` first`);
  return file;
}
