/**
 * The transaction layer (RFC 3261 §17): the only runner of the four pure
 * machines. It owns their timers (on the injected Clock), sends through the
 * TransportLayer, routes incoming messages by §17.1.3 / §17.2.3, answers CANCEL
 * (§9.2), merged requests (§8.2.2.2) and our own requests that come back to
 * the same Request-URI (loops, §16.3 step 4) with 482, and talks to its TransactionUser.
 * Nothing it does throws into the event loop: bad input is logged and dropped,
 * send failures become transportError events.
 */
import { channel } from 'node:diagnostics_channel';
import type { Clock, TimerHandle } from '../clock.js';
import { SipError } from '../errors.js';
import { formatVia, makeVia } from '../message/header-values.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { ownString } from '../message/own-string.js';
import { uriEquals } from '../message/uri.js';
import type { Destination, Incoming, SendResult, Source, TransportLayer } from '../transport/transport.js';
import { type IctEvent, type IctState, startIct, stepIct } from './ict.js';
import { cancelTargetKey, clientKeyOfResponse, clientTransactionKey, isRfc3261Branch, mergeKey, serverTransactionKey } from './matching.js';
import { buildCancel, makeResponse, newBranch } from './messages.js';
import { type IstEvent, type IstState, startIst, stepIst } from './ist.js';
import { type NictEvent, type NictState, startNict, stepNict } from './nict.js';
import { type NistEvent, type NistState, startNist, stepNist } from './nist.js';
import { timerConfig } from './timers.js';
import type { Delivery, Effect, Step, TimerConfig, TimerName, TransactionLogger } from './types.js';

/** The sent-by the layer writes in a new top Via; the transport replaces it with its real address (§18.1.1). */
export const PLACEHOLDER_SENT_BY = 'placeholder.invalid';

const stateChannel = channel('sip:transaction:state');

/** What the TU hears about a request it sent. */
export interface ClientTransactionHandlers {
  /** Every provisional and final response the machine passes up (2xx retransmissions too, RFC 6026). */
  onResponse?(res: SipResponse): void;
  /** Timer B or F fired: no final response (treat as 408). */
  onTimeout?(): void;
  /** The transport could not send (RFC 3261 §8.1.3.1: treat as 503). */
  onTransportError?(error: SipError): void;
}

/** A request the TU sent. */
export interface ClientTransaction {
  readonly request: SipRequest;
  readonly branch: string;
  /** The RFC state name, lower case. */
  readonly state: string;
  /**
   * Cancel an INVITE (RFC 3261 §9.1). The CANCEL goes out once a provisional
   * has arrived (at once if one has); nothing is sent after a final response.
   * Throws SIP_ERR_INVALID_STATE for a non-INVITE (a programmer error).
   */
  cancel(handlers?: ClientTransactionHandlers): void;
}

/** A request the TU received and answers. */
export interface ServerTransaction {
  readonly request: SipRequest;
  readonly source: Source;
  readonly state: string;
  /** Pass a response down (build it with makeResponse). False when the machine discarded it (already final). */
  respond(res: SipResponse): boolean;
}

/** The layer's user: a UA core, a dialog layer, a B2BUA. */
export interface TransactionUser {
  /** A new request (not ACK, not CANCEL, not a merged request): answer it with tx.respond(). */
  onRequest(tx: ServerTransaction, req: SipRequest): void;
  /**
   * A CANCEL matched an INVITE server transaction. The layer has already
   * answered the CANCEL with 200 and, when the INVITE was still in proceeding,
   * the INVITE with 487 (RFC 3261 §9.2); this is a notification.
   */
  onCancel?(inviteTx: ServerTransaction, cancel: SipRequest): void;
  /** An ACK to a 2xx (its own transaction per §17.1.1.3), for the dialog layer. */
  onAck?(ack: SipRequest, source: Source): void;
  /** A response that matches no client transaction (2xx retransmissions after Timer M, strays). */
  onStrayResponse?(res: SipResponse, source: Source): void;
  /** A server transaction ended without its exchange completing: Timer H (no ACK) or a transport error. */
  onServerTransactionError?(tx: ServerTransaction, reason: 'timeout' | 'transportError', error?: SipError): void;
}

export interface TransactionLayerOptions {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers?: Partial<TimerConfig>;
  readonly logger?: TransactionLogger;
  readonly user: TransactionUser;
}

type AnyEvent = IctEvent | NictEvent | IstEvent | NistEvent;
type AnyState = IctState | NictState | IstState | NistState;

const NO_TIMERS: ReadonlyArray<TimerName | TimerHandle> = [];

