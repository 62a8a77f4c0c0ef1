import path from 'node:path';

/**
 * The prefix of this run's MariaDB template databases (test/helpers/db.ts): tagged with the run's
 * temporary folder, so a run never copies an older run's schema and global-teardown drops only its own.
 */
export function mysqlTemplatePrefix(): string {
  const tag = path
    .basename(process.env.RA_TEST_TMP ?? `ra-test-${process.pid}`)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-8);
  return `ra_tpl_${tag}_`;
}
