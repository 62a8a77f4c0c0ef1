import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config';
import { Logger, safeForLog } from './logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** A simple HTML alternative of `text` (digests). */
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * A message could not be sent. It carries no `code` of its own, so a mail server that refuses
 * connections (ECONNREFUSED) is never taken for a database outage; the cause is kept for logs.
 */
export class MailError extends Error {
  constructor(public override readonly cause: unknown) {
    super('mail could not be sent');
    this.name = 'MailError';
  }
}

/** nodemailer, loaded with the first message: a start does not pay its ~50 ms of module loading (as ioredis in lib/redis.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a conditional load; the mailer's factory stays synchronous
const nodemailer = () => require('nodemailer') as typeof import('nodemailer');

const wrapErrors =
  (send: Mailer['send']): Mailer['send'] =>
  async (m) => {
    try {
      await send(m);
    } catch (err) {
      throw new MailError(err);
    }
  };

/**
 * SMTP in production. Elsewhere each message is written to the outbox folder as an .eml file
 * and logged (recipient, subject and file only: the body carries single-use links).
 */
export function createMailer(config: Pick<Config, 'mail'>, logger: Logger): Mailer {
  const { smtp, from, outboxDir } = config.mail;
  if (smtp) {
    let transport: Transporter | null = null;
    const open = () =>
      (transport ??= nodemailer().createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      }));
    return {
      send: wrapErrors(async (m) => {
        await open().sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
        logger.info({ to: safeForLog(m.to), subject: safeForLog(m.subject) }, 'mail sent');
      }),
    };
  }
  let transport: Transporter | null = null;
  const open = () => (transport ??= nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
  return {
    send: wrapErrors(async (m) => {
      const info = await open().sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
      await fs.promises.mkdir(outboxDir, { recursive: true });
      const file = path.join(outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`);
      await fs.promises.writeFile(file, info.message as Buffer);
      logger.info({ to: safeForLog(m.to), subject: safeForLog(m.subject), file }, 'mail written to outbox');
    }),
  };
}
