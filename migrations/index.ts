import type { Knex } from 'knex';
import * as m20260101000000 from './20260101000000_create_directory';
import * as m20260101000100 from './20260101000100_create_execution_totals';
import * as m20260101000200 from './20260101000200_create_history';
import * as m20260301000000 from './20260301000000_create_mef_codes';
import * as m20260301000100 from './20260301000100_create_mef_gasto_facts';
import * as m20260301000200 from './20260301000200_create_mef_gasto_rollups';
import * as m20260301000300 from './20260301000300_add_content_digest_to_import_runs';

/** Every migration, in order. A test checks that each file in this folder is listed here. */
export const migrations: Record<string, { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> }> = {
  '20260101000000_create_directory': m20260101000000,
  '20260101000100_create_execution_totals': m20260101000100,
  '20260101000200_create_history': m20260101000200,
  '20260301000000_create_mef_codes': m20260301000000,
  '20260301000100_create_mef_gasto_facts': m20260301000100,
  '20260301000200_create_mef_gasto_rollups': m20260301000200,
  '20260301000300_add_content_digest_to_import_runs': m20260301000300,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(migrations).sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return migrations[name];
  },
};
