import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(__dirname, '..', '..', '..', 'locales');

function keys(obj: unknown, prefix = ''): string[] {
  if (!obj || typeof obj !== 'object') return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('locales', () => {
  const namespaces = fs.readdirSync(path.join(dir, 'es')).filter((f) => f.endsWith('.json'));
  it('when the languages are compared, then both have the same namespaces', () => {
    expect(
      fs
        .readdirSync(path.join(dir, 'en'))
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual([...namespaces].sort());
  });
  it.each(namespaces)('when %s is compared between es and en, then both have the same keys', (file) => {
    const es = keys(JSON.parse(fs.readFileSync(path.join(dir, 'es', file), 'utf8'))).sort();
    const en = keys(JSON.parse(fs.readFileSync(path.join(dir, 'en', file), 'utf8'))).sort();
    expect(en).toEqual(es);
  });
});
