/**
 * The transport layer of RFC 3261 §18 over real sockets: UDP listening points
 * (one socket per address serves every peer), TCP and TLS listeners and the
 * connections they accept or open (reused both ways, closed when idle), the
 * Via rules on the way in (received/rport, RFC 3581) and out (sent-by,
 * 1300-octet switch to TCP), and response routing by the top Via.
 * Nothing here throws or rejects once listening: failures are SendResults.
 */
import { channel } from 'node:diagnostics_channel';
import { lookup } from 'node:dns/promises';
import type { Socket } from 'node:net';
import { type Clock, SystemClock } from '../clock.js';
import { SipError, SipParseError } from '../errors.js';
import { errorResponseFor } from '../message/bad-request.js';
import type { Via } from '../message/header-values.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { serializeMessage } from '../message/serialize.js';
import { type ListenSpec, canonicalIp, ipFamily, isBroadcast, isLoopback, isMulticast, isUnspecified, localBroadcastAddresses, localInterfaceAddresses, parseListenSpec, peerKey } from './address.js';
import { type CloseReason, StreamConnection } from './connection.js';
import { type StreamListener, connectTcp, listenTcp } from './tcp.js';
import type { ConnectionInfo, ListeningPoint, TransportLayerOptions, TransportLogger, TransportStats } from './layer-options.js';
import { type TlsMaterial, connectTls, listenTls, loadTlsMaterial } from './tls.js';
import type { Destination, Incoming, SendResult, Source, TransportLayer, TransportProtocol } from './transport.js';
import { UdpEndpoint, routeSourceAddress } from './udp.js';
import { isSentByUs, outgoingVia, replaceTopVia, responseTarget, stampReceived } from './via.js';

export type { ConnectionInfo, ListeningPoint, TransportLayerOptions, TransportLogger, TransportStats } from './layer-options.js';

/** RFC 3261 §18.1.1: a UDP request larger than this goes over TCP when we can. */
export const UDP_SIZE_LIMIT = 1300;

const rx = channel('sip:message:rx');
const tx = channel('sip:message:tx');
const NO_LOG: TransportLogger = { debug() {}, warn() {} };

function failure(message: string, cause?: unknown): SendResult {
  return { ok: false, error: new SipError('SIP_ERR_TRANSPORT', message, cause === undefined ? undefined : { cause }) };
}

/** UDP + TCP + TLS behind one TransportLayer. Create with `await SipTransportLayer.listen({...})`. */
export class SipTransportLayer implements TransportLayer {
  readonly stats: TransportStats = { received: 0, sent: 0, parseErrors: 0, framingErrors: 0, misroutedResponses: 0, sendErrors: 0 };
  readonly #udp: UdpEndpoint[] = [];
  readonly #listeners: StreamListener[] = [];
  readonly #conns = new Map<string, StreamConnection>();
  readonly #byPeer = new Map<string, StreamConnection>();
  readonly #connecting = new Map<string, Promise<StreamConnection | SipError>>();
  readonly #routeCache = new Map<string, string>();
  readonly #handlers: Array<(incoming: Incoming) => void> = [];
  readonly #clock: Clock;
  readonly #log: TransportLogger;
  readonly #maxMessageSize: number;
  readonly #idleMs: number;
  readonly #connectMs: number;
  readonly #udpBufferSize: number;
  #tls: TlsMaterial | undefined;
  #localAddresses: Set<string> | undefined;
  #broadcastAddresses: Set<string> | undefined;
  #nextConnId = 1;
  #closed = false;

  private constructor(opts: TransportLayerOptions) {
    this.#clock = opts.clock ?? new SystemClock();
    this.#log = opts.logger ?? NO_LOG;
    this.#maxMessageSize = opts.maxMessageSize ?? 65535;
    this.#idleMs = opts.idleTimeoutMs ?? 120_000;
    this.#connectMs = opts.connectTimeoutMs ?? 10_000;
    this.#udpBufferSize = opts.udpBufferSize ?? 4 * 1024 * 1024;
  }

  /**
   * Bind every listen spec. Rejects with SipError ('SIP_ERR_INVALID_ARGUMENT'
   * for a bad spec or TLS file, 'SIP_ERR_TRANSPORT' when a bind fails), after
   * closing whatever was already bound.
   */
  static async listen(opts: TransportLayerOptions): Promise<SipTransportLayer> {
    const specs = opts.listen.map(parseListenSpec);
    const layer = new SipTransportLayer(opts);
    try {
      if (opts.tls !== undefined) layer.#tls = await loadTlsMaterial(opts.tls);
      for (const s of specs) await layer.#bind(s);
    } catch (err) {
      await layer.close();
      throw err;
    }
    return layer;
  }

