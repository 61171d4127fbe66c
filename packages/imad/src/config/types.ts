/**
 * The validated configuration: the YAML of docs/config.md with every default applied, every
 * duration in milliseconds, every address parsed and every relative path resolved against the
 * file's folder.
 */
import type {
  AlertingMode,
  AssistantAvailability,
  BlockAction,
  FallbackTarget,
  FilterMode,
  ManagerAvailability,
  NumberingPlan,
  Targets,
} from '@ima/ima-policy';
import type { Cidr, HostPort, ListenSpec, Transport } from './net.js';

/** How the phone state of monitored numbers is learnt from the PBX. */
export const PHONE_STATE_SOURCES = ['presence', 'dialog', 'none'] as const;
/** @see PHONE_STATE_SOURCES */
export type PhoneStateSource = (typeof PHONE_STATE_SOURCES)[number];

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** @see LOG_LEVELS */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The user roles of the portal and API. */
export const ROLES = ['admin', 'manager', 'assistant'] as const;
/** @see ROLES */
export type Role = (typeof ROLES)[number];

/** The SIP trunk towards the PBX. */
export interface TrunkConfig {
  /** PBX nodes, in failover order. */
  readonly peers: readonly HostPort[];
  /** Who may send requests; everyone else is refused. */
  readonly allow: readonly Cidr[];
  /** Transport of outgoing legs. */
  readonly transport: Transport;
  /** OPTIONS keepalive period towards each peer; 0 disables. */
  readonly optionsIntervalMs: number;
  readonly phoneState: PhoneStateSource;
}

/** Certificate and key for TLS listeners and outgoing TLS legs (absolute paths). */
export interface TlsConfig {
  readonly cert: string;
  readonly key: string;
  /** Extra CA bundle that peers' certificates are checked against; the system's when null. */
  readonly ca: string | null;
}

export interface SipConfig {
  readonly listen: readonly ListenSpec[];
  readonly trunk: TrunkConfig;
  /** Present when a listener or the trunk uses TLS. */
  readonly tls: TlsConfig | null;
  /** From display name of a call offered to an assistant; `{caller}` and `{manager}` are replaced. */
  readonly assistantDisplay: string;
}

/** Live events a webhook may receive (the names of the SSE events). */
export const WEBHOOK_EVENTS = ['call', 'manager', 'assistant', 'peers'] as const;
/** @see WEBHOOK_EVENTS */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An admin-configured URL that receives events as signed JSON POSTs. */
export interface WebhookConfig {
  readonly url: string;
  /** HMAC-SHA256 key of the X-IMA-Signature header. */
  readonly secret: string;
  readonly events: readonly WebhookEvent[];
  /** Deliveries tried per event (the first and the retries). */
  readonly attempts: number;
  /** Wait before the first retry; doubled for each next one. */
  readonly backoffMs: number;
}

export interface HttpConfig {
  readonly listen: HostPort;
  /** Origins (scheme://host[:port]) allowed to frame the /embed pages. */
  readonly embedOrigins: readonly string[];
  readonly webhooks: readonly WebhookConfig[];
  /** Call history entries kept under storage.dir (at least this many, at most twice). */
  readonly historyKeep: number;
  /** A portal session unused for this long is logged out. */
  readonly sessionIdleMs: number;
  /** Certificate and key when the portal and API are served over HTTPS (absolute paths). */
  readonly tls: { readonly cert: string; readonly key: string } | null;
}

export interface StorageConfig {
  /** Absolute folder of the runtime state. */
  readonly dir: string;
}

export interface LogConfig {
  readonly level: LogLevel;
}

export interface ShutdownConfig {
  /** How long SIGTERM lets calls in progress go on before the daemon exits. */
  readonly drainTimeoutMs: number;
}

/** A manager, with the YAML's initial runtime settings and their defaults. */
export interface ManagerConfig {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly targets: Targets;
  readonly assistants: readonly string[];
  readonly active: readonly string[];
  /** `filter` in the YAML. */
  readonly isFilterOn: boolean;
  readonly filterMode: FilterMode;
  readonly availability: ManagerAvailability;
  readonly alerting: AlertingMode;
  readonly noAnswerMs: number;
  readonly fallback: FallbackTarget;
  readonly blockAction: BlockAction;
  readonly whitelist: readonly string[];
  /** IANA time zone. */
  readonly timeZone: string;
}

export interface AssistantConfig {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly availability: AssistantAvailability;
}

/** A portal or API login. */
export type UserConfig =
  | { readonly login: string; readonly role: 'admin'; readonly passwordHash: string }
  | { readonly login: string; readonly role: 'manager'; readonly manager: string; readonly passwordHash: string }
  | { readonly login: string; readonly role: 'assistant'; readonly assistant: string; readonly passwordHash: string };

/** The whole validated configuration. */
export interface Config {
  readonly sip: SipConfig;
  readonly http: HttpConfig;
  readonly storage: StorageConfig;
  readonly log: LogConfig;
  readonly shutdown: ShutdownConfig;
  readonly numbering: NumberingPlan;
  readonly managers: readonly ManagerConfig[];
  readonly assistants: readonly AssistantConfig[];
  readonly users: readonly UserConfig[];
}
