import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

type Locals = Record<string, unknown>;
type Include = (file: string, data?: Locals) => string;
type ClientTemplate = (locals: Locals, escapeFn: undefined, include: Include) => string;
type Render = (locals: Locals) => string;

/**
 * Express's view engine for EJS, with what EJS's own `renderFile` redoes on every render done once:
 * an include's file is resolved (and checked to exist) once per calling template and path, not
 * with a `fs.existsSync` per include per render, and an included template gets one flat copy of
 * its caller's locals plus its own data (see the include below). Templates are compiled
 * once and kept when Express's `view cache` is on (every environment but development, where an
 * edited view shows on the next render). Same templates, same output: includes resolve relative
 * to the including file, as in EJS, and a missing one is an error naming both files.
 *
 * Templates are compiled without EJS's `with (locals) { … }` (see `compileWithoutWith`).
 */
export function createViewEngine(): (file: string, options: object, done: (err: Error | null, html?: string) => void) => void {
  const resolved = new Map<string, string>();
  const compile = (file: string): ClientTemplate => compileWithoutWith(file, fs.readFileSync(file, 'utf8'));

  const resolve = (from: string, name: string, cache: boolean): string => {
    const key = `${from}\0${name}`;
    let file = cache ? resolved.get(key) : undefined;
    if (!file) {
      file = path.resolve(path.dirname(from), path.extname(name) ? name : `${name}.ejs`);
      if (!fs.existsSync(file)) throw new Error(`Could not find the include file "${name}" (included from ${from})`);
      if (cache) resolved.set(key, file);
    }
    return file;
  };

  const renderers = new Map<string, Render>();
  const renderer = (file: string, cache: boolean): Render => {
    let render = cache ? renderers.get(file) : undefined;
    if (!render) {
      const fn = compile(file);
      render = (locals) =>
        fn(locals, undefined, (name, data) => {
          // An include's locals are a flat copy, not an object whose prototype is the page's
          // locals: V8 turns an object used as a prototype into a slow one, and a page's
          // objects then outlived the young generation (about 40 KB of each municipality page
          // went to the old one; web/http-server.ts has the figures).
          const child: Locals = Object.assign({}, locals);
          if (data) Object.assign(child, data);
          return renderer(resolve(file, name, cache), cache)(child);
        });
      if (cache) renderers.set(file, render);
    }
    return render;
  };

  return (file, options, done) => {
    let html: string;
    try {
      html = renderer(file, (options as { cache?: boolean }).cache === true)(options as Locals);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, html);
  };
}

/** Words that can not be a variable's name, and the names EJS's compiled function uses itself. */
const NOT_LOCALS = new Set(
  (
    'arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for ' +
    'function if implements import in instanceof interface let new null of package private protected public return static super switch ' +
    'this throw true try typeof undefined var void while with yield NaN Infinity ' +
    'locals escapeFn include rethrow __output __append __line __lines __filename'
  ).split(' '),
);

/**
 * EJS wraps a template in `with (locals) { … }` so that `<%= title %>` finds `locals.title`. In
 * V8 every name read inside a `with` is looked up at run time, through the locals object and its
 * prototype chain, on each use: a municipality page makes thousands of such lookups (without
 * them the page costs 12–25 % less CPU, in process). Here each name a template's code mentions is read
 * from the locals once, at the top of the template (`var title = 'title' in locals ? locals.title
 * : globalThis.title`), and the template runs without `with`: the same names resolve to the same
 * values (a local first, then a global such as `Math`), and a name neither defines is
 * `undefined`, where `with` threw (which `typeof x` checks already treated alike). Over-counting
 * is harmless (a word in a string becomes an unused variable); a name the template declares
 * itself with `const`/`let` at its top level can not be declared twice, so it is dropped from the
 * list when the compiler says so. The preamble sits on the template's first line: EJS's line
 * numbers in error messages stay right.
 */
export function compileWithoutWith(file: string, text: string): ClientTemplate {
  const names = new Set<string>();
  // A name not after a `.` (a property), but after `...` (a spread) it is a variable again.
  for (const [, code] of text.matchAll(/<%[_=-]?([\s\S]*?)[_-]?%>/g)) {
    for (const [name] of code.matchAll(/(?<![\p{ID_Continue}$])(?<!(?<!\.\.)\.)[\p{ID_Start}_$][\p{ID_Continue}$]*/gu)) if (!NOT_LOCALS.has(name)) names.add(name);
  }
  for (;;) {
    const preamble = names.size ? `<% var ${[...names].map((n) => `${n} = '${n}' in locals ? locals.${n} : globalThis.${n}`).join(', ')}; %>` : '';
    try {
      return ejs.compile(preamble + text, { filename: file, client: true, _with: false, localsName: 'locals' });
    } catch (err) {
      const declared = /Identifier '([\w$]+)' has already been declared/.exec((err as Error).message)?.[1];
      if (!declared || !names.delete(declared)) throw err;
    }
  }
}
