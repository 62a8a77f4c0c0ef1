import fs from 'node:fs';
import path from 'node:path';
import { numberFormatters } from '../../../src/lib/numbers';
import { formatters } from '../../../src/i18n';

describe('one number style per language', () => {
  it('when numbers, percentages and money are formatted in Spanish, then es-PE grouping is used (1,891 · 76.1 % · S/ 1,234,568)', () => {
    const f = numberFormatters('es');
    expect(f.number(1891)).toBe('1,891');
    expect(f.pct(76.14)).toBe('76.1 %');
    expect(f.money(123456789)).toBe('S/ 1,234,568');
  });
  it('when the page formatters are used, then they are the lib formatters (the same output)', () => {
    for (const lng of ['es', 'en'] as const) {
      expect(formatters(lng).number(1234567.891, 2)).toBe(numberFormatters(lng).number(1234567.891, 2));
      expect(formatters(lng).money(99999950)).toBe(numberFormatters(lng).money(99999950));
    }
  });
  it.each(['es', 'en'])('when the %s texts write a number, then they group it as the formatter does (no spaces)', (lng) => {
    const dir = path.join(__dirname, '..', '..', '..', 'locales', lng);
    const spaced: string[] = [];
    for (const f of fs.readdirSync(dir)) for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)/g)) spaced.push(`${f}: ${m[0]}`);
    expect(spaced).toEqual([]);
  });
});