/**
 * Carries one machine's effects out: timers on the clock, sends, deliveries.
 * The client and server transactions are runners themselves (no closures per
 * transaction): a layer holds thousands of them for 64*T1 after each call's set-up.
 */
abstract class Runner {
  /** The machine's state. */
  current!: AnyState;
  /** The running timers as name, handle, name, handle...: one to three, in an array of exactly that size. */
  #timers: ReadonlyArray<TimerName | TimerHandle> = NO_TIMERS;
  constructor(
    readonly layer: TransactionLayer,
    readonly key: string,
    readonly machine: 'ict' | 'nict' | 'ist' | 'nist',
  ) {}

  protected abstract send(message: SipRequest | SipResponse): void;
  protected abstract deliver(d: Delivery): void;
  protected abstract terminated(): void;

  /** Enter the machine's first state and carry out its effects. */
  begin(start: Step<AnyState>): void {
    this.current = start.state;
    this.apply(start.effects);
  }

  /** The RFC state name, lower case. */
  get state(): string {
    return this.current.kind;
  }

  get isTerminated(): boolean {
    return this.current.kind === 'terminated';
  }

  feed(event: AnyEvent): readonly Effect[] {
    if (this.isTerminated) return [];
    const cfg = this.layer.timers;
    const from = this.current.kind;
    let r: Step<AnyState>;
    // Each runner only ever receives events of its own machine; the casts restate that.
    switch (this.machine) {
      case 'ict': r = stepIct(this.current as IctState, event as IctEvent, cfg); break;
      case 'nict': r = stepNict(this.current as NictState, event as NictEvent, cfg); break;
      case 'ist': r = stepIst(this.current as IstState, event as IstEvent, cfg); break;
      case 'nist': r = stepNist(this.current as NistState, event as NistEvent, cfg); break;
    }
    this.current = r.state;
    if (from !== r.state.kind) {
      const info = { tx: this.key, machine: this.machine, from, to: r.state.kind, event: event.type };
      this.layer.logger?.debug(info, 'transaction state');
      if (stateChannel.hasSubscribers) stateChannel.publish(info);
    }
    this.apply(r.effects);
    return r.effects;
  }

  apply(effects: readonly Effect[]): void {
    const clock = this.layer.clock;
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          this.send(e.message);
          break;
        case 'startTimer': {
          const old = this.#takeTimer(e.timer);
          if (old) clock.clearTimeout(old);
          const timer = e.timer;
          const h = clock.setTimeout(() => {
            this.#takeTimer(timer);
            this.feed({ type: 'timerFired', timer } as AnyEvent);
          }, e.ms);
          this.#timers = this.#timers.concat(timer, h);
          break;
        }
        case 'cancelTimer': {
          const h = this.#takeTimer(e.timer);
          if (h) clock.clearTimeout(h);
          break;
        }
        case 'deliver':
          this.deliver(e.delivery);
          break;
        case 'terminated':
          this.stopTimers();
          this.terminated();
          break;
      }
    }
  }

  /** Forget a running timer; its handle, if it was running. */
  #takeTimer(timer: TimerName): TimerHandle | undefined {
    const t = this.#timers;
    for (let i = 0; i < t.length; i += 2) {
      if (t[i] !== timer) continue;
      this.#timers = t.length === 2 ? NO_TIMERS : t.slice(0, i).concat(t.slice(i + 2));
      return t[i + 1] as TimerHandle;
    }
    return undefined;
  }

  stopTimers(): void {
    const t = this.#timers;
    this.#timers = NO_TIMERS;
    for (let i = 1; i < t.length; i += 2) this.layer.clock.clearTimeout(t[i] as TimerHandle);
  }
}

/** Call into user code without letting its exceptions escape into the layer or the event loop. */
function guard(logger: TransactionLogger | undefined, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger?.error({ err, what }, 'transaction user callback threw');
  }
}

