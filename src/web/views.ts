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
 * with a `fs.existsSync` per include per render, and an included template sees its caller's
 * locals through the prototype chain instead of a copy of all of them. Templates are compiled
 * once and kept when Express's `view cache` is on (every environment but development, where an
 * edited view shows on the next render). Same templates, same output: includes resolve relative
 * to the including file, as in EJS, and a missing one is an error naming both files.
 */
export function createViewEngine(): (file: string, options: object, done: (err: Error | null, html?: string) => void) => void {
  const resolved = new Map<string, string>();
  const compile = (file: string): ClientTemplate => ejs.compile(fs.readFileSync(file, 'utf8'), { filename: file, client: true });

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
          const child = Object.create(locals) as Locals;
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
