import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(__dirname, '..', '..', 'locales');
const keys = (o: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('locales', () => {
  it.each(fs.readdirSync(path.join(dir, 'es')))('when %s is compared across languages, then es and en have the same keys', (file) => {
    const es = JSON.parse(fs.readFileSync(path.join(dir, 'es', file), 'utf8'));
    const en = JSON.parse(fs.readFileSync(path.join(dir, 'en', file), 'utf8'));
    expect(keys(en).sort()).toEqual(keys(es).sort());
  });
});
