/**
 * The B2BUA: owns an Endpoint and a DialogUserAgent on the transport it is
 * given, asks the application's CallRouter what to do with each incoming
 * INVITE, and runs one Call per INVITE. Observers get typed events (created,
 * ringing, answered, redirected, retargeted, ended) and the live counters prove that
 * nothing leaks.
 *
 *   INVITE --> Call created --> router.route(invite) --> { targets, mode } --> Call.start (fork)
 *                                                   \--> { reject: status } --> final to the caller
 *   every target failed --> router.onAllFailed(failures, suggested) --> new targets | final response
 */
import {
  type Clock,
  DialogUserAgent,
  Endpoint,
  type SipRequest,
  SystemClock,
  type TimerConfig,
  type TransactionLogger,
  type TransportLayer,
  type TransportProtocol,
  ownString,
} from '@ima/sip-core';
import type { InboundSession, LegSummary } from './call-leg.js';
import { Call } from './call.js';
import type { CallEndCause, CallHost, CallNotice, RouteDecision } from './call-types.js';
import type { LegFailure } from './fork.js';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from './header-policy.js';

/** The application's side of the B2BUA: where calls go. b2bua knows nothing else about it. */
export interface CallRouter {
  /** Where an incoming call goes: targets (parallel by default) or a final response. */
  route(invite: SipRequest, call: Call): RouteDecision | Promise<RouteDecision>;
  /**
   * Every target failed (before any final response reached the caller): more
   * targets (e.g. voicemail; sequential by default) or the final response.
   * `suggested` is the best status of RFC 3261 §16.7. Absent: the caller gets `suggested`.
   */
  onAllFailed?(failures: readonly LegFailure[], suggested: number, call: Call): RouteDecision | Promise<RouteDecision>;
}

/** What observers see. */
export type B2buaEvent =
  | { readonly type: 'created'; readonly call: Call }
  | { readonly type: 'ringing'; readonly call: Call; readonly leg: number; readonly status: number }
  | { readonly type: 'answered'; readonly call: Call; readonly leg: number }
  | { readonly type: 'retargeted'; readonly call: Call; readonly from: number; readonly to: number }
  /** Call.redirect(): the unanswered call's legs `from` were CANCELed for new ones, the first of which is `to`. */
  | { readonly type: 'redirected'; readonly call: Call; readonly from: readonly number[]; readonly to: number }
  | { readonly type: 'ended'; readonly call: Call; readonly cause: CallEndCause; readonly legs: readonly LegSummary[] };

export type B2buaListener = (event: B2buaEvent) => void;

export interface B2buaOptions {
  /** The transport to listen on (SipTransportLayer, or a LoopbackTransport in tests). */
  readonly transport: TransportLayer;
  readonly router: CallRouter;
  /** Our Contact, e.g. `<sip:b2bua@127.0.0.1:5060;transport=udp>`, or one per transport. */
  readonly contact: string | ((protocol: TransportProtocol) => string);
  readonly clock?: Clock;
  readonly timers?: Partial<TimerConfig>;
  /** Which headers cross from one leg to the other (default: identity, diversion, session timers). */
  readonly policy?: HeaderPolicy;
  readonly random?: () => number;
  readonly logger?: TransactionLogger;
}

/** Live counters: all 0 (lingering aside, for 64*T1) once every call has ended. */
export interface B2buaStats {
  /** Calls not yet idle (some session still up). */
  readonly calls: number;
  /** Sessions the dialog layer still knows (live or lingering). */
  readonly sessions: number;
  readonly dialogs: number;
  readonly lingering: number;
  /** No-answer timers of the calls. */
  readonly timers: number;
  /** Client and server transactions alive. */
  readonly transactions: number;
  /** Calls since start. */
  readonly total: number;
}

/** A signaling-only back-to-back user agent. */
export class B2bua {
  readonly endpoint: Endpoint;
  readonly ua: DialogUserAgent;
  readonly #router: CallRouter;
  readonly #calls = new Map<string, Call>();
  readonly #listeners: B2buaListener[] = [];
  readonly #logger: TransactionLogger | undefined;
  readonly #host: CallHost;
  #total = 0;

