import { neutraliseCell, toCsv } from '../../src/lib/csv';
import { executionPct } from '../../src/lib/amounts';
import { parseAmount } from '../../src/modules/spending/consulta-amigable.importer';
import { rankRows } from '../../src/modules/spending/spending.service';

const row = (execution_pct: number | null) => ({ execution_pct, rank: null as number | null, quintile: null as number | null });

describe('spending rules', () => {
  it('when execution % ties, then the tied rows share a rank and the next rank skips (1, 2, 2, 4)', () => {
    const rows = [row(50), row(90), row(70), row(70), row(null)];
    rankRows(rows);
    expect(rows.map((r) => r.rank)).toEqual([4, 1, 2, 2, null]);
  });

  it('when 10 rows are ranked, then quintiles run from 5 (highest) to 1 (lowest), two rows each', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(i * 10));
    rankRows(rows);
    expect(rows.map((r) => r.quintile)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('when PIM is zero, then execution % is null, not 0 or Infinity', () => {
    expect(executionPct(100, 0)).toBeNull();
    expect(executionPct(78701528, 132120049)).toBe(59.6);
  });

  it.each([
    ['62,334,134', 6233413400],
    ['62334134', 6233413400],
    ['1234.5', 123450],
    ['0', 0],
    ['1,234,567.89', 123456789],
  ])('when the amount "%s" is parsed, then it is %d céntimos, exactly', (raw, centimos) => {
    expect(parseAmount(raw)).toBe(centimos);
  });

  it.each(['', '-5', '12,34,5', '1.234', 'abc', '1e9', '62 334 134', '1.005'])('when the amount "%s" is parsed, then it is refused', (raw) => {
    expect(parseAmount(raw)).toBeNull();
  });

  it.each(['=HYPERLINK("x")', '+1', '-1+2', '@SUM(A1)', '\tcmd'])('when a CSV cell starts with a formula character (%s), then it is neutralised', (v) => {
    expect(String(neutraliseCell(v)).startsWith("'")).toBe(true);
    expect(toCsv([{ a: v }], ['a'])).toContain(`'`);
  });

  it('when a CSV cell is a number or plain text, then it is left as is', () => {
    expect(neutraliseCell(-5)).toBe(-5);
    expect(toCsv([{ a: 'Lima', b: 1 }], ['a', 'b'])).toBe('a,b\nLima,1\n');
  });
});
