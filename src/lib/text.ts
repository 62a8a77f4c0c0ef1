/** Lower-case, accent-free, single-spaced form used for search ("Áncash" → "ancash"). */
export function foldForSearch(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9ñ]+/g, ' ')
    .trim();
}

/** URL slug is never used as a key; codes are. This only trims user search input. */
export function clampText(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}
