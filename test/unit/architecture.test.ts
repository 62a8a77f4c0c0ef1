import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Module boundaries (STYLE.md: "a module reads another module's data only through that
 * module's index.ts"). Every relative import of src/ is read with the TypeScript scanner
 * (import, import type, export … from, require, import()), so type-only imports count too.
 */
const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const FOUNDATIONS = ['lib', 'db', 'config', 'i18n'];

const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

interface Edge {
  from: string;
  to: string;
}

/** Relative imports between files of src/, resolved to files. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = resolve(file, fileName);
      if (to) edges.push({ from: rel(file), to: rel(to) });
    }
  }
  return edges;
}

const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(file)?.[1] ?? null;

/** Every cycle of the module graph, each once, as `a → b → a`. */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found = new Set<string>();
  const visit = (node: string, trail: string[]) => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const loop = trail.slice(at);
      const start = loop.indexOf([...loop].sort()[0]); // one spelling per cycle
      const norm = [...loop.slice(start), ...loop.slice(0, start)];
      found.add([...norm, norm[0]].join(' → '));
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  return [...found].sort();
}

describe('module boundaries', () => {
  const edges = importEdges();

  it('when the sources are read, then their imports are found (the rules below have something to check)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'src/app.ts', to: 'src/modules/spending/index.ts' });
  });

  it("when a file of one module imports another module, then it goes through that module's index.ts", () => {
    const offenders = edges
      .filter((e) => {
        const [from, to] = [moduleOf(e.from), moduleOf(e.to)];
        return from !== null && to !== null && from !== to && e.to !== `src/modules/${to}/index.ts`;
      })
      .map((e) => `${e.from} imports ${e.to}`);
    expect(offenders).toEqual([]);
  });

  it('when modules import each other, then the module graph has no cycle', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const [from, to] = [moduleOf(e.from), moduleOf(e.to)];
      if (from === null || to === null || from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
    expect(cycles(graph)).toEqual([]);
  });

  it(`when a file of src/{${FOUNDATIONS.join(',')}} imports, then it never imports a module`, () => {
    const offenders = edges.filter((e) => FOUNDATIONS.some((f) => e.from.startsWith(`src/${f}/`)) && moduleOf(e.to) !== null).map((e) => `${e.from} imports ${e.to}`);
    expect(offenders).toEqual([]);
  });
});
