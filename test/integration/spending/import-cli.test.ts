import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../../src/db';
import { distFile } from '../../helpers/dist';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = distFile('src/cli/import.js');
const FIXTURE_DIR = path.join(ROOT, 'test', 'fixtures');

const run = (args: string[], dataDir: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', INIT_CWD: FIXTURE_DIR, ...env },
    encoding: 'utf8',
  });

describe('npm run import -- consulta-amigable (the command)', () => {
  const dataDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'cli-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('when run on the raw sample relative to the caller directory, then it exits 0 and says nothing changed (same data as bundled)', () => {
    const r = run(['consulta-amigable', 'mef_consulta_amigable_raw_sample.csv'], dataDir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no cambió nada/);
  });

  it('when run on a file with a bad row, then it exits 1 and prints row, column, value and reason in English with --lang en', () => {
    const bad = path.join(dataDir, 'bad.csv');
    fs.writeFileSync(bad, fs.readFileSync(path.join(FIXTURE_DIR, 'mef_consulta_amigable_raw_sample.csv'), 'utf8').replace('"895,516"', '"89x"'));
    const r = run(['consulta-amigable', bad, '--lang', 'en'], dataDir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('File rejected: 1 errors. Nothing was written.');
    expect(r.stdout).toContain('row 3, column “PIM”, value “89x”: not a valid amount');
  });

  it('when the command imports a file, then the audit log records it as the actor "cli" (no user) with the file\'s SHA-256', async () => {
    const edited = path.join(dataDir, 'edited.csv');
    fs.writeFileSync(edited, fs.readFileSync(path.join(FIXTURE_DIR, 'mef_consulta_amigable_raw_sample.csv'), 'utf8').replace('"62,334,134"', '"62,334,999"'));
    expect(run(['consulta-amigable', edited], dataDir).status).toBe(0);
    const db = createDb({ client: 'sqlite', filename: path.join(dataDir, 'resultados.sqlite') });
    const digest = crypto.createHash('sha256').update(fs.readFileSync(edited)).digest('hex');
    const row = await db('audit_log').where({ action: 'import.consulta_amigable', entity_id: digest }).first('actor_user_id', 'actor_role', 'after_json');
    await db.destroy();
    expect([row.actor_user_id, row.actor_role]).toEqual([null, 'cli']);
    expect(JSON.parse(row.after_json)).toMatchObject({ status: 'imported', counts: { read: 40, updated: 1 } });
  });

  it('when arguments are wrong or the file is missing, then it prints usage and exits 2', () => {
    expect(run(['something-else', 'x.csv'], dataDir).status).toBe(2);
    expect(run([], dataDir).stderr).toContain('Usage: npm run import');
    expect(run(['consulta-amigable', 'missing.csv'], dataDir).stderr).toContain('No existe el archivo');
    expect(run(['consulta-amigable', 'x.csv', '--cut-off', '2025'], dataDir).status).toBe(2);
  });
});
