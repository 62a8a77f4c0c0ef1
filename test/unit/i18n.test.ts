import fs from 'node:fs';
import path from 'node:path';
import { createI18n, formatters, negotiateLanguage } from '../../src/i18n';
import { pageUrl, PAGE_PATHS } from '../../src/i18n/paths';

const LOCALES = path.join(__dirname, '..', '..', 'locales');

describe('i18n', () => {
  const files = new Set([...fs.readdirSync(path.join(LOCALES, 'es')), ...fs.readdirSync(path.join(LOCALES, 'en'))]);

  // es/en key parity is checked once, in test/unit/i18n/locale-keys.test.ts.

  it('when a translation key used in a view or in the code is looked up, then it exists in both languages', () => {
    const i18n = createI18n();
    const used = new Set<string>();
    const ns = [...files].map((f) => f.replace(/\.json$/, '')).join('|');
    const keyPattern = new RegExp(`['"\`]((?:${ns}):[a-z0-9_.]+[a-z0-9_])['"\`](?!\\s*\\+)`, 'g');
    const scan = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) scan(p);
        else if (/\.(ejs|ts)$/.test(f.name)) {
          for (const m of fs.readFileSync(p, 'utf8').matchAll(keyPattern)) used.add(m[1]);
        }
      }
    };
    scan(path.join(__dirname, '..', '..', 'views'));
    scan(path.join(__dirname, '..', '..', 'src'));
    expect(used.size).toBeGreaterThan(50);
    // A key looked up with a count exists when its plural forms do (i18next: key_one, key_other).
    const has = (k: string, lng: string) =>
      i18n.exists(k, { lng, fallbackLng: false } as never) || (i18n.exists(`${k}_one`, { lng, fallbackLng: false } as never) && i18n.exists(`${k}_other`, { lng, fallbackLng: false } as never));
    const missing = [...used].filter((k) => !has(k, 'es') || !has(k, 'en'));
    expect(missing).toEqual([]);
  });

  it('when money is formatted, then céntimos become soles with S/ and the locale separators', () => {
    expect(formatters('es').money(123456789)).toBe('S/ 1,234,568');
    expect(formatters('en').money(123456789)).toBe('S/ 1,234,568');
    expect(formatters('es').money(null)).toBe('—');
    expect(formatters('es').moneyCompact(5177000000000)).toBe('S/ 51.8 mil millones');
    expect(formatters('en').moneyCompact(5177000000000)).toBe('S/ 51.8 billion');
  });

  it('when dates and percentages are formatted, then each language uses its own form', () => {
    expect(formatters('es').date('2025-03-08')).toBe('8 de marzo de 2025');
    expect(formatters('en').date('2025-03-08')).toBe('March 8, 2025');
    expect(formatters('es').pct(76.06)).toBe('76.1 %');
    expect(formatters('en').number(1891)).toBe('1,891');
  });

  it.each([
    ['en', 'en'],
    ['en-GB,es;q=0.5', 'en'],
    ['es-PE,en;q=0.8', 'es'],
    ['qu-PE, en;q=0.1', 'en'],
    ['fr', 'es'],
    ['en;q=0', 'es'],
    ['', 'es'],
    ['__proto__', 'es'],
  ])('when Accept-Language is "%s", then the language is %s', (header, lng) => {
    expect(negotiateLanguage(header)).toBe(lng);
  });

  it('when a page URL is built, then it carries the language prefix, the localized path and encoded parameters', () => {
    expect(pageUrl('es', 'municipality', { ubigeo: '150101' })).toBe('/es/municipalidades/150101');
    expect(pageUrl('en', 'municipality', { ubigeo: '150101' })).toBe('/en/municipalities/150101');
    expect(pageUrl('en', 'home')).toBe('/en/');
    expect(pageUrl('es', 'search', {}, { q: 'a&b', empty: '' })).toBe('/es/buscar?q=a%26b');
    for (const p of Object.values(PAGE_PATHS)) expect(p.es.split('/').length).toBe(p.en.split('/').length);
  });
});
