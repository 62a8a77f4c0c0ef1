import fs from 'node:fs';
import path from 'node:path';
import express, { Express } from 'express';
import type { i18n as I18n } from 'i18next';
import pinoHttp from 'pino-http';
import type { Config } from './config';
import type { Db } from './db';
import { negotiateLanguage } from './i18n';
import type { Logger } from './lib/logger';
import { createMunicipalitiesModule, createMunicipalitiesService } from './modules/municipalities';
import { createSiteModule } from './modules/site';
import { createSpendingModule, createSpendingService } from './modules/spending';
import { errorHandler, notFound } from './web/errors';
import { healthRouter, Lifecycle } from './web/health';
import { createPageRegistrar, languageRouters } from './web/pages';
import { cspNonce, securityHeaders } from './web/security';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  i18n: I18n;
  lifecycle?: Lifecycle;
}

function projectDir(name: string): string {
  for (const dir of [path.resolve(__dirname, '..', name), path.resolve(__dirname, '..', '..', name)]) {
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error(`${name} folder not found`);
}

/** The one place where modules are wired together. */
export function buildApp({ config, db, logger, i18n, lifecycle = { shuttingDown: false } }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('env', config.env === 'production' ? 'production' : 'development');
  app.set('views', projectDir('views'));
  app.set('view engine', 'ejs');
  app.set('view cache', config.env === 'production');
  app.set('query parser', 'simple');
  if (config.trustProxy) app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  app.locals = Object.create(null); // nothing global leaks into templates

  app.use(cspNonce);
  app.use(securityHeaders(config.env === 'production'));
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: { req: (req) => ({ method: req.method, url: req.url, id: req.id }), res: (res) => ({ statusCode: res.statusCode }) },
    }),
  );
  app.use('/static', express.static(projectDir('public'), { dotfiles: 'ignore', index: false, maxAge: config.env === 'production' ? '7d' : 0, fallthrough: true }));
  app.use(healthRouter(db, lifecycle));

  app.get('/', (req, res) => {
    res.set('Vary', 'Accept-Language').set('Cache-Control', 'no-cache');
    res.redirect(302, `/${negotiateLanguage(req.get('accept-language'))}/`);
  });

  const spending = createSpendingService({ db });
  const municipalitiesService = createMunicipalitiesService({ db });
  const modules: Array<{ registerPages: (r: ReturnType<typeof createPageRegistrar>) => void; api?: express.Router }> = [
    createSiteModule({ municipalities: municipalitiesService, spending }),
    createMunicipalitiesModule({ db, spending }),
    createSpendingModule({ db, spending, municipalities: municipalitiesService }),
  ];

  const registrar = createPageRegistrar();
  for (const m of modules) m.registerPages(registrar);
  for (const { lng, router } of languageRouters(i18n, registrar.pages)) app.use(`/${lng}`, router);

  const api = express.Router();
  api.use((_req, res, next) => {
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });
  for (const m of modules) if (m.api) api.use(m.api);
  app.use('/api/v1', api);

  app.use(notFound);
  app.use(errorHandler(i18n, logger));
  return app;
}
