import fs from 'node:fs';
import path from 'node:path';
import { createI18n, Lang } from '../../../src/i18n';
import { translator } from '../../../src/web/locals';

const i18n = createI18n();

/** Every text of the locale files with its full key (`namespace:a.b.c`). */
function texts(lng: Lang): Array<[string, string]> {
  const dir = path.join(__dirname, '../../../locales', lng);
  const out: Array<[string, string]> = [];
  const walk = (ns: string, prefix: string, node: unknown) => {
    if (typeof node === 'string') out.push([`${ns}:${prefix}`, node]);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(ns, prefix ? `${prefix}.${k}` : k, v);
  };
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) walk(f.replace(/\.json$/, ''), '', JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  return out;
}

/** Values for a text's placeholders: strings and numbers alternately, with characters EJS would escape. */
function valuesFor(text: string): Record<string, unknown> {
  const names = [...text.matchAll(/\{\{\s*([^{},\s]+)\s*\}\}/g)].map((m) => m[1]);
  return Object.fromEntries(names.map((n, i) => [n, i % 2 ? i * 1.5 : `<v${i}> & "${n}"`]));
}

describe('the view translator', () => {
  for (const lng of ['es', 'en'] as const) {
    it(`when any ${lng} text is translated with values, then the view's t gives exactly what i18next gives`, () => {
      const t = translator(i18n, lng);
      const fixed = i18n.getFixedT(lng);
      const all = texts(lng).map(([key]) => key.replace(/_(one|other|zero|two|few|many)$/, ''));
      let withValues = 0;
      for (const key of new Set(all)) {
        const raw = String(fixed(key));
        const values = valuesFor(raw);
        if (Object.keys(values).length) withValues++;
        expect([key, t(key, values)]).toEqual([key, String(fixed(key, values as never))]);
        expect([key, t(key, { ...values, count: 1 })]).toEqual([key, String(fixed(key, { ...values, count: 1 } as never))]);
        expect([key, t(key, { ...values, count: 2 })]).toEqual([key, String(fixed(key, { ...values, count: 2 } as never))]);
        expect([key, t(key)]).toEqual([key, String(fixed(key))]);
      }
      expect(withValues).toBeGreaterThan(100); // the comparison covered the texts with placeholders
    });
  }

  it('when a value is missing, null or an object, or an option changes the lookup, then the result is still i18next’s', () => {
    const t = translator(i18n, 'es');
    const fixed = i18n.getFixedT('es');
    const key = 'municipalities:show.rank_of';
    expect(t(key, { rank: 3 })).toBe(String(fixed(key, { rank: 3 } as never)));
    expect(t(key, { rank: null, count: 5 })).toBe(String(fixed(key, { rank: null, count: 5 } as never)));
    expect(t(key, { rank: { a: 1 }, count: 5 })).toBe(String(fixed(key, { rank: { a: 1 }, count: 5 } as never)));
    expect(t(key, { rank: 1, count: 2, lng: 'en' })).toBe(String(fixed(key, { rank: 1, count: 2, lng: 'en' } as never)));
    expect(t('no:such.key', { a: 1 })).toBe(String(fixed('no:such.key', { a: 1 } as never)));
  });
});
