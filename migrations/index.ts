import type { Knex } from 'knex';
import * as m20260101000000 from './20260101000000_create_directory';
import * as m20260101000100 from './20260101000100_create_execution_totals';
import * as m20260101000200 from './20260101000200_create_history';

/** Every migration, in order. A test checks that each file in this folder is listed here. */
export const migrations: Record<string, { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> }> = {
  '20260101000000_create_directory': m20260101000000,
  '20260101000100_create_execution_totals': m20260101000100,
  '20260101000200_create_history': m20260101000200,
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
