/** PIM and devengado of a project (CUI) in one year, integer céntimos. */
export interface CuiYear {
  year: number;
  pim: number;
  devengado: number;
}

export type MoneyGap = 'spent_no_progress' | 'progress_no_money' | null;

/** Points of difference between financial and physical progress that count as a gap. */
export const GAP_POINTS = 30;

/**
 * Compares what the MEF data says was spent on a CUI with the physical progress an official
 * reports. Financial progress = devengado of all years ÷ the item's total cost × 100 (capped at
 * 100). A gap is flagged when money was spent and progress is 0, when progress is above 0 and
 * nothing was spent, or when the two differ by GAP_POINTS or more.
 */
export function moneyGap(years: CuiYear[], totalCost: number, progressPct: number): { devengado: number; financialPct: number | null; gap: MoneyGap } {
  const devengado = years.reduce((s, y) => s + y.devengado, 0);
  const financialPct = totalCost > 0 ? Math.min(100, (devengado / totalCost) * 100) : null;
  let gap: MoneyGap = null;
  if (devengado > 0 && progressPct === 0) gap = 'spent_no_progress';
  else if (devengado === 0 && progressPct > 0) gap = 'progress_no_money';
  else if (financialPct != null && financialPct - progressPct >= GAP_POINTS) gap = 'spent_no_progress';
  else if (financialPct != null && progressPct - financialPct >= GAP_POINTS) gap = 'progress_no_money';
  return { devengado, financialPct, gap };
}
