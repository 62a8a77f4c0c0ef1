import { accountabilityComponent, combine, deliveryComponent, executionComponent, groupRanking, resultsComponent, satisfactionComponent } from '../../../src/modules/scores';
import { quarterOf, summarize } from '../../../src/modules/feedback';

describe('score components', () => {
  it('when S is computed, then it is the shrunk mean mapped 1→0, 5→100', () => {
    expect(satisfactionComponent(10, 5, 1)).toBeCloseTo(50, 10); // (50 + 10)/20 = 3 → 50
    expect(satisfactionComponent(0, 0, 5)).toBe(100);
    expect(satisfactionComponent(90, 1, 5)).toBeCloseTo(((0.9 * 1 + 0.1 * 5 - 1) / 4) * 100, 10);
  });

  it('when E, R, P have no denominator, then they are null, not 0; E is capped at 100', () => {
    expect(executionComponent(120, 100)).toBe(100);
    expect(executionComponent(50, 0)).toBeNull();
    expect(resultsComponent(0, 0)).toBeNull();
    expect(resultsComponent(3, 1)).toBe(75);
    expect(deliveryComponent(0, 0)).toBeNull();
    expect(deliveryComponent(5000, 100)).toBe(50);
  });

  it('when A has hearings and commitments, then each is half; without commitments due, hearings carry it; without both, null', () => {
    expect(accountabilityComponent(2, 4, 1)).toBe(62.5);
    expect(accountabilityComponent(1, 0, 0)).toBe(50);
    expect(accountabilityComponent(3, 0, 0)).toBe(100);
    expect(accountabilityComponent(null, 2, 2)).toBe(50);
    expect(accountabilityComponent(null, 0, 0)).toBeNull();
  });

  it('when some components are missing, then the score averages the rest by weight and coverage is their share', () => {
    const w = { s: 0.3, e: 0.25, r: 0.15, p: 0.15, a: 0.15, i: 0 };
    const r = combine({ s: 80, e: 60, r: null, p: null, a: 40, i: 100 }, w);
    expect(r.score).toBeCloseTo((0.3 * 80 + 0.25 * 60 + 0.15 * 40) / 0.7, 10);
    expect(r.coverage).toBeCloseTo(0.7, 10);
    expect(combine({ s: null, e: null, r: null, p: null, a: null, i: null }, w)).toEqual({ score: null, coverage: 0 });
  });

  it('when rows have different component sets, then each set is ranked on its own, ties share a rank, complete first', () => {
    const row = (score: number, has: string) => ({
      score,
      coverage: has.length / 5,
      s: has.includes('s') ? 1 : null,
      e: has.includes('e') ? 1 : null,
      r: has.includes('r') ? 1 : null,
      p: has.includes('p') ? 1 : null,
      a: has.includes('a') ? 1 : null,
      i: has.includes('i') ? 1 : null,
    });
    const groups = groupRanking([row(90, 'sei'), row(50, 'sepra'), row(70, 'se'), row(70, 'se'), { ...row(0, 'e'), score: null as unknown as number }]);
    expect(groups.map((g) => g.components.join(''))).toEqual(['serpa', 'se']);
    expect(groups[0].complete).toBe(true);
    expect(groups[1].rows.map((r) => [r.score, r.rank])).toEqual([
      [90, 1],
      [70, 2],
      [70, 2],
    ]);
  });
});

describe('satisfaction statistics', () => {
  it('when quarters are taken in Lima time, then 1 April 03:00 UTC is still the first quarter', () => {
    expect(quarterOf(Date.UTC(2026, 3, 1, 3))).toEqual({ year: 2026, quarter: 1 });
    expect(quarterOf(Date.UTC(2026, 3, 1, 6))).toEqual({ year: 2026, quarter: 2 });
    expect(quarterOf(Date.UTC(2027, 0, 1, 4))).toEqual({ year: 2026, quarter: 4 });
  });

  it('when the interval is computed from count, sum and sum of squares, then it matches the textbook t-interval', () => {
    const xs = [1, 2, 2, 5, 4, 3];
    const mean = 17 / 6;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 5);
    const s = summarize(
      6,
      17,
      xs.reduce((a, x) => a + x * x, 0),
    );
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.ci_low).toBeCloseTo(Math.max(1, mean - (2.571 * sd) / Math.sqrt(6)), 10);
    expect(s.ci_high).toBeCloseTo(Math.min(5, mean + (2.571 * sd) / Math.sqrt(6)), 10);
  });
});
