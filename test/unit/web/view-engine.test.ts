import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { compileWithoutWith, createViewEngine } from '../../../src/web/views';

/** Renders `file` with the portal's view engine. */
function render(engine: ReturnType<typeof createViewEngine>, file: string, locals: object): Promise<string> {
  return new Promise((resolve, reject) => engine(file, locals, (err, html) => (err ? reject(err) : resolve(html ?? ''))));
}

describe('the view engine (EJS with includes resolved once)', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'));
    write(
      'pages/show.ejs',
      '<h1><%= title %></h1><%- include("../partials/field", { name: "a", label: "<A>" }) %><%- include("../partials/field", { name: "b", label: "B", required: true }) %><%- include("_local") %>',
    );
    write('partials/field.ejs', '<label for="<%= name %>"><%= label %></label><% if (locals.required) { %>*<% } %><%= lng %><%- include("deep") %>');
    write('partials/deep.ejs', '[<%= title %>/<%= name %>]');
    write('pages/_local.ejs', '<p><%= typeof name === "undefined" ? "no name" : name %></p>');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when a view includes partials (relative paths, include data, nested includes), then it renders exactly what EJS itself renders', async () => {
    const locals = { title: 'Lima & <Callao>', lng: 'es', cache: true };
    const file = path.join(dir, 'pages/show.ejs');
    const expected = await ejs.renderFile(file, locals);
    const engine = createViewEngine();
    expect(await render(engine, file, locals)).toBe(expected);
    // A second render from the kept templates and resolved paths: the same page.
    expect(await render(engine, file, { ...locals, title: 'Otra' })).toBe(await ejs.renderFile(file, { ...locals, title: 'Otra' }));
    // An include's data does not leak into its caller's or its siblings' locals.
    expect(expected).toContain('<p>no name</p>');
  });

  it('when an included file does not exist, then the render fails with an error naming it and the file that includes it', async () => {
    write('pages/broken.ejs', '<%- include("../partials/missing") %>');
    await expect(render(createViewEngine(), path.join(dir, 'pages/broken.ejs'), { cache: true })).rejects.toThrow(/"\.\.\/partials\/missing".*broken\.ejs/);
  });

  it('when the view cache is off (development), then an edited view or partial shows on the next render; when it is on, then the compiled one is kept', async () => {
    const file = path.join(dir, 'pages/show.ejs');
    const locals = { title: 'T', lng: 'en' };
    const off = createViewEngine();
    const on = createViewEngine();
    const before = await render(off, file, { ...locals, cache: false });
    expect(await render(on, file, { ...locals, cache: true })).toBe(before);
    write('partials/deep.ejs', '{edited}');
    const after = await render(off, file, { ...locals, cache: false });
    expect(after).not.toBe(before);
    expect(after).toContain('{edited}');
    expect(await render(on, file, { ...locals, cache: true })).toBe(before);
  });

  it('when a template is compiled without `with`, then locals, globals, a local named like a global, its own declarations and missing locals render as EJS renders them', async () => {
    const text = [
      '<% const total = items.length; let shown = 0 %><h1><%= title %> (<%= total %>)</h1>',
      '<% for (const item of items) { shown++ %><li><%= item.name %>: <%= Math.round(item.value) %> <%= encodeURIComponent(item.name) %></li><% } %>',
      '<p><%= shown %> · <%= JSON.stringify({ year, ...extra }) %> · <%= typeof missing === "undefined" ? "no missing" : missing %> · <%= locals.title %></p>',
      // `crypto` is a Node global: a local of that name wins, as it does inside `with`.
      "<p><%= crypto %> · <%= 'for' %> · <%= items.map((i) => i.name).join(', ') %></p>",
    ].join('\n');
    write('pages/plain.ejs', text);
    const file = path.join(dir, 'pages/plain.ejs');
    const locals = {
      title: 'Ica & <Nasca>',
      items: [
        { name: 'a b', value: 1.6 },
        { name: 'ñ', value: 2.2 },
      ],
      year: 2024,
      extra: { page: 2 },
      crypto: 'local crypto',
    };
    const html = compileWithoutWith(file, text)(locals, undefined, () => '');
    expect(html).toBe(await ejs.renderFile(file, locals));
    expect(html).toContain('local crypto');
    expect(html).toContain('no missing');
    expect(html).toContain('{&#34;year&#34;:2024,&#34;page&#34;:2}');
    expect(compileWithoutWith(file, text).toString()).not.toMatch(/\bwith\s*\(/);
  });

  it('when a template compiled without `with` fails while rendering, then the error names its file and line', () => {
    const text = '<p>one</p>\n<p>two</p>\n<%= broken.field %>';
    expect(() => compileWithoutWith('/views/x.ejs', text)({ broken: null }, undefined, () => '')).toThrow(/x\.ejs:3/);
  });
});
