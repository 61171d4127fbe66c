/**
 * The wiring sections: sip (listeners, trunk, TLS), http, storage, log, shutdown, numbering.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_NUMBERING_PLAN } from '@ima/ima-policy';
import type { NumberingPlan } from '@ima/ima-policy';
import { complete } from './draft.js';
import type { Draft } from './draft.js';
import { TRANSPORTS, parseCidr, parseHostPort, parseListenSpec } from './net.js';
import { duration, listOf, oneOf, parsedText, text, textWhere, wholeNumber } from './scalars.js';
import { LOG_LEVELS, PHONE_STATE_SOURCES, WEBHOOK_EVENTS } from './types.js';
import type { HttpConfig, LogConfig, ShutdownConfig, SipConfig, StorageConfig, TlsConfig, TrunkConfig, WebhookConfig, WebhookEvent } from './types.js';
import { readMap } from './walk.js';
import type { Reader } from './walk.js';

/** Defaults of the wiring sections. */
export const WIRING_DEFAULTS = {
  transport: 'udp',
  optionsIntervalMs: 30_000,
  phoneState: 'presence',
  assistantDisplay: '{caller} > {manager}',
  httpListen: { host: '127.0.0.1', port: 8080 },
  historyKeep: 10_000,
  sessionIdleMs: 30 * 60_000,
  webhookAttempts: 5,
  webhookBackoffMs: 1_000,
  storageDir: './var',
  logLevel: 'info',
  drainTimeoutMs: 30_000,
} as const;

const PLACEHOLDERS = ['caller', 'manager'] as const;
const DAY_MS = 86_400_000;

/** How relative paths resolve, and whether files named in the configuration must be readable now. */
export interface PathOptions {
  readonly baseDir: string;
  readonly isCheckingFiles: boolean;
}

/** A path, resolved against the configuration file's folder. */
function path(paths: PathOptions): Reader<string> {
  return (walk, node, at) => {
    const value = text(walk, node, at);
    return value === undefined ? undefined : resolve(paths.baseDir, value);
  };
}

/** A path to a file that the daemon will read (a certificate, a key): readable now, when checking files. */
function readableFile(paths: PathOptions): Reader<string> {
  const read = path(paths);
  return (walk, node, at) => {
    const file = read(walk, node, at);
    if (file === undefined || !paths.isCheckingFiles) return file;
    try {
      accessSync(file, constants.R_OK);
      return file;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      walk.report(node, at, `cannot read ${file} (${code})`);
      return undefined;
    }
  };
}

const displayTemplate = textWhere((value) => {
  for (const match of value.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return `unknown placeholder {${name}}: use {caller} and {manager}`;
    }
  }
  return undefined;
});

const readTrunk: Reader<TrunkConfig> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['peers', 'allow', 'transport', 'options_interval', 'phone_state']);
  if (m === undefined) return undefined;
  const draft: Draft<TrunkConfig> = {
    peers: m.required('peers', listOf(parsedText((v) => parseHostPort(v, false)), 1)),
    allow: m.required('allow', listOf(parsedText(parseCidr), 1)),
    transport: m.optional('transport', oneOf(TRANSPORTS), WIRING_DEFAULTS.transport),
    optionsIntervalMs: m.optional('options_interval', duration(0, DAY_MS), WIRING_DEFAULTS.optionsIntervalMs),
    phoneState: m.optional('phone_state', oneOf(PHONE_STATE_SOURCES), WIRING_DEFAULTS.phoneState),
  };
  return complete(draft);
};

function readTls(paths: PathOptions): Reader<TlsConfig> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, ['cert', 'key', 'ca']);
    if (m === undefined) return undefined;
    return complete<TlsConfig>({
      cert: m.required('cert', readableFile(paths)),
      key: m.required('key', readableFile(paths)),
      ca: m.optional<string | null>('ca', readableFile(paths), null),
    });
  };
}

/** The `sip` section. */
export function readSip(paths: PathOptions): Reader<SipConfig> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, ['listen', 'trunk', 'tls', 'assistant_display']);
    if (m === undefined) return undefined;
    return complete<SipConfig>({
      listen: m.required('listen', listOf(parsedText(parseListenSpec), 1)),
      trunk: m.required('trunk', readTrunk),
      tls: m.optional<TlsConfig | null>('tls', readTls(paths), null),
      assistantDisplay: m.optional('assistant_display', displayTemplate, WIRING_DEFAULTS.assistantDisplay),
    });
  };
}

// What a CSP frame-ancestors source may be: scheme, host (optionally *.), optional port.
const ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;
const origin = textWhere((v) => (ORIGIN.test(v) ? undefined : `"${v}" is not an origin: write scheme://host[:port], as "https://jabber.example.com" or "https://*.webex.com"`));
const webUrl = textWhere((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `"${v}" must be an http:// or https:// URL`;
  } catch {
    return `"${v}" is not a URL`;
  }
});
// A short secret can be guessed from signed payloads; 16 characters is the least we accept.
const secret = textWhere((v) => (v.length >= 16 ? undefined : 'a webhook secret must be at least 16 characters'));

