/**
 * @ima/imad — the IMA daemon: the configuration (YAML -> validated `Config`, every problem with
 * its line and column), its mapping to the policy's directory, password hashes, the daemon
 * itself and its HTTP API (OpenAPI document, webhook signatures for receivers to check).
 */
export { DEFAULT_SCRYPT_PARAMS, hashPassword, parsePasswordHash, verifyPassword } from './auth/password.js';
export type { PasswordHash, ScryptParams } from './auth/password.js';
export { formatDuration, parseDuration } from './config/duration.js';
export { TOP_LEVEL_KEYS, loadConfig, parseConfig } from './config/load.js';
export { startDaemon, watchedNumbers } from './daemon.js';
export type { ApplyOutcome, Daemon, DaemonOptions } from './daemon.js';
export type { DaemonEventMap, DaemonEventName, DaemonListener } from './daemon-events.js';
export { openApiDocument } from './http/openapi.js';
export { SIGNATURE_HEADER as WEBHOOK_SIGNATURE_HEADER, signature as webhookSignature } from './http/webhooks.js';
export { STEER_TARGETS } from './steer.js';
export type { ConfigResult, ParseOptions } from './config/load.js';
export { TRANSPORTS, cidrContains, parseCidr, parseHostPort, parseListenSpec } from './config/net.js';
export type { Cidr, HostPort, ListenSpec, Parsed, Transport } from './config/net.js';
export { formatProblem, sortProblems } from './config/problem.js';
export type { ConfigProblem } from './config/problem.js';
export { WIRING_DEFAULTS } from './config/sip-sections.js';
export { configDirectory, toDirectoryInput } from './config/to-directory.js';
export { LOG_LEVELS, PHONE_STATE_SOURCES, ROLES, WEBHOOK_EVENTS } from './config/types.js';
export type {
  AssistantConfig,
  Config,
  HttpConfig,
  LogConfig,
  LogLevel,
  ManagerConfig,
  PhoneStateSource,
  Role,
  ShutdownConfig,
  SipConfig,
  StorageConfig,
  TlsConfig,
  TrunkConfig,
  UserConfig,
  WebhookConfig,
  WebhookEvent,
} from './config/types.js';
export { StateStore, StoreError } from './store/state-store.js';
export type { StoreErrorCode, StoreOptions, StoredState } from './store/state-store.js';
export { PeerMonitor } from './trunk/peers.js';
export type { PeerHealth, PeerMonitorOptions, PeerStatus } from './trunk/peers.js';
export { isAllowed } from './trunk/acl.js';
export { phoneStateFromDialogInfo, phoneStateFromNotify, phoneStateFromPidf } from './phone-state/notify-body.js';
export type { BodyReading } from './phone-state/notify-body.js';
export { PhoneStateSubscriber } from './phone-state/subscriber.js';
export type { EventPackage, SubscriberOptions, SubscriptionStatus } from './phone-state/subscriber.js';
