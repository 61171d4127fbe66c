/**
 * The endpoint: one object that owns a transport layer and a transaction
 * layer and gives the transaction user a small API. It does what RFC 3261
 * §8.2 asks of every UAS before the application sees a request:
 *
 *   request ─▶ method known? ──no──▶ 405 + Allow          (§8.2.1)
 *                 │yes
 *              URI scheme known? ──no──▶ 416              (§8.2.2.1)
 *                 │yes
 *              Require understood? ──no──▶ 420 + Unsupported (§8.2.2.3)
 *                 │yes
 *              body type accepted? ──no──▶ 415 + Accept   (§8.2.3)
 *                 │yes
 *              handler(req, tx)   (a handler that throws: 500)
 *
 * Unparseable requests got their 400 in the transport layer already; OPTIONS
 * without a handler is answered 200 with Allow and Supported (§11.2).
 */
import { type Clock, SystemClock } from './clock.js';
import { SipError } from './errors.js';
import type { SipRequest, SipResponse } from './message/message.js';
import {
  type ClientTransaction,
  type ClientTransactionHandlers,
  type ServerTransaction,
  TransactionLayer,
} from './transaction/layer.js';
import { type MakeResponseOptions, makeResponse } from './transaction/messages.js';
import type { TimerConfig, TransactionLogger } from './transaction/types.js';
import type { TlsOptions } from './transport/tls.js';
import { SipTransportLayer } from './transport/transport-layer.js';
import type { Destination, SendResult, Source, TransportLayer } from './transport/transport.js';

/** Answers a request: respond through tx (see Endpoint.respond). */
export type RequestHandler = (req: SipRequest, tx: ServerTransaction) => void;

/** The logger the endpoint passes down (pino satisfies it). */
export type EndpointLogger = TransactionLogger;

export interface EndpointOptions {
  /** A transport layer to use (a LoopbackTransport in tests); else one is opened on `listen`. */
  transport?: TransportLayer;
  /** Listen specs such as `udp://127.0.0.1:5060`, `tcp://[::1]:5060`, `tls://127.0.0.1:5061`. */
  listen?: readonly string[];
  tls?: TlsOptions;
  maxMessageSize?: number;
  idleTimeoutMs?: number;
  clock?: Clock;
  timers?: Partial<TimerConfig>;
  logger?: EndpointLogger;
  /** Option tags this endpoint's application supports (checked against Require). */
  supported?: readonly string[];
  /** Body types the application understands; a request with another body gets 415 (§8.2.3). Unset: no check. */
  accept?: readonly string[];
}

const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);

export class Endpoint {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly clock: Clock;
  readonly supported: readonly string[];
  readonly accept: readonly string[] | undefined;
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #logger: EndpointLogger | undefined;
  #onAck: ((ack: SipRequest, source: Source) => void) | undefined;
  #onStray: ((res: SipResponse, source: Source) => void) | undefined;
  #onCancel: ((inviteTx: ServerTransaction, cancel: SipRequest) => void) | undefined;

