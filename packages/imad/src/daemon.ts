/**
 * The daemon's wiring: configuration -> policy directory and state (with the
 * stored runtime settings) -> SIP listeners behind the trunk ACL -> B2BUA whose
 * router is the policy -> trunk peer health (OPTIONS) -> phone-state
 * subscriptions. Every state change goes through the policy's step() and is
 * committed to the store before it counts.
 */
import type { Logger } from 'pino';
import { B2bua } from '@ima/b2bua';
import {
  type Command,
  type Decision,
  type Directory,
  type PolicyEvent,
  type PolicyState,
  type RefusalCode,
  explain,
  initialState,
  reconcileState,
  route,
  step,
} from '@ima/ima-policy';
import { SipTransportLayer, SystemClock, formatListenSpec } from '@ima/sip-core';
import { join } from 'node:path';
import { type CallInfo, PolicyRouter } from './calls.js';
import { runCtl } from './ctl/commands.js';
import { startControlServer } from './ctl/server.js';
import { configDirectory } from './config/to-directory.js';
import type { Config, LogLevel } from './config/types.js';
import { DaemonEvents } from './daemon-events.js';
import { startApiServer } from './http/server.js';
import { createLogger } from './log.js';
import { planReload } from './reload-plan.js';
import { DRAIN_REASON, endCalls } from './shutdown.js';
import { steerCall } from './steer.js';
import { PhoneStateSubscriber } from './phone-state/subscriber.js';
import { StateStore } from './store/state-store.js';
import { readYamlWhitelists, whitelistCommands, writeYamlWhitelists, yamlWhitelistsOf } from './store/yaml-whitelists.js';
import { AclTransport } from './trunk/acl-transport.js';
import { PeerMonitor } from './trunk/peers.js';
import { RefusalLog } from './trunk/refusal-log.js';

export interface DaemonOptions {
  /** The logger to use; its level is then the caller's (reloads leave it). Default: stdout at log.level, secrets redacted. */
  readonly logger?: Logger;
  /** A level given on the command line: it wins over log.level, at start and at every reload. */
  readonly logLevel?: LogLevel;
  /** The file the configuration was read from: GET/PUT /api/config read and replace it. */
  readonly configFile?: string;
}

/** A command's outcome; a refusal keeps the policy's stable code. */
export type ApplyOutcome = { ok: true } | { ok: false; code: RefusalCode; reason: string };

export interface Daemon {
  readonly logger: Logger;
  /** The SIP addresses actually bound (port 0 in the config gives an ephemeral one). */
  readonly listening: ReadonlyArray<{ protocol: string; address: string; port: number }>;
  state(): PolicyState;
  directory(): Directory;
  /** The configuration running now. */
  config(): Config;
  /** Apply a command through the policy; committed to the store before it returns. */
  apply(command: Command): ApplyOutcome;
  /**
   * Apply every command or none: each is checked against the state the previous ones made, and
   * the result is committed once. `index` names the refused command.
   */
  applyAll(commands: readonly Command[]): { ok: true } | { ok: false; code: RefusalCode; reason: string; index: number };
  /** Observe policy changes, calls, routing decisions and trunk peers (returns the unsubscriber). */
  on: DaemonEvents['on'];
  /** Where the HTTP API and portal listen (port 0 in the config gives an ephemeral one). */
  readonly http: { readonly host: string; readonly port: number };
  /**
   * Apply a new configuration without touching calls in progress: the directory
   * is replaced (runtime settings of users that remain are kept), the ACL, trunk
   * peers, watched numbers, log.level and shutdown.drain_timeout follow. All or
   * nothing: whatever can fail is done before anything changes, and a refusal
   * leaves the running configuration whole. Settings read only at start
   * (RESTART_ONLY: storage.dir, listen addresses, TLS, phone_state, ...) keep
   * their running values and come back as warnings. Never throws.
   */
  reload(config: Config): { ok: true; warnings: string[] } | { ok: false; reason: string };
  /**
   * Stop taking calls (503), wait for the calls in progress to end, at most `timeoutMs`; then end
   * those still up properly (BYE, CANCEL, a final response to the caller), wait briefly for the
   * other sides to take it, and close.
   */
  drain(timeoutMs: number): Promise<void>;
  readonly b2bua: B2bua;
  readonly peers: PeerMonitor;
  close(): Promise<void>;
}