  constructor(opts: B2buaOptions) {
    const clock = opts.clock ?? new SystemClock();
    this.#router = opts.router;
    this.#logger = opts.logger;
    this.endpoint = new Endpoint({ transport: opts.transport, clock, ...(opts.timers ? { timers: opts.timers } : {}), ...(opts.logger ? { logger: opts.logger } : {}) });
    this.ua = new DialogUserAgent({ endpoint: this.endpoint, contact: opts.contact, ...(opts.random ? { random: opts.random } : {}), ...(opts.logger ? { logger: opts.logger } : {}) });
    const router = opts.router;
    this.#host = {
      ua: this.ua,
      clock,
      policy: opts.policy ?? DEFAULT_HEADER_POLICY,
      ...(router.onAllFailed ? { onAllFailed: (failures: readonly LegFailure[], suggested: number, call: Call) => router.onAllFailed!(failures, suggested, call) } : {}),
      notify: (call, n) => this.#notify(call, n),
      logger: opts.logger,
    };
    this.ua.onInvite((s) => this.#onInvite(s));
  }

  /** Listen to every call's events. */
  on(listener: B2buaListener): this {
    this.#listeners.push(listener);
    return this;
  }

  /** Calls not yet idle, by the inbound Call-ID and From tag. */
  get calls(): ReadonlyMap<string, Call> {
    return this.#calls;
  }

  get stats(): B2buaStats {
    let timers = 0;
    for (const c of this.#calls.values()) timers += c.timers;
    const size = this.ua.size;
    const tx = this.endpoint.transactions.size;
    return {
      calls: this.#calls.size,
      sessions: size.sessions,
      dialogs: size.dialogs,
      lingering: size.lingering,
      timers,
      transactions: tx.client + tx.server,
      total: this.#total,
    };
  }

  /** End every call without sending anything and close the transport. */
  async close(): Promise<void> {
    this.ua.close();
    this.#calls.clear();
    await this.endpoint.close();
  }

  #onInvite(session: InboundSession): void {
    // Kept for the whole call: a copy, not a rope of strings cut from the INVITE.
    const id = ownString(`${session.callId}\n${session.invite.from.tag ?? ''}`);
    this.#total++;
    const call = new Call(this.#host, session, id);
    this.#calls.set(id, call);
    this.#emit({ type: 'created', call });
    let decision: RouteDecision | Promise<RouteDecision>;
    try {
      decision = this.#router.route(session.invite, call);
    } catch (err) {
      this.#logger?.error({ err, callId: session.callId }, 'router threw');
      decision = { reject: 500 };
    }
    if (typeof (decision as { then?: unknown }).then !== 'function') return call.start(decision as RouteDecision);
    (decision as Promise<RouteDecision>).then(
      (d) => call.start(d),
      (err: unknown) => {
        this.#logger?.error({ err, callId: session.callId }, 'router rejected');
        call.start({ reject: 500 });
      },
    );
  }

  #notify(call: Call, n: CallNotice): void {
    switch (n.type) {
      case 'idle':
        if (this.#calls.get(call.id) === call) this.#calls.delete(call.id);
        return;
      case 'ringing':
        return this.#emit({ type: 'ringing', call, leg: n.leg, status: n.status });
      case 'answered':
        return this.#emit({ type: 'answered', call, leg: n.leg });
      case 'retargeted':
        return this.#emit({ type: 'retargeted', call, from: n.from, to: n.to });
      case 'redirected':
        return this.#emit({ type: 'redirected', call, from: n.from, to: n.to });
      case 'ended':
        return this.#emit({ type: 'ended', call, cause: n.cause, legs: n.legs });
    }
  }

  #emit(e: B2buaEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.#logger?.error({ err, event: e.type }, 'b2bua listener threw');
      }
    }
  }
}
