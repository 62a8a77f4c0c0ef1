import fs from 'node:fs';
import path from 'node:path';
import { pageOfRows, paging } from '../../../src/web/paging';

const VIEWS = path.join(__dirname, '..', '..', '..', 'views');
const views = (dir = VIEWS): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? views(path.join(dir, f.name)) : f.name.endsWith('.ejs') ? [path.join(dir, f.name)] : []));
/** Views (relative paths) whose text matches `pattern`, leaving out the partial that owns it. */
const offenders = (pattern: RegExp, owner: string) =>
  views()
    .map((f) => path.relative(VIEWS, f).split(path.sep).join('/'))
    .filter((f) => f !== owner && pattern.test(fs.readFileSync(path.join(VIEWS, f), 'utf8')));

describe('views', () => {
  it('when a form needs its CSRF token, then it includes partials/csrf.ejs: no view writes the hidden _csrf input itself', () => {
    expect(offenders(/name=["']_csrf["']/, 'partials/csrf.ejs')).toEqual([]);
  });

  it('when a page shows where it sits, then it uses partials/breadcrumb.ejs rather than its own nav', () => {
    expect(offenders(/class="breadcrumb"/, 'partials/breadcrumb.ejs')).toEqual([]);
  });

  it('when a list has pages, then partials/pagination.ejs links them: no view builds its own pager', () => {
    expect(offenders(/class="pagination"/, 'partials/pagination.ejs')).toEqual([]);
  });

  it('when a view shows user text in two languages, then it calls loc() instead of choosing between _es and _en itself', () => {
    expect(offenders(/_en\s*(\?|&&|\|\|\s*[\w.]+_es)|lng\s*===?\s*['"]en['"]/, '')).toEqual([]);
  });

  it('when a labelled form field is written, then it comes from partials/field.ejs (the old participation/_input.ejs is gone)', () => {
    expect(fs.existsSync(path.join(VIEWS, 'participation', '_input.ejs'))).toBe(false);
    expect(offenders(/include\(['"][^'"]*_input['"]/, '')).toEqual([]);
  });
});

describe('paging', () => {
  it('when a list is empty or the page asked is missing, below 1 or past the end, then the page stays within 1..pages', () => {
    expect(paging(0, undefined, 50)).toEqual({ page: 1, pages: 1, offset: 0 });
    expect(paging(120, 0, 50)).toEqual({ page: 1, pages: 3, offset: 0 });
    expect(paging(120, 2, 50)).toEqual({ page: 2, pages: 3, offset: 50 });
    expect(paging(120, 9, 50)).toEqual({ page: 3, pages: 3, offset: 100 });
    expect(paging(100, undefined, 50).pages).toBe(2);
  });

  it('when rows in memory are paged, then the page holds its slice and the total counts them all', () => {
    const rows = Array.from({ length: 7 }, (_, i) => i);
    expect(pageOfRows(rows, 2, 3)).toEqual({ rows: [3, 4, 5], page: 2, pages: 3, total: 7 });
    expect(pageOfRows(rows, 5, 3)).toEqual({ rows: [6], page: 3, pages: 3, total: 7 });
  });
});