const SYSTEM = { kind: 'system' } as const;

export async function startDaemon(config: Config, opts: DaemonOptions = {}): Promise<Daemon> {
  const logger = opts.logger ?? createLogger(opts.logLevel ?? config.log.level);
  const built = configDirectory(config);
  if (!built.ok) throw new Error(`the configuration does not make a directory: ${built.problems.map((p) => p.message).join('; ')}`);
  let directory = built.directory;
  let current = config;

  const seenWhitelists = readYamlWhitelists(config.storage.dir);
  const { store, state: stored, droppedTornWrite } = StateStore.open(config.storage.dir);
  if (droppedTornWrite) logger.warn({ dir: config.storage.dir }, 'dropped a state write cut short by a crash (it was never acknowledged)');
  let state = stored ? reconcileState(directory, { managers: stored.managers, assistants: stored.assistants, phones: {} }) : initialState(directory);
  // The YAML whitelists may have been edited while imad was stopped: apply the difference, as SIGHUP would.
  if (stored) {
    for (const command of whitelistCommands(seenWhitelists ?? {}, yamlWhitelistsOf(config))) {
      const r = step(directory, state, command);
      if (r.ok) state = r.state;
      // An entry removed from the YAML may already have been removed at run time: nothing to say.
      else if (r.code !== 'POLICY_NO_SUCH_ENTRY') logger.warn({ command: command.type, reason: r.reason }, 'a YAML whitelist change could not be applied');
    }
  }
  store.commit(state);
  writeYamlWhitelists(config.storage.dir, yamlWhitelistsOf(config));

  const clock = new SystemClock();
  let transport: SipTransportLayer;
  try {
    transport = await SipTransportLayer.listen({
      listen: config.sip.listen.map((l) => formatListenSpec({ protocol: l.transport, address: l.host, port: l.port })),
      ...(config.sip.tls ? { tls: { certFile: config.sip.tls.cert, keyFile: config.sip.tls.key, ...(config.sip.tls.ca ? { caFile: config.sip.tls.ca } : {}) } } : {}),
      clock,
      logger,
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const listening = transport.listening();
  const refusals = new RefusalLog({ clock, logger });
  const acl = new AclTransport(transport, config.sip.trunk.allow, (source, method) => refusals.note(source, method));
  const contactFor = (protocol: string): string => {
    const p = listening.find((l) => l.protocol === protocol) ?? listening[0]!;
    const host = p.address.includes(':') ? `[${p.address}]` : p.address;
    return `<sip:ima@${host}:${p.port}${p.protocol === 'udp' ? '' : `;transport=${p.protocol}`}>`;
  };

  const events = new DaemonEvents((err, name) => logger.error({ err, event: name }, 'a daemon event listener failed'));
  const applyAll = (commands: readonly Command[]): { ok: true } | { ok: false; code: RefusalCode; reason: string; index: number } => {
    let next = state;
    const changes: Array<{ command: Command; events: readonly PolicyEvent[] }> = [];
    for (const [index, command] of commands.entries()) {
      const result = step(directory, next, command);
      if (!result.ok) return { ok: false, code: result.code, reason: result.reason, index };
      next = result.state;
      changes.push({ command, events: result.events.filter((e) => e.type !== 'unchanged') });
    }
    if (next === state) return { ok: true };
    store.commit(next);
    state = next;
    for (const c of changes) if (c.events.length > 0) events.emit('state', { by: c.command.by, command: c.command.type, events: c.events });
    return { ok: true };
  };
  const apply = (command: Command): ApplyOutcome => {
    const r = applyAll([command]);
    return r.ok ? r : { ok: false, code: r.code, reason: r.reason };
  };
  /**
   * What the system itself notes while calls go on (a one-call entry used, a phone's state): a disk
   * that refuses the write must not fail the call or the NOTIFY that caused it. Nothing changes then.
   */
  const note = (command: Command): void => {
    try {
      apply(command);
    } catch (err) {
      logger.error({ err, command: command.type }, 'state change not stored (the disk refused it); the state stays as it was');
    }
  };

  let peers: PeerMonitor | undefined;
  let isDraining = false;
  const router = new PolicyRouter(
    {
      decide: (call) => route(directory, state, call, Date.now()),
      refusal: () => (isDraining ? DRAIN_REASON : undefined),
      assistantDisplay: (callerName, managerId) =>
        current.sip.assistantDisplay.replaceAll('{caller}', callerName).replaceAll('{manager}', directory.managers.get(managerId)?.name ?? managerId),
      peer: () => peers?.firstHealthy(),
      peerFailed: (peer, reason) => peers?.markDown(peer.host, peer.port, reason),
      consumed: (decision: Decision) => {
        for (const ref of decision.consumes) note({ type: 'entryUsed', by: SYSTEM, managerId: ref.managerId, list: ref.list, pattern: ref.pattern } as Command);
      },
      log: (callId, decision, caller, called) => logger.info({ callId, caller, called, decision: decision.kind, reason: decision.reason }, 'routed'),
      routed: (callId, decision) => events.emit('decision', { callId, decision }),
    },
    (managerId) => directory.managers.get(managerId)?.number,
  );
  const b2bua = new B2bua({ transport: acl, router, contact: contactFor, clock, logger });
  // Phone state seen from the calls IMA connects: a number is busy while a call through IMA is up
  // on it. Used when no subscription reports that number (refused, or phone_state: none).
  const onCallsThroughUs = new Map<string, number>();
  const userOf = (uri: string): string | undefined => /^sips?:([^@;]+)@/.exec(uri)?.[1];
  const seen = (number: string | undefined, delta: 1 | -1): void => {
    if (number === undefined) return;
    const n = (onCallsThroughUs.get(number) ?? 0) + delta;
    if (n <= 0) onCallsThroughUs.delete(number);
    else onCallsThroughUs.set(number, n);
    const watched = watchedSet.has(number);
    if (!watched || subscriber?.status(number) === 'active') return;
    if (delta === 1 && n === 1) note({ type: 'phoneStateChanged', by: SYSTEM, number, phone: 'busy' });
    if (delta === -1 && n <= 0) note({ type: 'phoneStateChanged', by: SYSTEM, number, phone: 'idle' });
  };
  // The desks and assistants' phones, computed once per directory (not per call).
  let watchedSet = new Set(watchedNumbers(directory));
  b2bua.on((e) => {
    // Observers first: at 'ended' they still find what the router kept about the call.
    events.emit('call', e);
    if (e.type === 'answered') {
      seen(userOf(e.call.legs.find((l) => l.id === e.leg)?.target.uri ?? ''), 1);
      return;
    }
    if (e.type === 'retargeted') {
      seen(userOf(e.call.legs.find((l) => l.id === e.to)?.target.uri ?? ''), 1);
      seen(userOf(e.call.legs.find((l) => l.id === e.from)?.target.uri ?? ''), -1);
      return;
    }
    if (e.type !== 'ended') return;
    logger.info({ callId: e.call.id, cause: e.cause }, 'call ended');
    router.forget(e.call.id);
    const answered = e.call.answeredLeg;
    if (answered) seen(userOf(answered.target.uri), -1);
  });

  const first = listening[0]!;
  const fromUri = `sip:ima@${first.address.includes(':') ? `[${first.address}]` : first.address}`;
  const monitor = (c: Config): PeerMonitor =>
    new PeerMonitor({
      endpoint: b2bua.endpoint,
      clock,
      peers: c.sip.trunk.peers,
      protocol: c.sip.trunk.transport,
      intervalMs: c.sip.trunk.optionsIntervalMs,
      fromUri,
      onChange: (p, previous) => {
        logger.info({ peer: `${p.host}:${p.port}`, from: previous, to: p.status, reason: p.reason }, 'trunk peer');
        events.emit('peers', peers?.health() ?? [p]);
      },
    });
  peers = monitor(config);
  peers.start();

  let subscriber: PhoneStateSubscriber | undefined;
  if (config.sip.trunk.phoneState !== 'none') {
    subscriber = new PhoneStateSubscriber({
      endpoint: b2bua.endpoint,
      clock,
      package: config.sip.trunk.phoneState,
      peer: () => peers?.firstHealthy(),
      fromUri,
      contact: contactFor(config.sip.trunk.transport),
      onState: (number, phone) => note({ type: 'phoneStateChanged', by: SYSTEM, number, phone }),
      onRefused: (number, reason) => logger.warn({ number, reason }, 'phone state: the PBX refused the subscription; using what calls through IMA show'),
    });
    subscriber.watch([...watchedSet]);
  }

  const control = await startControlServer(join(config.storage.dir, 'imad.sock'), (req) =>
    runCtl(
      {
        directory: () => directory,
        state: () => state,
        apply,
        b2bua,
        peers: () => peers?.health() ?? [],
        peer: () => peers?.firstHealthy(),
        listening,
        callInfo: (id) => router.info(id),
      },
      req,
    ),
  );

  const startedAt = Date.now();
  let api: Awaited<ReturnType<typeof startApiServer>>;
  try {
    api = await startApiServer({
      logger,
      config: () => current,
      configFile: opts.configFile,
      directory: () => directory,
      state: () => state,
      applyAll,
      reload: (next) => reload(next),
      b2bua,
      callInfo: (id): CallInfo | undefined => router.info(id),
      peers: () => peers?.health() ?? [],
      steer: (call, target) => steerCall({ directory: () => directory, peer: () => peers?.firstHealthy(), callInfo: (id) => router.info(id), steered: (c) => router.steered(c) }, call, target),
      explain: (callerNumber, calledNumber) => explain(directory, state, { callerNumber, calledNumber }, Date.now()),
      events,
      startedAt,
    });
  } catch (err) {
    // Nothing may stay bound when the HTTP address is taken: the caller sees one clean failure.
    await new Promise<void>((resolve) => control.close(() => resolve()));
    subscriber?.stop();
    peers?.stop();
    await b2bua.close();
    store.close();
    throw new Error(`cannot serve HTTP on ${config.http.listen.host}:${config.http.listen.port}: ${(err as Error).message}`);
  }

  logger.info({ listen: listening.map(formatListenSpec), http: `${api.address.host}:${api.address.port}`, managers: directory.managers.size, control: join(config.storage.dir, 'imad.sock') }, 'imad started');
  type ReloadResult = { ok: true; warnings: string[] } | { ok: false; reason: string };
  // The boundary of SIGHUP and PUT /api/config: nothing thrown may take the daemon (or the HTTP request) down.
  const reload = (file: Config): ReloadResult => {
    try {
      return reloadWhole(file);
    } catch (err) {
      logger.error({ err }, 'reload failed');
      return { ok: false, reason: `reload failed: ${(err as Error).message}` };
    }
  };
  /** What can fail (the new directory, the policy's replacement, the store's writes) runs before anything changes. */
  const reloadWhole = (file: Config): ReloadResult => {
    const { config: next, needsRestart } = planReload(current, file);
    const rebuilt = configDirectory(next);
    if (!rebuilt.ok) return { ok: false, reason: rebuilt.problems.map((p) => p.message).join('; ') };
    const replaced = step(rebuilt.directory, state, { type: 'directoryReplaced', by: SYSTEM, directory: rebuilt.directory });
    if (!replaced.ok) return { ok: false, reason: replaced.reason };
    // Whitelist entries written in the YAML follow the file; entries added at run time stay.
    let nextState = replaced.state;
    const changes: Array<{ command: Command; events: readonly PolicyEvent[] }> = [];
    const skipped: Array<{ command: string; reason: string }> = [];
    for (const command of whitelistCommands(yamlWhitelistsOf(current), yamlWhitelistsOf(next))) {
      const r = step(rebuilt.directory, nextState, command);
      if (r.ok) {
        nextState = r.state;
        changes.push({ command, events: r.events.filter((e) => e.type !== 'unchanged') });
      } else if (r.code !== 'POLICY_NO_SUCH_ENTRY') skipped.push({ command: command.type, reason: r.reason });
      // An entry removed from the YAML may already have been removed at run time: nothing to say.
    }
    try {
      store.commit(nextState);
    } catch (err) {
      return { ok: false, reason: `cannot store the new state: ${(err as Error).message}` };
    }
    try {
      writeYamlWhitelists(current.storage.dir, yamlWhitelistsOf(next));
    } catch (err) {
      // The state is already on disk: put the old one back, so that disk and memory stay the running configuration.
      try {
        store.commit(state);
      } catch (undo) {
        logger.error({ err: undo }, 'reload: cannot put the previous state back in the store; the next start reads the new one');
      }
      return { ok: false, reason: `cannot store the YAML whitelists: ${(err as Error).message}` };
    }

    // From here on nothing can fail: the new configuration is applied whole.
    for (const w of skipped) logger.warn(w, 'a YAML whitelist change could not be applied');
    directory = rebuilt.directory;
    state = nextState;
    events.emit('state', { by: SYSTEM, command: 'directoryReplaced', events: replaced.events });
    for (const c of changes) if (c.events.length > 0) events.emit('state', { by: c.command.by, command: c.command.type, events: c.events });
    acl.setAllow(next.sip.trunk.allow);
    if (JSON.stringify(next.sip.trunk.peers) !== JSON.stringify(current.sip.trunk.peers) || next.sip.trunk.optionsIntervalMs !== current.sip.trunk.optionsIntervalMs || next.sip.trunk.transport !== current.sip.trunk.transport) {
      peers?.stop();
      peers = monitor(next);
      peers.start();
    }
    watchedSet = new Set(watchedNumbers(directory));
    subscriber?.watch([...watchedSet]);
    // A logger given by the caller, or a level given on the command line, is not the file's to change.
    if (opts.logger === undefined && opts.logLevel === undefined) logger.level = next.log.level;
    current = next;
    const warnings = needsRestart.map((key) => `${key} changed: restart imad to apply it (the running value stays until then)`);
    if (needsRestart.length > 0) logger.warn({ keys: needsRestart }, 'reload: these settings need a restart; they keep their running values');
    logger.info({ managers: directory.managers.size, warnings }, 'configuration reloaded');
    return { ok: true, warnings };
  };

  const close = async (): Promise<void> => {
    await api.close();
    await new Promise<void>((resolve) => control.close(() => resolve()));
    subscriber?.stop();
    peers?.stop();
    refusals.stop();
    await b2bua.close();
    store.close();
    logger.info('imad stopped');
  };

  return {
    logger,
    listening,
    state: () => state,
    directory: () => directory,
    config: () => current,
    apply,
    applyAll,
    on: (name, listener) => events.on(name, listener),
    http: api.address,
    reload,
    async drain(timeoutMs: number) {
      isDraining = true;
      logger.info({ calls: b2bua.stats.calls, timeoutMs }, 'draining: new calls get 503, calls in progress go on');
      const deadline = Date.now() + timeoutMs;
      while (b2bua.stats.calls > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (b2bua.stats.calls > 0) {
        logger.warn({ calls: b2bua.stats.calls }, 'drain timeout: ending the calls still up (BYE, or CANCEL and 503 when unanswered)');
        const ended = await endCalls(b2bua);
        if (!ended.isSettled) logger.warn({ calls: ended.calls, left: b2bua.stats.calls }, 'drain: some far ends did not answer the end of their call in time; closing anyway');
      }
      await close();
    },
    b2bua,
    get peers() {
      return peers!;
    },
    close,
  };
}

/** The numbers whose phone state the policy reads: every manager's desk and every assistant's phone. */
export function watchedNumbers(directory: Directory): string[] {
  const out = new Set<string>();
  for (const m of directory.managers.values()) out.add(m.targets.desk);
  for (const a of directory.assistants.values()) out.add(a.number);
  return [...out];
}
