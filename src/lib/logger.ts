import pino from 'pino';

export type Logger = pino.Logger;

/** Structured logger. Redacts credentials and cookies wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}

/** Neutralises CR/LF and control characters in user input before it reaches a log line. */
export function safeForLog(value: unknown, max = 200): string {
  return String(value).replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}