  /** The actual bound addresses (ephemeral ports resolved), in the order of the specs. */
  listening(): ListeningPoint[] {
    return [...this.#udp.map((u) => ({ protocol: 'udp' as const, address: u.address, port: u.port })), ...this.#listeners.map((l) => ({ protocol: l.protocol, address: l.address, port: l.port }))];
  }

  /** The open TCP/TLS connections. */
  connections(): ConnectionInfo[] {
    return [...this.#conns.values()].map((c) => ({
      id: c.id,
      protocol: c.protocol,
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
      localAddress: c.localAddress,
      localPort: c.localPort,
      isOutgoing: c.isOutgoing,
    }));
  }

  onMessage(handler: (incoming: Incoming) => void): void {
    this.#handlers.push(handler);
  }

  async sendRequest(req: SipRequest, dest: Destination): Promise<SendResult> {
    if (this.#closed) return failure('transport layer closed');
    let top: Via | undefined;
    try {
      top = req.topVia;
    } catch (err) {
      return { ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', `request has a malformed top Via: ${(err as Error).message}`) };
    }
    if (top === undefined) return { ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', 'request has no Via') };
    const host = canonicalIp(dest.host);
    const family = ipFamily(host);
    if (family === 0) return { ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', `destination host must be an IP literal: ${dest.host}`) };
    let protocol = dest.protocol;
    if (protocol === 'udp') {
      const ep = this.#udpFor(family, host);
      if (ep === undefined) return this.#sendFailed(failure(`no udp listening point for IPv${family}`));
      replaceTopVia(req, outgoingVia(top, 'udp', await this.#sentByHost(ep, host), ep.port));
      const data = serializeMessage(req);
      // RFC 3261 §18.1.1: over 1300 octets with unknown path MTU -> congestion-controlled transport.
      if (data.length <= UDP_SIZE_LIMIT || !this.#hasListener('tcp', family)) {
        return this.#result(await ep.send(data, host, dest.port), { protocol: 'udp', host, port: dest.port }, req);
      }
      protocol = 'tcp';
    }
    const conn = await this.#connectionTo(protocol, host, dest.port);
    if (conn instanceof SipError) return this.#sendFailed({ ok: false, error: conn });
    const listener = this.#listeners.find((l) => l.protocol === protocol && ipFamily(l.address) === family);
    const viaHost = listener !== undefined && !isUnspecified(listener.address) ? listener.address : conn.localAddress;
    replaceTopVia(req, outgoingVia(top, protocol, viaHost, listener?.port ?? conn.localPort));
    return this.#result(await conn.write(serializeMessage(req)), { protocol, host, port: dest.port }, req);
  }

  async sendResponse(res: SipResponse, source?: Source): Promise<SendResult> {
    if (this.#closed) return failure('transport layer closed');
    let via: Via | undefined;
    try {
      via = res.topVia;
    } catch (err) {
      return { ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', `response has a malformed top Via: ${(err as Error).message}`) };
    }
    if (via === undefined) return { ok: false, error: new SipError('SIP_ERR_INVALID_ARGUMENT', 'response has no Via') };
    const target = responseTarget(via);
    if (target === undefined) return this.#sendFailed(failure(`cannot send over Via transport ${via.transport}`));
    const data = serializeMessage(res);
    if (target.protocol !== 'udp') {
      // RFC 3261 §18.2.2: the connection the request came on while it is open...
      // (found by its id, or by received/rport, which name the peer's end of it).
      let conn = [
        source?.connectionId !== undefined ? this.#conns.get(source.connectionId) : undefined,
        typeof via.rport === 'number' && via.received !== undefined ? this.#byPeer.get(peerKey(target.protocol, via.received, via.rport)) : undefined,
      ].find((c) => c?.isOpen);
      if (conn === undefined) {
        // ...else a connection to received (or sent-by) and the sent-by port.
        const host = await this.#resolve(target.host);
        if (host instanceof SipError) return this.#sendFailed({ ok: false, error: host });
        const opened = await this.#connectionTo(target.protocol, host, target.port);
        if (opened instanceof SipError) return this.#sendFailed({ ok: false, error: opened });
        conn = opened;
      }
      return this.#result(await conn.write(data), { protocol: target.protocol, host: conn.remoteAddress, port: conn.remotePort }, res);
    }
    const host = await this.#resolve(target.host);
    if (host instanceof SipError) return this.#sendFailed({ ok: false, error: host });
    // RFC 4475 §3.3.10: never answer to a broadcast address.
    if (isBroadcast(host, this.#broadcasts())) return this.#sendFailed(failure(`refusing to send a response to broadcast address ${host}`));
    const family = ipFamily(host) as 4 | 6;
    // RFC 3581 §4: answer from the address and port the request arrived on.
    const ep =
      (source?.protocol === 'udp' ? this.#udp.find((u) => u.port === source.localPort && u.address === canonicalIp(source.localAddress) && u.family === family) : undefined) ??
      this.#udpFor(family, host);
    if (ep === undefined) return this.#sendFailed(failure(`no udp listening point for IPv${family}`));
    const ttl = target.ttl !== undefined && isMulticast(host) ? target.ttl : undefined;
    return this.#result(await ep.send(data, host, target.port, ttl), { protocol: 'udp', host, port: target.port }, res);
  }

  /** Stop listening, close every connection and socket. Pending sends resolve with ok:false. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns.values()) c.close('local');
    await Promise.all([...this.#listeners.map((l) => l.close()), ...this.#udp.map((u) => u.close())]);
    await Promise.all([...this.#connecting.values()]);
  }

  // ---- setup ----

  async #bind(spec: ListenSpec): Promise<void> {
    const onError = (err: Error): void => this.#log.warn({ err, protocol: spec.protocol }, 'transport socket error');
    switch (spec.protocol) {
      case 'udp': {
        const ep = await UdpEndpoint.bind(spec.address, spec.port, {
          onDatagram: (data, from) => this.#onDatagram(ep, data, from),
          onError,
        }, this.#udpBufferSize);
        this.#udp.push(ep);
        return;
      }
      case 'tcp':
        this.#listeners.push(await listenTcp(spec.address, spec.port, (s) => this.#adopt(s, 'tcp', false), onError));
        return;
      case 'tls':
        if (this.#tls === undefined) throw new SipError('SIP_ERR_INVALID_ARGUMENT', 'a tls:// listen spec needs the tls option (certFile, keyFile)');
        this.#listeners.push(await listenTls(spec.address, spec.port, this.#tls, (s) => this.#adopt(s, 'tls', false), onError));
        return;
    }
  }

  // ---- receiving (RFC 3261 §18.2.1, §18.1.2) ----

  #onDatagram(ep: UdpEndpoint, data: Buffer, from: { address: string; port: number }): void {
    // Keep-alive CRLFs over UDP carry nothing to answer.
    if (data.every((b) => b === 0x0d || b === 0x0a || b === 0x20)) return;
    this.#receive(data, { protocol: 'udp', address: from.address, port: from.port, localAddress: ep.address, localPort: ep.port }, false);
  }

  #adopt(socket: Socket, protocol: 'tcp' | 'tls', isOutgoing: boolean): StreamConnection {
    const conn = new StreamConnection(socket, {
      id: `${protocol}-${this.#nextConnId++}`,
      protocol,
      clock: this.#clock,
      idleTimeoutMs: this.#idleMs,
      maxMessageSize: this.#maxMessageSize,
      isOutgoing,
      handlers: {
        onMessage: (c, data) =>
          this.#receive(data, { protocol: c.protocol, address: c.remoteAddress, port: c.remotePort, localAddress: c.localAddress, localPort: c.localPort, connectionId: c.id }, true),
        onFramingError: (c, error) => {
          this.stats.framingErrors++;
          this.#log.warn({ err: error, connection: c.id, peer: `${c.remoteAddress}:${c.remotePort}` }, 'closing connection after a framing error');
        },
        onClose: (c, reason, error) => this.#forget(c, reason, error),
      },
    });
    if (this.#closed) {
      conn.close('local');
      return conn;
    }
    this.#conns.set(conn.id, conn);
    const key = peerKey(protocol, conn.remoteAddress, conn.remotePort);
    if (!this.#byPeer.get(key)?.isOpen) this.#byPeer.set(key, conn);
    return conn;
  }

  #forget(c: StreamConnection, reason: CloseReason, error?: Error): void {
    this.#conns.delete(c.id);
    const key = peerKey(c.protocol, c.remoteAddress, c.remotePort);
    if (this.#byPeer.get(key) === c) this.#byPeer.delete(key);
    this.#log.debug({ connection: c.id, reason, err: error }, 'connection closed');
  }

  #receive(data: Buffer, source: Source, isStream: boolean): void {
    let msg: SipMessage;
    try {
      msg = parseMessage(data, { stream: isStream });
      if (msg.kind === 'request') stampReceived(msg, source.address, source.port);
    } catch (err) {
      this.stats.parseErrors++;
      this.#log.debug({ err, source }, 'unparseable message');
      if (!(err instanceof SipParseError)) return;
      // RFC 3261 §18.2.1 / §8.2.6: answer an unparseable request along its Via; drop a response.
      const res = errorResponseFor(data, err);
      if (res === undefined) return;
      try {
        stampReceived(res, source.address, source.port);
      } catch {
        return;
      }
      void this.sendResponse(res, source);
      return;
    }
    if (msg.kind === 'response') {
      const top = msg.topVia;
      const conn = source.connectionId !== undefined ? this.#conns.get(source.connectionId) : undefined;
      const local = conn !== undefined ? { address: conn.localAddress, port: conn.localPort } : undefined;
      // RFC 3261 §18.1.2: a response whose sent-by is not ours is discarded.
      if (top === undefined || !isSentByUs(top, this.listening(), this.#interfaces(), local)) {
        this.stats.misroutedResponses++;
        this.#log.debug({ source, via: msg.headers.get('via') }, 'response not for us: discarded');
        return;
      }
    }
    this.stats.received++;
    const incoming: Incoming = { message: msg, source };
    if (rx.hasSubscribers) rx.publish(incoming);
    for (const h of this.#handlers) {
      try {
        h(incoming);
      } catch (err) {
        this.#log.warn({ err }, 'message handler threw');
      }
    }
  }

  // ---- sending helpers ----

  #result(err: Error | undefined, via: Destination, msg: SipMessage): SendResult {
    if (err !== undefined) return this.#sendFailed(failure(`cannot send to ${via.protocol} ${via.host}:${via.port}: ${err.message}`, err));
    this.stats.sent++;
    if (tx.hasSubscribers) tx.publish({ message: msg, destination: via });
    return { ok: true, via };
  }

  #sendFailed(r: SendResult): SendResult {
    this.stats.sendErrors++;
    if (!r.ok) this.#log.debug({ err: r.error }, 'send failed');
    return r;
  }

  /** A UDP socket of the family; with several, one that can reach `dest` (loopback to loopback, else a wildcard). */
  #udpFor(family: number, dest?: string): UdpEndpoint | undefined {
    const candidates = this.#udp.filter((u) => u.family === family);
    if (dest === undefined || candidates.length <= 1) return candidates[0];
    const toLoopback = isLoopback(dest);
    return (
      candidates.find((u) => !isUnspecified(u.address) && isLoopback(u.address) === toLoopback) ??
      candidates.find((u) => isUnspecified(u.address)) ??
      candidates[0]
    );
  }

  #hasListener(protocol: TransportProtocol, family: number): boolean {
    return this.#listeners.some((l) => l.protocol === protocol && ipFamily(l.address) === family);
  }

  /** Interfaces are read once: getifaddrs() per message would cost more than the message. */
  #broadcasts(): Set<string> {
    return (this.#broadcastAddresses ??= localBroadcastAddresses());
  }

  #interfaces(): Set<string> {
    return (this.#localAddresses ??= localInterfaceAddresses());
  }

  /** RFC 3261 §18.1.1: sent-by is the address we send from; for a wildcard bind, ask the routing table (cached). */
  async #sentByHost(ep: UdpEndpoint, dest: string): Promise<string> {
    if (!isUnspecified(ep.address)) return ep.address;
    let src = this.#routeCache.get(dest);
    if (src === undefined) {
      src = (await routeSourceAddress(dest)) ?? (ep.family === 6 ? '::1' : '127.0.0.1');
      this.#routeCache.set(dest, src);
    }
    return src;
  }

  async #resolve(host: string): Promise<string | SipError> {
    if (ipFamily(host) !== 0) return canonicalIp(host);
    try {
      return canonicalIp((await lookup(host)).address);
    } catch (err) {
      return new SipError('SIP_ERR_TRANSPORT', `cannot resolve ${host}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** An open connection to the peer (accepted or opened, RFC 3261 §18: reused both ways), else a new one. */
  #connectionTo(protocol: TransportProtocol, host: string, port: number): Promise<StreamConnection | SipError> {
    if (this.#closed) return Promise.resolve(new SipError('SIP_ERR_TRANSPORT', 'transport layer closed'));
    if (protocol === 'udp') return Promise.resolve(new SipError('SIP_ERR_INVALID_ARGUMENT', 'udp is connectionless'));
    const key = peerKey(protocol, host, port);
    const existing = this.#byPeer.get(key);
    if (existing?.isOpen) return Promise.resolve(existing);
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    const tls = this.#tls;
    const p = (async (): Promise<StreamConnection | SipError> => {
      if (protocol === 'tls' && tls === undefined) return new SipError('SIP_ERR_TRANSPORT', 'no TLS configuration to connect with');
      const socket = protocol === 'tcp' ? await connectTcp(host, port, this.#connectMs, this.#clock) : await connectTls(host, port, tls!, this.#connectMs, this.#clock);
      if (socket instanceof SipError) return socket;
      if (this.#closed) {
        socket.destroy();
        return new SipError('SIP_ERR_TRANSPORT', 'transport layer closed');
      }
      return this.#adopt(socket, protocol, true);
    })();
    this.#connecting.set(key, p);
    void p.then(() => this.#connecting.delete(key));
    return p;
  }
}
