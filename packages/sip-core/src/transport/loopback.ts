/**
 * An in-memory network for tests: LoopbackTransport implements TransportLayer
 * without sockets. Every message is serialized and parsed again (so tests go
 * through the real parser), delivered by destination host:port on the injected
 * Clock, and each direction between two endpoints can drop, delay, duplicate or
 * fail messages. Via handling follows RFC 3261 §18 and RFC 3581 like a real transport.
 */
import type { Clock } from '../clock.js';
import { SipError } from '../errors.js';
import { formatVia, withViaParams } from '../message/header-values.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { serializeMessage } from '../message/serialize.js';
import type { Destination, Incoming, SendResult, Source, TransportLayer, TransportProtocol } from './transport.js';

/** What happens to messages going one way between two endpoints. `index` counts messages on that direction from 0. */
export interface LinkConditions {
  /** Lose the message silently (the sender sees success). */
  readonly drop?: (message: SipMessage, index: number) => boolean;
  /** Deliver this many ms later (default 0: on the next clock turn). */
  readonly delayMs?: number;
  /** Deliver the message twice. */
  readonly duplicate?: (message: SipMessage, index: number) => boolean;
  /** Refuse to send: the sender gets { ok: false } with SIP_ERR_TRANSPORT. */
  readonly fail?: (message: SipMessage, index: number) => boolean;
}

/** One message put on the loopback wire, for assertions. */
export interface WireRecord {
  readonly at: number;
  /** "host:port" of the sender and the receiver. */
  readonly from: string;
  readonly to: string;
  /** The first line ("INVITE sip:... SIP/2.0", "SIP/2.0 180 Ringing"). */
  readonly line: string;
  readonly bytes: Buffer;
  readonly fate: 'sent' | 'dropped' | 'failed' | 'unreachable';
}

const addr = (host: string, port: number): string => `${host.replace(/^\[(.*)\]$/, '$1')}:${port}`;

/** The in-memory network that LoopbackTransports attach to. */
export class LoopbackNetwork {
  readonly clock: Clock;
  /** Every message offered to the network, in order. */
  readonly log: WireRecord[] = [];
  /** Messages that arrived but did not parse (they are dropped like a real transport would). */
  parseErrors = 0;
  readonly #endpoints = new Map<string, LoopbackTransport>();
  readonly #links = new Map<string, { conditions: LinkConditions; count: number }>();

  constructor(opts: { clock: Clock }) {
    this.clock = opts.clock;
  }

  /** Attach an endpoint at host:port (an IP literal, no brackets) speaking one protocol. */
  createTransport(opts: { host: string; port: number; protocol?: TransportProtocol }): LoopbackTransport {
    const t = new LoopbackTransport(this, opts.host, opts.port, opts.protocol ?? 'udp');
    this.#endpoints.set(addr(opts.host, opts.port), t);
    return t;
  }

  /** Set the conditions of one direction, from "host:port" to "host:port" (replacing earlier ones). */
  setConditions(from: string, to: string, conditions: LinkConditions): void {
    this.#links.set(`${from}>${to}`, { conditions, count: 0 });
  }

  clearConditions(): void {
    this.#links.clear();
  }

  /** The wire log rendered as "at from>to line" strings. */
  trace(): string[] {
    return this.log.map((r) => `${r.at} ${r.from}>${r.to} ${r.line}${r.fate === 'sent' ? '' : ' [' + r.fate + ']'}`);
  }

  /** @internal */
  detach(t: LoopbackTransport): void {
    if (this.#endpoints.get(t.address) === t) this.#endpoints.delete(t.address);
  }

  /** @internal Put a message on the wire; the result is what the sender's transport reports. */
  transmit(from: LoopbackTransport, message: SipMessage, host: string, port: number): SendResult {
    const to = addr(host, port);
    const link = this.#links.get(`${from.address}>${to}`);
    const index = link ? link.count++ : 0;
    const c = link?.conditions ?? {};
    const bytes = serializeMessage(message);
    const line = bytes.toString('latin1', 0, Math.max(0, bytes.indexOf('\r\n')));
    const record = (fate: WireRecord['fate']) => this.log.push({ at: this.clock.now(), from: from.address, to, line, bytes, fate });
    if (c.fail?.(message, index)) {
      record('failed');
      return { ok: false, error: new SipError('SIP_ERR_TRANSPORT', `loopback: sending to ${to} failed`) };
    }
    const target = this.#endpoints.get(to);
    if (target === undefined) {
      record('unreachable');
      // A datagram to nowhere is simply lost; a connection to nowhere is refused.
      if (from.protocol === 'udp') return { ok: true, via: { protocol: from.protocol, host, port } };
      return { ok: false, error: new SipError('SIP_ERR_TRANSPORT', `loopback: connection to ${to} refused`) };
    }
    if (c.drop?.(message, index)) {
      record('dropped');
      return { ok: true, via: { protocol: from.protocol, host, port } };
    }
    record('sent');
    const copies = c.duplicate?.(message, index) ? 2 : 1;
    for (let i = 0; i < copies; i++) this.clock.setTimeout(() => target.receive(bytes, from), c.delayMs ?? 0);
    return { ok: true, via: { protocol: from.protocol, host, port } };
  }
}

/** A TransportLayer on a LoopbackNetwork: one address, one protocol, no sockets. */
export class LoopbackTransport implements TransportLayer {
  readonly network: LoopbackNetwork;
  readonly host: string;
  readonly port: number;
  readonly protocol: TransportProtocol;
  readonly #handlers: Array<(incoming: Incoming) => void> = [];
  #closed = false;

