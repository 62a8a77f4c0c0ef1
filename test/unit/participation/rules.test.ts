import { costWeightedProgress, progressFor, unsubscribeToken, verifyUnsubscribeToken } from '../../../src/modules/participation';
import { localized } from '../../../src/modules/participation/participation.handlers';
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
    expect(costWeightedProgress([{ total_cost: 300, progress_pct: 100 }, { total_cost: 100, progress_pct: 0 }])).toBe(75);
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
