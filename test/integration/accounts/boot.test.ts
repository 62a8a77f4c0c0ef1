import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distFile } from '../../helpers/dist';

const SERVER = distFile('src/server.js');

describe('booting in production', () => {
  it('when SESSION_SECRET is missing, then the server refuses to start, exits 1 and names the variable', () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'boot-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', SMTP_HOST: '127.0.0.1' };
    delete env.SESSION_SECRET;
    const r = spawnSync(process.execPath, [SERVER], { env, encoding: 'utf8', timeout: 10000 });
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SESSION_SECRET/);
    expect(r.stdout).not.toMatch(/listening/);
  });
});
