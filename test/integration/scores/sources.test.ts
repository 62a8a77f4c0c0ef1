import { createAuditService } from '../../../src/modules/audit';
import { createScoresService } from '../../../src/modules/scores';
import { createSpendingService } from '../../../src/modules/spending';
import { createTestDb, eachDialect, TestDb } from '../../helpers/db';
import { mefAmounts } from '../../helpers/mef-gasto';

const YEAR = 2024;
const DEPT = '02';

/** Totals of one municipality-year from one source (céntimos): only devengado and PIM matter here. */
const totals = (ubigeo: string, source: string, devengado: number, pim: number) => ({ ubigeo, year: YEAR, source, ...mefAmounts(pim, devengado) });

eachDialect('execution source shared by spending and scores on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => t.cleanup());

  it('when a municipality has both Consulta Amigable and detailed MEF totals, then its score E equals the execution % the spending pages show (both from the MEF data)', async () => {
    const [{ ubigeo }] = await t.db('municipalities').select('ubigeo').where({ department_code: DEPT }).orderBy('ubigeo').limit(1);
    await t.db('execution_totals').where({ ubigeo, year: YEAR }).delete();
    // The sources disagree on purpose: 37.5 % in Consulta Amigable, 75 % in the detailed data.
    await t.db('execution_totals').insert([totals(ubigeo, 'consulta_amigable', 300_00, 800_00), totals(ubigeo, 'mef_gasto', 600_00, 800_00)]);

    await createScoresService({ db: t.db, clock: Date.now, audit: createAuditService() }).recompute({ year: YEAR, department: DEPT });
    const score = await t.db('scores').select('e').where({ ubigeo, year: YEAR }).first();
    const spending = (await createSpendingService({ db: t.db }).forMunicipality(ubigeo)).find((r) => r.year === YEAR);

    expect(spending).toMatchObject({ source: 'mef_gasto', execution_pct: 75 });
    expect(Number(score.e)).toBe(spending!.execution_pct);
  });
});
