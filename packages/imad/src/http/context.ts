/**
 * What the routes share: the daemon (as ApiHost), sessions, tokens, the login limiter, the call
 * history, the live-event hub and the metrics.
 */
import type { ApiHost } from './api-host.js';
import type { CallHistory } from './call-history.js';
import type { EventHub } from './event-hub.js';
import type { LoginLimiter } from './login-limiter.js';
import type { ApiMetrics } from './metrics.js';
import type { SessionStore } from './sessions.js';
import type { TokenStore } from './token-store.js';

export interface ApiContext {
  readonly host: ApiHost;
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly limiter: LoginLimiter;
  readonly history: CallHistory;
  readonly hub: EventHub;
  readonly metrics: ApiMetrics;
  /** Served over HTTPS: cookies get Secure. */
  readonly isTls: boolean;
  /** When each live call was answered (epoch ms), by B2BUA call id. */
  readonly answeredAt: ReadonlyMap<string, number>;
}