class ClientTx extends Runner implements ClientTransaction {
  /** Where the request actually went (the CANCEL follows it, §9.1). */
  sentTo: Destination;
  #isFirstSend = true;
  #cancel: 'none' | 'pending' | 'sent' = 'none';
  #cancelHandlers: ClientTransactionHandlers | undefined;
  constructor(
    layer: TransactionLayer,
    key: string,
    readonly request: SipRequest,
    readonly branch: string,
    dest: Destination,
    readonly handlers: ClientTransactionHandlers,
    /** §8.2.2.2 key of a request without To tag (our own coming back is a loop), indexed while alive. */
    readonly mergeKey: string | undefined,
  ) {
    super(layer, key, request.method === 'INVITE' ? 'ict' : 'nict');
    this.sentTo = dest;
  }
  cancel(handlers?: ClientTransactionHandlers): void {
    if (this.request.method !== 'INVITE') throw new SipError('SIP_ERR_INVALID_STATE', `only an INVITE can be cancelled, not ${this.request.method}`);
    if (this.#cancel !== 'none') return;
    this.#cancelHandlers = handlers;
    const s = this.state;
    if (s === 'calling') this.#cancel = 'pending';
    else if (s === 'proceeding') this.#sendCancel();
  }
  #sendCancel(): void {
    this.#cancel = 'sent';
    this.layer.startClient(buildCancel(this.request), this.branch, this.sentTo, this.#cancelHandlers ?? {});
  }
  protected send(m: SipRequest | SipResponse): void {
    const isFirst = this.#isFirstSend;
    this.#isFirstSend = false;
    void this.layer.transport.sendRequest(m as SipRequest, this.sentTo).then(
      (r) => {
        if (!r.ok) this.feed({ type: 'transportError', error: r.error });
        else if (isFirst && m === this.request) this.sentTo = r.via;
      },
      (err: unknown) => this.feed({ type: 'transportError', error: new SipError('SIP_ERR_TRANSPORT', 'send failed', { cause: err }) }),
    );
  }
  protected deliver(d: Delivery): void {
    const log = this.layer.logger;
    const handlers = this.handlers;
    if (d.kind === 'response') {
      guard(log, 'onResponse', () => handlers.onResponse?.(d.res));
      // §9.1: a provisional has arrived: a pending CANCEL may go now.
      if (d.res.status < 200 && this.#cancel === 'pending' && this.state === 'proceeding') this.#sendCancel();
    } else if (d.kind === 'timeout') guard(log, 'onTimeout', () => handlers.onTimeout?.());
    else if (d.kind === 'transportError') guard(log, 'onTransportError', () => handlers.onTransportError?.(d.error));
  }
  protected terminated(): void {
    this.layer.forgetClient(this);
  }
}

class ServerTx extends Runner implements ServerTransaction {
  /** Every key this transaction is indexed under (the §17.2.3 key, a 2543 alias, the merge key). */
  keys: readonly string[];
  mergeKey: string | undefined;
  /** RFC 2543 peer (no magic cookie): its ACK to a final carries that final's To tag (§17.2.3). */
  readonly #is2543: boolean;
  constructor(
    layer: TransactionLayer,
    key: string,
    readonly request: SipRequest,
    readonly source: Source,
    /** Answered by the layer itself (CANCEL, 482): the TU never sees it. */
    readonly isInternal: boolean,
  ) {
    super(layer, key, request.method === 'INVITE' ? 'ist' : 'nist');
    this.keys = [key];
    this.#is2543 = !isRfc3261Branch(request.topVia?.branch);
  }
  respond(res: SipResponse): boolean {
    return this.feed({ type: 'tuResponse', res }).some((e) => e.type === 'send');
  }
  protected send(m: SipRequest | SipResponse): void {
    const res = m as SipResponse;
    // §17.2.3 (RFC 2543): the ACK to a final carries the To tag of that final: index under it too.
    if (this.#is2543 && res.status >= 200 && res.to.tag !== this.request.to.tag) {
      this.layer.indexServer(this, serverTransactionKey(this.request, { toTag: res.to.tag }));
    }
    void this.layer.transport.sendResponse(res, this.source).then(
      (r) => {
        if (!r.ok) this.feed({ type: 'transportError', error: r.error });
      },
      (err: unknown) => this.feed({ type: 'transportError', error: new SipError('SIP_ERR_TRANSPORT', 'send failed', { cause: err }) }),
    );
  }
  protected deliver(d: Delivery): void {
    const log = this.layer.logger;
    const user = this.layer.user;
    if (d.kind === 'ack') guard(log, 'onAck', () => user.onAck?.(d.ack, this.source));
    else if (d.kind === 'timeout') guard(log, 'onServerTransactionError', () => user.onServerTransactionError?.(this, 'timeout'));
    else if (d.kind === 'transportError' && !this.isInternal) {
      guard(log, 'onServerTransactionError', () => user.onServerTransactionError?.(this, 'transportError', d.error));
    }
    // 'request' is delivered by #onRequest once the transaction is indexed (so the TU may respond at once).
  }
  protected terminated(): void {
    this.layer.forgetServer(this);
  }
}

/** The RFC 3261 §17 transaction layer. */
export class TransactionLayer {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly logger: TransactionLogger | undefined;
  readonly user: TransactionUser;
  /** §8.2.6 response builder, offered to the TU. */
  readonly makeResponse = makeResponse;
  readonly #clients = new Map<string, ClientTx>();
  readonly #servers = new Map<string, ServerTx>();
  readonly #merges = new Map<string, ServerTx>();
  /** Our live requests without To tag (INVITE, OPTIONS ...) by their merge key: one coming back is a loop. */
  readonly #sentMerges = new Map<string, ClientTx>();
  #closed = false;

  constructor(opts: TransactionLayerOptions) {
    this.transport = opts.transport;
    this.clock = opts.clock;
    this.timers = timerConfig(opts.timers);
    this.logger = opts.logger;
    this.user = opts.user;
    this.transport.onMessage((incoming) => this.#onIncoming(incoming));
  }

  /** How many transactions are alive. */
  get size(): { client: number; server: number } {
    return { client: this.#clients.size, server: new Set(this.#servers.values()).size };
  }

  /**
   * Send a request in a new client transaction: the layer adds the top Via
   * (new branch, placeholder sent-by the transport rewrites). Throws
   * SIP_ERR_INVALID_ARGUMENT for ACK (use sendAck) or a request without a readable CSeq.
   */
  request(req: SipRequest, dest: Destination, handlers: ClientTransactionHandlers = {}): ClientTransaction {
    if (req.method === 'ACK') throw new SipError('SIP_ERR_INVALID_ARGUMENT', 'an ACK has no transaction: use sendAck()');
    if (req.method === 'CANCEL') throw new SipError('SIP_ERR_INVALID_ARGUMENT', 'use ClientTransaction.cancel() to send a CANCEL');
    if (req.cseq.method !== req.method) throw new SipError('SIP_ERR_INVALID_ARGUMENT', 'CSeq method must match the request method');
    const branch = newBranch();
    req.headers.prepend('Via', formatVia(makeVia({ transport: dest.protocol, host: PLACEHOLDER_SENT_BY, branch, rport: true })));
    return this.startClient(req, branch, dest, handlers);
  }

  /** Send an ACK to a 2xx (its own branch, no transaction, RFC 3261 §17.1.1.3 / §13.2.2.4). */
  sendAck(ack: SipRequest, dest: Destination): Promise<SendResult> {
    ack.headers.prepend('Via', formatVia(makeVia({ transport: dest.protocol, host: PLACEHOLDER_SENT_BY, branch: newBranch(), rport: true })));
    return this.transport.sendRequest(ack, dest).catch((err: unknown) => ({ ok: false, error: new SipError('SIP_ERR_TRANSPORT', 'send failed', { cause: err }) }));
  }

  /** Stop every transaction's timers and forget them (the transport stays open: it is not ours). */
  close(): void {
    this.#closed = true;
    for (const tx of this.#clients.values()) tx.stopTimers();
    for (const tx of this.#servers.values()) tx.stopTimers();
    this.#clients.clear();
    this.#servers.clear();
    this.#merges.clear();
    this.#sentMerges.clear();
  }

  /** @internal A client transaction for a request whose top Via already carries `branch`. */
  startClient(req: SipRequest, branch: string, dest: Destination, handlers: ClientTransactionHandlers): ClientTx {
    const mk = mergeKey(req);
    const tx = new ClientTx(this, ownString(clientTransactionKey(branch, req.method)), req, branch, dest, handlers, mk === undefined ? undefined : ownString(mk));
    this.#clients.set(tx.key, tx);
    if (tx.mergeKey !== undefined) this.#sentMerges.set(tx.mergeKey, tx);
    const isReliable = dest.protocol !== 'udp';
    tx.begin(req.method === 'INVITE' ? startIct(req, { isReliable }, this.timers) : startNict(req, { isReliable }, this.timers));
    return tx;
  }

  /** @internal A client transaction has terminated. */
  forgetClient(tx: ClientTx): void {
    if (this.#clients.get(tx.key) === tx) this.#clients.delete(tx.key);
    if (tx.mergeKey !== undefined && this.#sentMerges.get(tx.mergeKey) === tx) this.#sentMerges.delete(tx.mergeKey);
  }

  /** @internal Index a server transaction under one more key (§17.2.3: an RFC 2543 ACK's). */
  indexServer(tx: ServerTx, key: string): void {
    const k = ownString(key);
    tx.keys = tx.keys.concat(k);
    this.#servers.set(k, tx);
  }

  /** @internal A server transaction has terminated. */
  forgetServer(tx: ServerTx): void {
    for (const k of tx.keys) if (this.#servers.get(k) === tx) this.#servers.delete(k);
    if (tx.mergeKey !== undefined && this.#merges.get(tx.mergeKey) === tx) this.#merges.delete(tx.mergeKey);
  }

  #onIncoming({ message, source }: Incoming): void {
    if (this.#closed) return;
    try {
      if (message.kind === 'response') this.#onResponse(message, source);
      else this.#onRequest(message, source);
    } catch (err) {
      this.logger?.warn({ err }, 'transaction layer dropped a message it could not match');
    }
  }

  #onResponse(res: SipResponse, source: Source): void {
    // §17.1.3: branch of the top Via + CSeq method.
    const key = clientKeyOfResponse(res);
    const tx = key === undefined ? undefined : this.#clients.get(key);
    if (tx) tx.feed({ type: 'response', res });
    else guard(this.logger, 'onStrayResponse', () => this.user.onStrayResponse?.(res, source));
  }

  #onRequest(req: SipRequest, source: Source): void {
    const key = serverTransactionKey(req);
    const existing = this.#servers.get(key);
    if (req.method === 'ACK') {
      // §17.2.3: an ACK to a non-2xx matches its INVITE server transaction; an ACK to a 2xx matches none.
      if (existing && existing.machine === 'ist') existing.feed({ type: 'ack', ack: req });
      else guard(this.logger, 'onAck', () => this.user.onAck?.(req, source));
      return;
    }
    if (existing) {
      existing.feed({ type: 'request', req });
      return;
    }
    if (req.method === 'CANCEL') return this.#onCancel(req, source, key);
    // §8.2.2.2: no To tag, same From tag, Call-ID and CSeq as a live transaction with another key -> 482.
    const mk = mergeKey(req);
    const twin = mk === undefined ? undefined : this.#merges.get(mk);
    if (twin !== undefined && !twin.isTerminated) {
      const tx = this.#startServer(req, source, key, true);
      tx.respond(makeResponse(req, 482, 'Loop Detected'));
      return;
    }
    if (this.#isLoop(req, mk)) {
      this.#startServer(req, source, key, true).respond(makeResponse(req, 482, 'Loop Detected'));
      return;
    }
    const tx = this.#startServer(req, source, key, false);
    if (mk !== undefined) {
      tx.mergeKey = ownString(mk);
      this.#merges.set(tx.mergeKey, tx);
    }
    guard(this.logger, 'onRequest', () => this.user.onRequest(tx, req));
  }

  /**
   * §16.3 step 4, as a UA (a B2BUA) applies it: a request of ours in progress came back to us, known by
   * its From tag, Call-ID and CSeq (§8.2.2.2) or by one of our branches in its Via stack. Sent to the
   * same Request-URI it is a loop; to another, a proxy retargeted it (a spiral), which is served.
   */
  #isLoop(req: SipRequest, mk: string | undefined): boolean {
    let ours = mk === undefined ? undefined : this.#sentMerges.get(mk);
    if (ours === undefined) {
      for (const via of req.via) {
        const tx = via.branch === undefined ? undefined : this.#clients.get(clientTransactionKey(via.branch, req.method));
        if (tx !== undefined) {
          ours = tx;
          break;
        }
      }
    }
    return ours !== undefined && !ours.isTerminated && uriEquals(ours.request.uri, req.uri);
  }

  #onCancel(cancel: SipRequest, source: Source, key: string): void {
    // CANCEL is a non-INVITE transaction of its own (§9.2), answered by the layer.
    const tx = this.#startServer(cancel, source, key, true);
    const target = this.#servers.get(cancelTargetKey(cancel));
    if (target === undefined || target.isTerminated) {
      tx.respond(makeResponse(cancel, 481));
      return;
    }
    tx.respond(makeResponse(cancel, 200));
    // §9.2: the INVITE still in proceeding gets 487; afterwards the CANCEL has no effect.
    if (target.state === 'proceeding') {
      const toTag = target.request.to.tag;
      target.respond(makeResponse(target.request, 487, undefined, toTag === undefined ? {} : { toTag }));
      guard(this.logger, 'onCancel', () => this.user.onCancel?.(target, cancel));
    }
  }

  #startServer(req: SipRequest, source: Source, key: string, isInternal: boolean): ServerTx {
    const tx = new ServerTx(this, ownString(key), req, source, isInternal);
    this.#servers.set(tx.key, tx);
    const isReliable = source.protocol !== 'udp';
    tx.begin(req.method === 'INVITE' ? startIst(req, { isReliable }) : startNist(req, { isReliable }));
    return tx;
  }
}
