import net from 'node:net';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createDb, Db } from '../../src/db';
import { createLogger } from '../../src/lib/logger';
import { i18n } from './app';
import { createTestDb, TestDb } from './db';

/** A TCP proxy that can be cut and restored, to play "the database went away and came back". */
export async function startProxy(targetHost: string, targetPort: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    restore: listen,
  };
}

export interface AppBehindProxy {
  /** The test database, reached directly (to seed it, and to drop it). */
  seeded: TestDb;
  proxy: Awaited<ReturnType<typeof startProxy>>;
  /** The app's own connection, through the proxy. */
  db: Db;
  app: ReturnType<typeof buildApp>;
}

/** A MariaDB test database and an app that reaches it only through a proxy the test can cut. */
export async function startAppBehindProxy({ seed = true }: { seed?: boolean } = {}): Promise<AppBehindProxy> {
  const seeded = await createTestDb('mysql', { seed });
  const real = new URL(seeded.config.db.client === 'mysql' ? seeded.config.db.url : '');
  const proxy = await startProxy(real.hostname, Number(real.port || 3306));
  const viaProxy = new URL(real.toString());
  viaProxy.port = String(proxy.port);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: viaProxy.toString() });
  const db = createDb(config.db);
  return { seeded, proxy, db, app: buildApp({ config, db, logger: createLogger('silent'), i18n }) };
}

export async function stopAppBehindProxy({ db, proxy, seeded }: AppBehindProxy): Promise<void> {
  await db.destroy();
  await proxy.cut();
  await seeded.cleanup();
}
