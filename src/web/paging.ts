/**
 * Where one page of an HTML list falls, for views/partials/pagination.ejs: at least one page,
 * and a page asked past the end is the last one (so it never shows an empty table).
 */
export function paging(total: number, asked: number | undefined, size: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, asked ?? 1), pages);
  return { page, pages, offset: (page - 1) * size };
}

/** One page of rows already in memory, with its place in the list. */
export function pageOfRows<T>(rows: T[], asked: number | undefined, size: number): { rows: T[]; page: number; pages: number; total: number } {
  const { page, pages, offset } = paging(rows.length, asked, size);
  return { rows: rows.slice(offset, offset + size), page, pages, total: rows.length };
}