const readWebhook: Reader<WebhookConfig> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['url', 'secret', 'events', 'attempts', 'backoff']);
  if (m === undefined) return undefined;
  return complete<WebhookConfig>({
    url: m.required('url', webUrl),
    secret: m.required('secret', secret),
    events: m.optional<readonly WebhookEvent[]>('events', listOf(oneOf(WEBHOOK_EVENTS), 1), WEBHOOK_EVENTS),
    attempts: m.optional('attempts', wholeNumber(1, 20), WIRING_DEFAULTS.webhookAttempts),
    backoffMs: m.optional('backoff', duration(10, 10 * 60_000), WIRING_DEFAULTS.webhookBackoffMs),
  });
};

function readHttpTls(paths: PathOptions): Reader<{ cert: string; key: string }> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, ['cert', 'key']);
    if (m === undefined) return undefined;
    return complete({ cert: m.required('cert', readableFile(paths)), key: m.required('key', readableFile(paths)) });
  };
}

const readHistory: Reader<number> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['keep']);
  if (m === undefined) return undefined;
  return m.optional('keep', wholeNumber(10, 1_000_000), WIRING_DEFAULTS.historyKeep);
};

/** The `http` section. */
export function readHttp(paths: PathOptions): Reader<HttpConfig> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, ['listen', 'embed_origins', 'webhooks', 'history', 'session_idle', 'tls']);
    if (m === undefined) return undefined;
    return complete<HttpConfig>({
      listen: m.optional('listen', parsedText((v) => parseHostPort(v, true, true)), WIRING_DEFAULTS.httpListen),
      embedOrigins: m.optional('embed_origins', listOf(origin), []),
      webhooks: m.optional('webhooks', listOf(readWebhook), []),
      historyKeep: m.section('history', readHistory),
      sessionIdleMs: m.optional('session_idle', duration(60_000, 7 * DAY_MS), WIRING_DEFAULTS.sessionIdleMs),
      tls: m.optional<{ cert: string; key: string } | null>('tls', readHttpTls(paths), null),
    });
  };
}

/** The `storage` section. */
export function readStorage(paths: PathOptions): Reader<StorageConfig> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, ['dir']);
    if (m === undefined) return undefined;
    return complete<StorageConfig>({ dir: m.optional('dir', path(paths), resolve(paths.baseDir, WIRING_DEFAULTS.storageDir)) });
  };
}

/** The `log` section. */
export const readLog: Reader<LogConfig> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['level']);
  if (m === undefined) return undefined;
  return complete<LogConfig>({ level: m.optional('level', oneOf(LOG_LEVELS), WIRING_DEFAULTS.logLevel) });
};

/** The `shutdown` section. */
export const readShutdown: Reader<ShutdownConfig> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['drain_timeout']);
  if (m === undefined) return undefined;
  return complete<ShutdownConfig>({
    drainTimeoutMs: m.optional('drain_timeout', duration(0, DAY_MS), WIRING_DEFAULTS.drainTimeoutMs),
  });
};

const digits = (min: number, max: number, noLeadingZero = false): Reader<string> =>
  textWhere((value) => {
    const ok = new RegExp(`^${noLeadingZero ? '[1-9]' : '\\d'}\\d{${min - 1},${max - 1}}$`).test(value);
    if (ok) return undefined;
    return `"${value}" must be ${min} to ${max} digits${noLeadingZero ? ', not starting with 0' : ''}`;
  });

/** The `numbering` section: how the PBX presents numbers (see the policy's NumberingPlan). */
export const readNumbering: Reader<NumberingPlan> = (walk, node, at) => {
  const m = readMap(walk, node, at, [
    'country_code',
    'trunk_prefix',
    'international_prefix',
    'access_codes',
    'extension_max_length',
  ]);
  if (m === undefined) return undefined;
  const countryCode = m.optional<string | null>('country_code', digits(1, 3, true), null);
  const trunkPrefix = m.optional<string | null>('trunk_prefix', digits(1, 4), null);
  const draft: Draft<Omit<NumberingPlan, 'countryCode' | 'trunkPrefix'>> = {
    internationalPrefix: m.optional('international_prefix', digits(1, 4), DEFAULT_NUMBERING_PLAN.internationalPrefix),
    accessCodes: m.optional('access_codes', listOf(digits(1, 4)), DEFAULT_NUMBERING_PLAN.accessCodes),
    extensionMaxLength: m.optional('extension_max_length', wholeNumber(1, 15), DEFAULT_NUMBERING_PLAN.extensionMaxLength),
  };
  const base = complete(draft);
  if (base === undefined || countryCode === undefined || trunkPrefix === undefined) return undefined;
  return {
    ...base,
    ...(countryCode === null ? {} : { countryCode }),
    ...(trunkPrefix === null ? {} : { trunkPrefix }),
  };
};
