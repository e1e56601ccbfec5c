import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets are redacted by path: keys, passwords, session tokens and
 * the Authorization header never reach a log line.
 * @example const log = createLogger('info'); log.info({ workspaceId }, 'workspace created')
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.password',
          '*.apiKey',
          '*.writeKey',
          '*.token',
          'password',
          'apiKey',
          'writeKey',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
