import type { Db } from '../../db';
import { readReferenceCsv } from '../../lib/reference-files';

/** Loads the source paper's Table 1 (execution % by department) and Table 2 (category shares). */
export async function loadHistory(db: Db): Promise<void> {
  const t1 = readReferenceCsv('paper_table1_execution_by_department.csv');
  const t2 = readReferenceCsv('paper_table2_budget_category_share.csv');
  const rows1 = t1.flatMap((r) =>
    Object.keys(r)
      .filter((k) => /^\d{4}$/.test(k) && r[k] !== '')
      .map((y) => ({ department_code: r.ubigeo, year: Number(y), execution_pct: Number(r[y]) })),
  );
  const rows2 = t2.flatMap((r) =>
    Object.keys(r)
      .filter((k) => /^\d{4}$/.test(k) && r[k] !== '')
      .map((y) => ({ category_type: r.category_code, year: Number(y), share_pct: Number(r[y]) })),
  );
  await db.transaction(async (trx) => {
    await trx.batchInsert('history_department_execution', rows1, 200);
    await trx.batchInsert('history_category_share', rows2, 200);
  });
}
