import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { distFile } from '../../helpers/dist';

const SERVER = distFile('src/server.js');

function start(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}, listeners = 1): Promise<{ child: ChildProcess; port: number; ms: number; output: () => string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'test-secret-'.repeat(4),
      SMTP_HOST: '127.0.0.1',
      SHUTDOWN_DRAIN_MS: '2000',
      ...extraEnv,
    }, // a loaded CI machine may take a while to accept queued connections
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m && (buf.match(/listening on/g) ?? []).length >= listeners) resolve({ child, port: Number(m[1]), ms: Date.now() - started, output: () => buf });
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

describe('the production server process', () => {
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
    // eslint-disable-next-line no-console -- a note in the jest output on purpose
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

  it('when WEB_CONCURRENCY=2, then two workers serve the same port, a worker that dies is replaced, and SIGTERM stops them all with exit 0', async () => {
    const { child, port, output } = await start(dataDir, { WEB_CONCURRENCY: '2', RESPONSE_CACHE_MS: '0' }, 2);
    const listening = () =>
      output()
        .split('\n')
        .filter((l) => l.includes('listening on'))
        .map((l) => JSON.parse(l) as { pid: number; port: number });
    expect(listening().map((l) => l.port)).toEqual([port, port]);
    const workers = new Set(listening().map((l) => l.pid));
    expect(workers.size).toBe(2);
    expect(workers.has(child.pid!)).toBe(false);
    // Separate connections are spread over both workers (their request logs carry their pid).
    for (let i = 0; i < 30; i++) expect((await get(port, '/es/municipalidades/150101')).status).toBe(200);
    const served = new Set(
      output()
        .split('\n')
        .filter((l) => l.includes('"url":"/es/municipalidades/150101"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid),
    );
    expect([...served].sort()).toEqual([...workers].sort());
    // A worker killed from outside is replaced; the port keeps answering meanwhile.
    process.kill([...workers][0], 'SIGKILL');
    const deadline = Date.now() + 15000;
    while (listening().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(listening()).toHaveLength(3);
    expect(output()).toContain('worker died; starting another');
    expect((await get(port, '/en/')).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });
});
