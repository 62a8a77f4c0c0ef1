import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const SERVER = path.join(__dirname, '..', '..', '..', 'dist', 'src', 'server.js');

function start(dataDir: string): Promise<{ child: ChildProcess; port: number; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', LOG_LEVEL: 'info', SESSION_SECRET: 'test-secret-'.repeat(4), SMTP_HOST: '127.0.0.1', SHUTDOWN_DRAIN_MS: '2000' }, // a loaded CI machine may take a while to accept queued connections
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m && buf.includes('listening')) resolve({ child, port: Number(m[1]), ms: Date.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`server exited early with ${code}: ${buf}`)));
  });
}

function request(port: number, p: string) {
  let onConnect: () => void = () => undefined;
  const connected = new Promise<void>((r) => (onConnect = r));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('socket', (s) => s.on('connect', onConnect));
  });
  return { connected, done };
}
const get = (port: number, p: string) => request(port, p).done;

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

const built = fs.existsSync(SERVER);
(built ? describe : describe.skip)('the production server process', () => {
  const dataDir = fs.mkdtempSync(path.join(process.env.RA_TEST_TMP ?? os.tmpdir(), 'srv-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('when started on an empty data folder, then it migrates, loads the reference data and serves; a second start is faster', async () => {
    const first = await start(dataDir);
    const home = await get(first.port, '/es/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('1,891');
    first.child.kill('SIGTERM');
    expect(await exitOf(first.child)).toBe(0);

    const second = await start(dataDir);
    expect((await get(second.port, '/en/municipalities/150101')).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await exitOf(second.child)).toBe(0);
    // eslint-disable-next-line no-console
    console.info(`cold start to listening: first ${first.ms} ms (with data load), second ${second.ms} ms`);
  });

  it('when SIGTERM arrives during requests, then in-flight requests finish and the process exits 0 within 10 s', async () => {
    const { child, port } = await start(dataDir);
    const inflight = Array.from({ length: 5 }, () => request(port, '/es/departamentos/15'));
    await Promise.all(inflight.map((r) => r.connected));
    const t0 = Date.now();
    child.kill('SIGTERM');
    const results = await Promise.all(inflight.map((r) => r.done));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await exitOf(child)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10000);
  });
});