  /** Open the transports on `opts.listen` and start an endpoint on them. */
  static async listen(opts: EndpointOptions & { listen: readonly string[] }): Promise<Endpoint> {
    const clock = opts.clock ?? new SystemClock();
    const transport = await SipTransportLayer.listen({
      listen: opts.listen,
      clock,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.maxMessageSize ? { maxMessageSize: opts.maxMessageSize } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    return new Endpoint({ ...opts, transport, clock });
  }

  constructor(opts: EndpointOptions & { transport: TransportLayer }) {
    this.transport = opts.transport;
    this.clock = opts.clock ?? new SystemClock();
    this.supported = opts.supported ?? [];
    this.accept = opts.accept?.map((a) => a.toLowerCase());
    this.#logger = opts.logger;
    this.transactions = new TransactionLayer({
      transport: this.transport,
      clock: this.clock,
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      user: {
        onRequest: (tx, req) => this.#dispatch(tx, req),
        onAck: (ack, source) => this.#onAck?.(ack, source),
        onStrayResponse: (res, source) => this.#onStray?.(res, source),
        onCancel: (tx, cancel) => this.#onCancel?.(tx, cancel),
      },
    });
  }

  /** Handle requests of one method (upper case, as on the wire). Replaces an earlier handler. */
  on(method: string, handler: RequestHandler): this {
    if (method === 'ACK' || method === 'CANCEL') {
      throw new SipError('SIP_ERR_INVALID_ARGUMENT', `${method} has no handler of its own: use onAck / onCancel`);
    }
    this.#handlers.set(method, handler);
    return this;
  }

  /** ACKs to 2xx responses (they have no transaction: RFC 3261 §17.1.1.3). */
  onAck(fn: (ack: SipRequest, source: Source) => void): this {
    this.#onAck = fn;
    return this;
  }

  /** Responses matching no client transaction (2xx retransmissions for a dialog). */
  onStrayResponse(fn: (res: SipResponse, source: Source) => void): this {
    this.#onStray = fn;
    return this;
  }

  /** An INVITE was CANCELed (the layer has answered the CANCEL, and the INVITE with 487). */
  onCancel(fn: (inviteTx: ServerTransaction, cancel: SipRequest) => void): this {
    this.#onCancel = fn;
    return this;
  }

  /** The methods this endpoint accepts (for Allow). */
  get allow(): string[] {
    const methods = new Set(['ACK', 'CANCEL', 'OPTIONS', ...this.#handlers.keys()]);
    return [...methods];
  }

  /** Send a request in a new client transaction. */
  request(req: SipRequest, dest: Destination, handlers: ClientTransactionHandlers = {}): ClientTransaction {
    return this.transactions.request(req, dest, handlers);
  }

  /** Send an ACK for a 2xx. */
  sendAck(ack: SipRequest, dest: Destination): Promise<SendResult> {
    return this.transactions.sendAck(ack, dest);
  }

  /** Build a response to `tx`'s request (RFC 3261 §8.2.6) and send it through the transaction. */
  respond(tx: ServerTransaction, status: number, reason?: string, opts?: MakeResponseOptions): SipResponse {
    const res = makeResponse(tx.request, status, reason, opts);
    tx.respond(res);
    return res;
  }

  /** Send a response outside any transaction (a stateless answer), along its top Via. */
  sendStateless(res: SipResponse, source?: Source): Promise<SendResult> {
    return this.transport.sendResponse(res, source);
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transport.close();
  }

  #dispatch(tx: ServerTransaction, req: SipRequest): void {
    const handler = this.#handlers.get(req.method);
    if (handler === undefined && req.method !== 'OPTIONS') {
      this.respond(tx, 405, undefined, { headers: [['Allow', this.allow.join(', ')]] });
      return;
    }
    if (!URI_SCHEMES.has(req.uri.scheme)) {
      this.respond(tx, 416);
      return;
    }
    let required: string[];
    try {
      required = req.require;
    } catch {
      this.respond(tx, 400, 'Bad Request - malformed Require');
      return;
    }
    const unsupported = required.filter((tag) => !this.supported.includes(tag));
    if (unsupported.length > 0) {
      this.respond(tx, 420, undefined, { headers: [['Unsupported', unsupported.join(', ')]] });
      return;
    }
    if (this.accept !== undefined && req.body.byteLength > 0) {
      let type: string | undefined;
      try {
        type = req.contentType?.mediaType;
      } catch {
        type = undefined;
      }
      if (type === undefined || !this.accept.includes(type)) {
        this.respond(tx, 415, undefined, { headers: [['Accept', this.accept.join(', ')]] });
        return;
      }
    }
    if (handler === undefined) {
      // OPTIONS without a handler of the application's (RFC 3261 §11.2).
      const headers: Array<[string, string]> = [['Allow', this.allow.join(', ')], ['Accept', (this.accept ?? ['application/sdp']).join(', ')]];
      if (this.supported.length > 0) headers.push(['Supported', this.supported.join(', ')]);
      this.respond(tx, 200, undefined, { headers });
      return;
    }
    try {
      handler(req, tx);
    } catch (err) {
      this.#logger?.warn({ err, method: req.method, callId: req.callId }, 'request handler threw');
      if (tx.state === 'trying' || tx.state === 'proceeding') this.respond(tx, 500, 'Server Internal Error');
    }
  }
}
