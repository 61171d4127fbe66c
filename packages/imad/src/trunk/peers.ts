/**
 * Health of the PBX nodes of the trunk: IMA pings each peer with OPTIONS every
 * `intervalMs` (RFC 3261 §11) and places new calls on the first peer, in
 * configured order, that is not down. A peer is down when a ping gets no final
 * response within `timeoutMs`, cannot be sent, or is answered 503 (overloaded:
 * RFC 3261 §21.5.4); it is up again with the next other answer. A call that
 * fails on a peer for transport reasons marks it down at once.
 *
 *   unknown ──answer──▶ up ──timeout / 503 / send error / markDown──▶ down ──answer──▶ up
 *
 * Before its first answer a peer counts as usable, so that calls are not refused
 * at start-up; with pings disabled (interval 0) every peer stays "unknown",
 * except that one a call failed on is skipped for `unpingedRetryMs`.
 */
import type { Clock, Destination, Endpoint, TimerHandle, TransportProtocol } from '@ima/sip-core';
import { SipRequest, parseUri } from '@ima/sip-core';

export type PeerStatus = 'unknown' | 'up' | 'down';

export interface PeerHealth {
  readonly host: string;
  readonly port: number;
  readonly status: PeerStatus;
  /** Clock time of the last status change. */
  readonly since: number;
  /** Round trip of the last answered ping, in ms. */
  readonly rttMs: number | undefined;
  /** Why it is down, for operators. */
  readonly reason: string | undefined;
}

export interface PeerMonitorOptions {
  readonly endpoint: Endpoint;
  readonly clock: Clock;
  readonly peers: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly protocol: TransportProtocol;
  /** OPTIONS period; 0 disables pinging. */
  readonly intervalMs: number;
  /** How long a ping may go unanswered (default: the interval, at most 5 s). */
  readonly timeoutMs?: number;
  /** Our identity in the From header, e.g. `sip:ima@127.0.0.1`. */
  readonly fromUri: string;
  readonly onChange?: (peer: PeerHealth, previous: PeerStatus) => void;
  /** With pings disabled, how long a peer marked down by a failed call is skipped (default 30 s). */
  readonly unpingedRetryMs?: number;
}

interface Peer {
  health: PeerHealth;
  timer: TimerHandle | undefined;
  deadline: TimerHandle | undefined;
  seq: number;
}

export class PeerMonitor {
  readonly #opts: PeerMonitorOptions;
  readonly #peers: Peer[];
  readonly #timeoutMs: number;
  #running = false;

  constructor(opts: PeerMonitorOptions) {
    this.#opts = opts;
    this.#timeoutMs = opts.timeoutMs ?? Math.min(Math.max(opts.intervalMs, 1), 5000);
    const now = opts.clock.now();
    this.#peers = opts.peers.map((p) => ({
      health: { host: p.host, port: p.port, status: 'unknown', since: now, rttMs: undefined, reason: undefined },
      timer: undefined,
      deadline: undefined,
      seq: 0,
    }));
  }

  /** Start pinging (each peer at once, then every interval). */
  start(): void {
    if (this.#running || this.#opts.intervalMs <= 0) return;
    this.#running = true;
    for (const p of this.#peers) this.#ping(p);
  }

  stop(): void {
    this.#running = false;
    for (const p of this.#peers) {
      if (p.timer) this.#opts.clock.clearTimeout(p.timer);
      if (p.deadline) this.#opts.clock.clearTimeout(p.deadline);
      p.timer = p.deadline = undefined;
    }
  }

  health(): PeerHealth[] {
    return this.#peers.map((p) => p.health);
  }

  /** The first peer, in configured order, that is not down; undefined when all are. */
  firstHealthy(): Destination | undefined {
    const p = this.#peers.find((x) => x.health.status !== 'down');
    return p ? { protocol: this.#opts.protocol, host: p.health.host, port: p.health.port } : undefined;
  }

  /** Peers to try for a new call, healthy first, in configured order (down ones last, as a last resort). */
  candidates(): Destination[] {
    const order = [...this.#peers.filter((p) => p.health.status !== 'down'), ...this.#peers.filter((p) => p.health.status === 'down')];
    return order.map((p) => ({ protocol: this.#opts.protocol, host: p.health.host, port: p.health.port }));
  }

  /** A call could not reach this peer (transport error, timeout): skip it until it answers a ping again. */
  markDown(host: string, port: number, reason: string): void {
    const p = this.#peers.find((x) => x.health.host === host && x.health.port === port);
    if (p === undefined) return;
    this.#set(p, 'down', reason, undefined);
    if (this.#running) return;
    // Without pings nothing would ever bring it back: it gets another chance after a while.
    if (p.timer) this.#opts.clock.clearTimeout(p.timer);
    p.timer = this.#opts.clock.setTimeout(() => {
      p.timer = undefined;
      if (p.health.status === 'down') this.#set(p, 'unknown', undefined, undefined);
    }, this.#opts.unpingedRetryMs ?? 30_000);
  }

  #set(p: Peer, status: PeerStatus, reason: string | undefined, rttMs: number | undefined): void {
    const previous = p.health.status;
    const changed = previous !== status;
    p.health = { ...p.health, status, reason, rttMs: rttMs ?? p.health.rttMs, since: changed ? this.#opts.clock.now() : p.health.since };
    if (changed) this.#opts.onChange?.(p.health, previous);
  }

  #ping(p: Peer): void {
    if (!this.#running) return;
    const { clock, endpoint, protocol, fromUri } = this.#opts;
    const seq = ++p.seq;
    const started = clock.now();
    const target = `sip:${p.health.host.includes(':') ? `[${p.health.host}]` : p.health.host}:${p.health.port}`;
    const req = new SipRequest({
      method: 'OPTIONS',
      uri: parseUri(target),
      headers: [
        ['From', `<${fromUri}>;tag=ping${seq}-${Math.floor(Math.random() * 1e9).toString(36)}`],
        ['To', `<${target}>`],
        ['Call-ID', `ping-${seq}-${Math.floor(Math.random() * 1e12).toString(36)}@ima`],
        ['CSeq', `${seq} OPTIONS`],
        ['Max-Forwards', '70'],
        ['Accept', 'application/sdp'],
      ],
    });
    let settled = false;
    const settle = (status: PeerStatus, reason?: string) => {
      if (settled || seq !== p.seq) return; // a late answer to an older ping
      settled = true;
      if (p.deadline) clock.clearTimeout(p.deadline);
      p.deadline = undefined;
      this.#set(p, status, reason, status === 'up' ? clock.now() - started : undefined);
    };
    p.deadline = clock.setTimeout(() => settle('down', `no answer to OPTIONS within ${this.#timeoutMs} ms`), this.#timeoutMs);
    endpoint.request(req, { protocol, host: p.health.host, port: p.health.port }, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (res.status === 503) settle('down', '503 to OPTIONS (overloaded or out of service)');
        else settle('up');
      },
      onTimeout: () => settle('down', 'OPTIONS timed out'),
      onTransportError: (err) => settle('down', `cannot send OPTIONS: ${err.message}`),
    });
    p.timer = clock.setTimeout(() => this.#ping(p), this.#opts.intervalMs);
  }
}
