import type { Db } from './db';
import { migrateLatest } from './db';
import type { Logger } from './lib/logger';
import { referenceFile } from './lib/reference-files';
import { loadDirectory, loadPredecessors } from './modules/municipalities';
import { importIngresos } from './modules/revenue';
import { createAuditService } from './modules/audit';
import { seedExamples } from './modules/participation';
import { indicatorInputs, seedResultsExamples } from './modules/results';
import { createScoresService } from './modules/scores';
import { importConsultaAmigable, loadHistory } from './modules/spending';

/**
 * Cut-off of the bundled 2025 Consulta Amigable snapshot: the file was in its source repository
 * by 2025-03-08 (see reference-data/README.md); 2024 is the full year.
 */
/** The bundled execution files, oldest first (2023 is in neither: a gap). */
export const BUNDLED_EXECUTION_FILES = ['mef_consulta_amigable_municipalidades_2012_2022.csv', 'mef_consulta_amigable_municipalidades_2024_2025.csv'];

export const BUNDLED_CUT_OFFS: Record<number, string> = { 2024: '2024-12-31', 2025: '2025-03-08' };
/** The 2025 cut-off is when the file was seen in its repository, not a date MEF states: approximate. */
export const BUNDLED_APPROXIMATE_CUT_OFFS = [2025];

/**
 * Migrates, then loads the bundled reference data when the database is empty. Idempotent.
 * `history` (default: on; only test databases turn it off) also loads 2012–2022: execution
 * (the same execution facts as 2024–2025) and revenue.
 */
export async function prepareDatabase(db: Db, logger: Logger, loadReference = true, examples = true, history = true): Promise<{ migrated: string[]; loaded: boolean }> {
  const migrated = await migrateLatest(db);
  if (migrated.length) logger.info({ migrations: migrated }, 'migrations applied');
  if (!loadReference) return { migrated, loaded: false };
  const row = await db('municipalities').count({ n: '*' }).first();
  if (Number(row?.n ?? 0) > 0) {
    // Databases loaded before the results chain existed get its example chain once (issue 17).
    if (examples && (await seedResultsExamples(db))) logger.info('example results chain loaded (marked as example)');
    return { migrated, loaded: false };
  }
  const started = Date.now();
  const dir = await loadDirectory(db);
  await loadPredecessors(db);
  await loadHistory(db);
  let executionRows = 0;
  let revenueRows = 0;
  for (const file of history ? BUNDLED_EXECUTION_FILES : BUNDLED_EXECUTION_FILES.slice(-1)) {
    const report = await importConsultaAmigable(db, referenceFile(file), { cutOffs: BUNDLED_CUT_OFFS, approximateCutOffs: BUNDLED_APPROXIMATE_CUT_OFFS });
    if (report.status === 'rejected') throw new Error(`bundled execution data rejected (${file}): ${JSON.stringify(report.errors.slice(0, 3))}`);
    executionRows += report.rows;
  }
  if (history) {
    const report = await importIngresos(db, referenceFile('mef_ingresos_municipalidades_2012_2022.csv'));
    if (report.status === 'rejected') throw new Error(`bundled revenue data rejected: ${JSON.stringify(report.errors.slice(0, 3))}`);
    revenueRows = report.rows;
  }
  logger.info({ ...dir, executionRows, revenueRows, ms: Date.now() - started }, 'reference data loaded');
  // Example participatory budget and hearings, always marked as example (SEED_EXAMPLES=false: none).
  if (examples && (await seedExamples(db))) logger.info('example participation content loaded (marked as example)');
  if (examples && (await seedResultsExamples(db))) logger.info('example results chain loaded (marked as example)');
  await refreshScores(db);
  return { migrated, loaded: true };
}

/** Recomputes every year's results score from the stored inputs (after loads and imports). */
export async function refreshScores(db: Db): Promise<void> {
  await createScoresService({ db, clock: Date.now, audit: createAuditService(), indicatorInputs }).recomputeAll();
}
