import pino from 'pino';

export type Logger = pino.Logger;

/** Structured logger. Redacts credentials and cookies wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token', '*.sid'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Neutralises CR/LF and control characters in user input before it reaches a log line. */
export function safeForLog(value: unknown, max = 200): string {
  return (
    String(value)
      // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
      .slice(0, max)
  );
}

/** Strips secrets that may travel in a URL (email-link tokens) before the URL is logged. */
export function urlForLog(url: string): string {
  return safeForLog(url.replace(/([?&](?:token|_csrf)=)[^&#]*/gi, '$1[redacted]'), 300);
}

/**
 * A security event (failed login, 403, CSRF failure, validation failure): time comes from the
 * logger; callers pass the user id and IP, never passwords, tokens or session ids.
 */
export function securityEvent(logger: Logger, event: string, fields: { ip?: string; userId?: number | null; email?: string; path?: string; [k: string]: unknown }): void {
  const clean: Record<string, unknown> = { security: event };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    clean[k] = typeof v === 'string' ? safeForLog(v) : v;
  }
  logger.warn(clean, `security: ${event}`);
}
