import { barChart, esc, lineChart } from '../../../src/lib/svg';
import { parseMefAmount } from '../../../src/modules/spending/mef-gasto.rows';

describe('server-built SVG', () => {
  it('when labels contain markup, then they are escaped', () => {
    const svg = barChart({ id: 'c', title: '<b>T</b>', desc: 'd & e', series: [{ label: 'PIM' }], rows: [{ label: '<script>x</script>', values: [5] }], format: String });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="c-t c-d"');
    expect(svg).not.toMatch(/\sstyle=/);
    expect(esc(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  it('when a series has gaps, then the line skips them', () => {
    const svg = lineChart({ id: 'l', title: 't', desc: 'd', xLabels: ['1', '2', '3'], series: [{ label: 'a', values: [1, null, 3] }], format: String });
    expect((svg.match(/<circle/g) ?? []).length).toBe(2);
  });
});

describe('MEF amounts', () => {
  it.each([
    ['1234.5', 123450],
    ['0', 0],
    ['', 0],
    ['-10.25', -1025],
    ['1.5E3', 150000],
  ])('when the amount is "%s", then it is %d céntimos', (raw, c) => {
    expect(parseMefAmount(raw)).toBe(c);
  });

  it.each([['12,5'], ['abc'], ['1.2.3']])('when the amount is "%s", then it is rejected', (raw) => {
    expect(parseMefAmount(raw)).toBeNull();
  });
});
