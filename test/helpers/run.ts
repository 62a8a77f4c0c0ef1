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

/** mysql2 connection options of a `mysql://user:password@host:port/…` URL (the server, not its database). */
export function mysqlServerOptions(url: URL): { host: string; port: number; user: string; password: string } {
  return { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
