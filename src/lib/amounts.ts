/** Execution amount columns, in the order MEF publishes them. Stored as integer céntimos. */
export const AMOUNT_COLUMNS = ['pia', 'pim', 'certificacion', 'compromiso_anual', 'atencion_compromiso_mensual', 'devengado', 'girado'] as const;
export type AmountColumn = (typeof AMOUNT_COLUMNS)[number];
export type Amounts = Record<AmountColumn, number>;

/** devengado / PIM × 100, one decimal; null when there is no PIM. */
export function executionPct(devengado: number, pim: number): number | null {
  if (!pim) return null;
  return Math.round((devengado / pim) * 1000) / 10;
}

/** céntimos → soles with two decimals, for the open-data surface. */
export function toSoles(centimos: number): number {
  return Math.round(centimos) / 100;
}
