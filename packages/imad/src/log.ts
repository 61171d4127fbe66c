/**
 * The daemon's logger: pino JSON lines on stdout. Secrets are redacted by field
 * name wherever they sit (top level, or up to two objects deep, as in
 * `req.headers.authorization`), so that a log call that passes a request, a
 * user or a config section by mistake still writes no password, hash, token,
 * cookie or webhook secret.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { LOG_LEVELS, type LogLevel } from './config/types.js';

/** Field names whose values are never written. */
export const SECRET_FIELDS = ['password', 'passwordHash', 'password_hash', 'token', 'authorization', 'cookie', 'set-cookie', 'secret'] as const;

/** What a redacted value is written as. */
export const REDACTED = '[redacted]';

const field = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`);

/** fast-redact paths: each field at the top level and one or two objects down. */
const REDACT_PATHS = SECRET_FIELDS.flatMap((name) => [field(name).replace(/^\./, ''), `*${field(name)}`, `*.*${field(name)}`]);

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A logger at `level` on stdout (or `destination`), with secrets redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: REDACTED } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
