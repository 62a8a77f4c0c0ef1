import http from 'node:http';
import { buildApp } from './app';
import { prepareDatabase } from './bootstrap';
import { loadConfig } from './config';
import { createDb } from './db';
import { createI18n } from './i18n';
import { createLogger } from './lib/logger';

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = createDb(config.db);
  await prepareDatabase(db, logger, config.loadReferenceData, config.seedExamples);
  const lifecycle = { shuttingDown: false };
  const app = buildApp({ config, db, logger, i18n: createI18n(), lifecycle });
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;

  server.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({ port, db: config.db.client, ms: Date.now() - started }, `Resultados Abiertos listening on http://localhost:${port}`);
  });

  // SIGTERM: readiness turns 503, in-flight requests finish, then exit 0.
  const shutdown = (signal: string) => {
    if (lifecycle.shuttingDown) return;
    lifecycle.shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('forcing shutdown after timeout');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep accepting for a short drain period so connections already opened (whose request
    // may not be parsed yet) are served; /readyz is 503 meanwhile so balancers stop sending.
    setTimeout(() => {
      server.close(async () => {
        await db.destroy().catch(() => undefined);
        logger.info('stopped');
        process.exit(0);
      });
      server.closeIdleConnections();
    }, config.shutdownDrainMs).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  // eslint-disable-next-line no-console
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
