/**
 * How the portal names a municipality and sorts it into a peer group. One place: every page,
 * ranking and CSV of the portal uses these.
 */

/**
 * Population bands of peers (INEI 2025 estimate; lower bound included, upper excluded). A
 * municipality's peers are those of the same type (provincial / distrital) in the same band.
 */
export const POPULATION_BANDS = { lt10k: [0, 10_000], '10k_50k': [10_000, 50_000], '50k_200k': [50_000, 200_000], gt200k: [200_000, 1e12] } as const;
export type PopulationBand = keyof typeof POPULATION_BANDS;
export const BAND_KEYS = Object.keys(POPULATION_BANDS) as [PopulationBand, ...PopulationBand[]];

/** The band a population falls in. */
export function populationBand(population: number): PopulationBand {
  for (const k of BAND_KEYS) {
    const [lo, hi] = POPULATION_BANDS[k];
    if (population >= lo && population < hi) return k;
  }
  return 'gt200k';
}

const SMALL_WORDS = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'el', 'en']);

/** "SAN JUAN DE LURIGANCHO" → "San Juan de Lurigancho" (for names only known in capitals, without accents). */
export function properCase(text: string): string {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w, i) => (i > 0 && SMALL_WORDS.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/**
 * The name a resident knows: the INEI district name in proper case with its accents
 * ("Miraflores", not "MUNICIPALIDAD DISTRITAL DE MIRAFLORES"); the MEF name, stripped and
 * proper-cased, only when the directory has no district name.
 */
export function municipalityName(m: { district?: string | null; name_mef?: string | null }): string {
  if (m.district) return m.district;
  const mef = (m.name_mef ?? '').replace(/^MUNICIPALIDAD\s+(DISTRITAL|PROVINCIAL)\s+(DE\s+)?/i, '');
  return properCase(mef);
}
