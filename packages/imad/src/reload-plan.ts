/**
 * Which settings a reload (SIGHUP, PUT /api/config) can apply to a running
 * daemon. Some are read once, when the daemon opens its sockets, store and
 * subscriptions: changing them at run time would half-move the daemon (a store
 * folder replaced under a held lock, listeners that are not the ones
 * configured). A reload keeps their running values and names them, so that the
 * operator knows a restart is needed; everything else applies at once.
 */
import type { Config } from './config/types.js';

/** The settings that need a restart, by their YAML key, with how to read each. */
export const RESTART_ONLY: ReadonlyArray<{ readonly key: string; readonly of: (c: Config) => unknown }> = [
  { key: 'storage.dir', of: (c) => c.storage.dir },
  { key: 'sip.listen', of: (c) => c.sip.listen },
  { key: 'sip.tls', of: (c) => c.sip.tls },
  { key: 'sip.trunk.phone_state', of: (c) => c.sip.trunk.phoneState },
  { key: 'http.listen', of: (c) => c.http.listen },
  { key: 'http.embed_origins', of: (c) => c.http.embedOrigins },
  { key: 'http.tls', of: (c) => c.http.tls },
  { key: 'http.session_idle', of: (c) => c.http.sessionIdleMs },
];

export interface ReloadPlan {
  /** The configuration to run: the file's, with the running value of every restart-only setting. */
  readonly config: Config;
  /** The restart-only settings the file changes (they keep their running values). */
  readonly needsRestart: readonly string[];
}

export function planReload(running: Config, file: Config): ReloadPlan {
  const needsRestart = RESTART_ONLY.filter(({ of }) => JSON.stringify(of(running)) !== JSON.stringify(of(file))).map(({ key }) => key);
  const config: Config = {
    ...file,
    storage: running.storage,
    sip: { ...file.sip, listen: running.sip.listen, tls: running.sip.tls, trunk: { ...file.sip.trunk, phoneState: running.sip.trunk.phoneState } },
    http: { ...file.http, listen: running.http.listen, embedOrigins: running.http.embedOrigins, tls: running.http.tls, sessionIdleMs: running.http.sessionIdleMs },
  };
  return { config, needsRestart };
}