  constructor(network: LoopbackNetwork, host: string, port: number, protocol: TransportProtocol) {
    this.network = network;
    this.host = host;
    this.port = port;
    this.protocol = protocol;
  }

  /** "host:port" of this endpoint. */
  get address(): string {
    return addr(this.host, this.port);
  }

  get isReliable(): boolean {
    return this.protocol !== 'udp';
  }

  sendRequest(req: SipRequest, dest: Destination): Promise<SendResult> {
    if (this.#closed) return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_TRANSPORT', 'loopback transport closed') });
    try {
      const top = req.topVia;
      if (top === undefined) return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', 'request without a Via') });
      // §18.1.1: the transport writes the sent-by it actually uses; RFC 3581 §3: ask for rport.
      const params = new Map(top.params);
      if (!params.has('rport')) params.set('rport', null);
      const host = this.host.includes(':') ? `[${this.host}]` : this.host;
      const via = withViaParams({ ...top, transport: this.protocol.toUpperCase(), host, port: this.port, params });
      req.headers.removeFirst('via');
      req.headers.prepend('Via', formatVia(via));
      return Promise.resolve(this.network.transmit(this, req, dest.host, dest.port));
    } catch (err) {
      return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_TRANSPORT', 'loopback: cannot send', { cause: err }) });
    }
  }

  sendResponse(res: SipResponse, source?: Source): Promise<SendResult> {
    if (this.#closed) return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_TRANSPORT', 'loopback transport closed') });
    try {
      // §18.2.2: reliable -> back to the source of the request; else received/rport, else sent-by (RFC 3581 §4).
      if (source !== undefined && source.protocol !== 'udp') return Promise.resolve(this.network.transmit(this, res, source.address, source.port));
      const top = res.topVia;
      if (top === undefined) return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', 'response without a Via') });
      const host = top.received ?? top.host;
      const port = typeof top.rport === 'number' ? top.rport : (top.port ?? 5060);
      return Promise.resolve(this.network.transmit(this, res, host, port));
    } catch (err) {
      return Promise.resolve({ ok: false, error: new SipError('SIP_ERR_TRANSPORT', 'loopback: cannot send', { cause: err }) });
    }
  }

  onMessage(handler: (incoming: Incoming) => void): void {
    this.#handlers.push(handler);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.network.detach(this);
    return Promise.resolve();
  }

  /** @internal Bytes arriving from another endpoint. */
  receive(bytes: Buffer, from: LoopbackTransport): void {
    if (this.#closed) return;
    let message: SipMessage;
    try {
      message = parseMessage(bytes, { stream: this.isReliable });
      if (message.kind === 'request') stampVia(message, from.host, from.port);
    } catch {
      this.network.parseErrors++;
      return;
    }
    const source: Source = {
      protocol: from.protocol,
      address: from.host,
      port: from.port,
      localAddress: this.host,
      localPort: this.port,
      ...(this.isReliable ? { connectionId: `${from.address}>${this.address}` } : {}),
    };
    for (const h of this.#handlers) {
      try {
        h({ message, source });
      } catch {
        // A handler's bug must not stop delivery to the others.
      }
    }
  }
}

/** §18.2.1: add received when sent-by differs from the source address; RFC 3581 §4: fill rport. */
function stampVia(req: SipRequest, address: string, port: number): void {
  const top = req.topVia;
  if (top === undefined) return;
  const params = new Map(top.params);
  const sentHost = top.host.replace(/^\[(.*)\]$/, '$1');
  // RFC 3581 §4: with rport, received is always added.
  if (sentHost === address && top.rport === undefined) return;
  params.set('received', address);
  if (top.rport !== undefined) params.set('rport', String(port));
  req.headers.removeFirst('via');
  req.headers.prepend('Via', formatVia(withViaParams({ ...top, params })));
}
