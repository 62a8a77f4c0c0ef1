import { prepareDatabase } from '../bootstrap';
import { loadConfig } from '../config';
import { createDb } from '../db';
import { createLogger } from '../lib/logger';
import { createBackgroundJobs } from '../lib/background';
import { createMailer, MailMessage, Mailer } from '../lib/mailer';
import { connectRedis } from '../lib/redis';
import { runDigests } from '../modules/participation';

/**
 * `npm run digests`: mails each follower what changed on what they follow (municipalities,
 * processes, hearings, items, proposals, commitments), in their language, at most once a day
 * (daily) or a week (weekly), never when off. Run it from cron or a systemd timer, e.g. once an
 * hour; no in-process timer.
 * Unsubscribe links are signed with SESSION_SECRET, so set it to the server's value. With
 * REDIS_URL each digest is queued as a 'mail' job (sent by `npm run worker`, retried, listed for
 * admins when it fails for good); without, they are sent from this command.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = createDb(config.db);
  const redis = config.redis ? connectRedis(config.redis, logger) : null;
  const jobs = redis ? createBackgroundJobs(logger, { redis, ...config.jobs }) : null;
  try {
    await prepareDatabase(db, logger, false);
    const direct = createMailer(config, logger);
    // Redis away: the jobs run here instead (enqueue falls back to this process), so define the mail job.
    jobs?.define('mail', (m) => direct.send(m as unknown as MailMessage));
    await redis?.whenReady();
    const mailer: Mailer = jobs ? { send: async (m) => void (await jobs.enqueue('mail', { ...m })) } : direct;
    const r = await runDigests({ db, mailer, publicUrl: config.publicUrl, secret: config.sessionSecret });
    logger.info(r, jobs ? 'digests queued' : 'digests sent');
    await jobs?.idle({ queue: false }); // mails sent here because Redis was away
  } finally {
    await jobs?.close();
    await redis?.close();
    await db.destroy();
  }
}

main().catch((err) => {
  // eslint-disable-next-line no-console -- a command-line failure goes to stderr
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
