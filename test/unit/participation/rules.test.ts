import { moneyGap } from '../../../src/modules/participation/participation.money';
import { costWeightedProgress, progressFor, unsubscribeToken, verifyUnsubscribeToken } from '../../../src/modules/participation';
import { localized } from '../../../src/i18n';
import { ItemForm } from '../../../src/modules/participation/participation.schemas';

describe('participation rules', () => {
  it('when a status is chosen without a typed progress, then the catalogue default applies (formulación 0, culminado 100, others keep)', () => {
    expect(progressFor('en_formulacion', undefined, 40)).toBe(0);
    expect(progressFor('culminado', 20, 40)).toBe(100);
    expect(progressFor('paralizado', undefined, 40)).toBe(40);
    expect(progressFor('en_ejecucion', 55, 40)).toBe(55);
  });

  it('when progress is averaged, then it is weighted by cost and null without items', () => {
    expect(costWeightedProgress([])).toBeNull();
    expect(
      costWeightedProgress([
        { total_cost: 300, progress_pct: 100 },
        { total_cost: 100, progress_pct: 0 },
      ]),
    ).toBe(75);
  });

  it('when an unsubscribe token is altered or made with another secret, then it is refused', () => {
    const tok = unsubscribeToken('s'.repeat(32), 42);
    expect(verifyUnsubscribeToken('s'.repeat(32), tok)).toBe(42);
    expect(verifyUnsubscribeToken('t'.repeat(32), tok)).toBeNull();
    expect(verifyUnsubscribeToken('s'.repeat(32), tok.replace(/^42/, '43'))).toBeNull();
    expect(verifyUnsubscribeToken('s'.repeat(32), '../etc')).toBeNull();
  });

  it('when English text is missing, then the Spanish text is shown flagged as a fallback', () => {
    expect(localized({ title_es: 'Pistas', title_en: null }, 'title', 'en')).toEqual({ text: 'Pistas', fallback: true });
    expect(localized({ title_es: 'Pistas', title_en: 'Roads' }, 'title', 'en')).toEqual({ text: 'Roads', fallback: false });
  });

  it('when an amount is typed in soles, then it becomes integer céntimos; bad amounts are refused', () => {
    const base = { year: '2025', priority: '1', title_es: 'x', status: 'en_ejecucion' };
    expect(ItemForm.parse({ ...base, total_cost: '1,234.50' }).total_cost).toBe(123450);
    expect(ItemForm.safeParse({ ...base, total_cost: '1e9' }).success).toBe(false);
    expect(ItemForm.safeParse({ ...base, total_cost: '-5' }).success).toBe(false);
  });
});

describe('money follows the CUI', () => {
  it('when money was spent and progress is 0, then the gap is "spent, no progress"', () => {
    expect(moneyGap([{ year: 2025, pim: 100, devengado: 10 }], 1000, 0).gap).toBe('spent_no_progress');
  });
  it('when progress is reported and nothing was spent, then the gap is "progress, no money"', () => {
    expect(moneyGap([{ year: 2025, pim: 100, devengado: 0 }], 1000, 20).gap).toBe('progress_no_money');
  });
  it('when financial and physical progress differ by 30 points or more, then the larger side names the gap; otherwise none', () => {
    expect(
      moneyGap(
        [
          { year: 2024, pim: 1000, devengado: 400 },
          { year: 2025, pim: 1000, devengado: 400 },
        ],
        1000,
        40,
      ),
    ).toEqual({ devengado: 800, financialPct: 80, gap: 'spent_no_progress' });
    expect(moneyGap([{ year: 2025, pim: 1000, devengado: 100 }], 1000, 50).gap).toBe('progress_no_money');
    expect(moneyGap([{ year: 2025, pim: 1000, devengado: 500 }], 1000, 60).gap).toBeNull();
  });
});
