import { prepareDatabase } from '../bootstrap';
import { loadConfig } from '../config';
import { createDb } from '../db';
import { createLogger } from '../lib/logger';
import { createMailer } from '../lib/mailer';
import { runDigests } from '../modules/participation';

/**
 * `npm run digests`: mails each follower what changed on the items and commitments they follow
 * (at most one digest per user a day). Run it from cron, e.g. once an hour; no in-process timer.
 * Unsubscribe links are signed with SESSION_SECRET, so set it to the server's value.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = createDb(config.db);
  try {
    await prepareDatabase(db, logger, false);
    const r = await runDigests({ db, mailer: createMailer(config, logger), publicUrl: config.publicUrl, secret: config.sessionSecret });
    logger.info(r, 'digests sent');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  // eslint-disable-next-line no-console -- a command-line failure goes to stderr
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
