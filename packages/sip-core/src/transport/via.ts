/**
 * The Via rules of the transport layer, as pure functions over messages:
 * stamping received/rport on the way in (RFC 3261 §18.2.1, RFC 3581 §4),
 * rewriting the client's Via on the way out (§18.1.1), checking that a
 * response is for us (§18.1.2), and choosing where a response goes (§18.2.2,
 * RFC 3581 §4).
 */
import type { SipMessage } from '../message/message.js';
import { type Via, formatVia, withViaParams } from '../message/header-values.js';
import { type ListenSpec, canonicalIp, defaultPort, ipFamily, isUnspecified, sameHost, stripBrackets } from './address.js';
import type { TransportProtocol } from './transport.js';

/** Replace the top Via of a message (the parsed cache follows). */
export function replaceTopVia(msg: SipMessage, via: Via): void {
  msg.headers.removeFirst('via');
  msg.headers.prepend('Via', formatVia(via));
}

/** 'UDP' -> 'udp'; undefined for transports we do not run (SCTP, WS...). */
export function protocolOfVia(via: Pick<Via, 'transport'>): TransportProtocol | undefined {
  switch (via.transport) {
    case 'UDP':
      return 'udp';
    case 'TCP':
      return 'tcp';
    case 'TLS':
      return 'tls';
    default:
      return undefined;
  }
}

/**
 * The top Via of a request that arrived from `address:port`, with `received`
 * and `rport` filled in, or undefined when nothing changes.
 * RFC 3261 §18.2.1: received when sent-by is a name or another address;
 * RFC 3581 §4: an empty rport gets the source port, and received is then added even when equal.
 */
export function stampedVia(via: Via, address: string, port: number): Via | undefined {
  const hasEmptyRport = via.rport === true;
  const differs = ipFamily(via.host) === 0 || !sameHost(via.host, address);
  if (!differs && !hasEmptyRport) return undefined;
  const params = new Map(via.params);
  params.set('received', canonicalIp(address));
  if (hasEmptyRport) params.set('rport', String(port));
  return withViaParams({ ...via, params });
}

/** Apply stampedVia to a request in place; returns whether the Via changed. */
export function stampReceived(msg: SipMessage, address: string, port: number): boolean {
  const top = msg.topVia;
  if (top === undefined) return false;
  const next = stampedVia(top, address, port);
  if (next === undefined) return false;
  replaceTopVia(msg, next);
  return true;
}

/**
 * The client's top Via as it goes out (RFC 3261 §18.1.1): transport and
 * sent-by are what the transport layer actually used, rport asks the server
 * to answer to the source port (RFC 3581 §3). received and a filled rport
 * belong to a previous hop and are dropped.
 */
export function outgoingVia(via: Via, transport: TransportProtocol, address: string, port: number): Via {
  const params = new Map(via.params);
  params.delete('received');
  params.set('rport', null);
  const host = ipFamily(address) === 6 ? `[${stripBrackets(address)}]` : address;
  return withViaParams({ ...via, transport: transport.toUpperCase(), host, port, params });
}

/**
 * RFC 3261 §18.1.2: a response whose top Via sent-by is not one of ours is
 * discarded. Ours: the host is a listening address (or, for a listener on
 * 0.0.0.0 or ::, one of `localAddresses`) with that listener's port, or the
 * local end of the connection it came on (`connectionLocal`, for a request
 * sent over TCP/TLS when we do not listen on that protocol).
 */
export function isSentByUs(
  via: Via,
  listening: readonly ListenSpec[],
  localAddresses: ReadonlySet<string>,
  connectionLocal?: { readonly address: string; readonly port: number },
): boolean {
  if (ipFamily(via.host) === 0) return false;
  const host = canonicalIp(via.host);
  const port = via.port ?? defaultPort(via.transport);
  if (connectionLocal !== undefined && connectionLocal.port === port && sameHost(connectionLocal.address, host)) return true;
  return listening.some((l) => {
    if (l.port !== port) return false;
    if (isUnspecified(l.address)) return ipFamily(host) === ipFamily(l.address) && localAddresses.has(host);
    return l.address === host;
  });
}

/** Where a response goes by its top Via (before any connection lookup). */
export interface ResponseTarget {
  readonly protocol: TransportProtocol;
  /** IP literal without brackets, or a host name still to resolve. */
  readonly host: string;
  readonly port: number;
  /** Set when the response goes to a multicast maddr (RFC 3261 §18.2.2). */
  readonly ttl?: number;
}

/**
 * RFC 3261 §18.2.2 with RFC 3581 §4, for a transport we run:
 *  - reliable: received (else sent-by host), sent-by port or the default port;
 *  - UDP: maddr (port, ttl); else received with rport, or with the sent-by port;
 *    else sent-by (default port 5060).
 * Undefined when the Via names a transport we do not run.
 */
export function responseTarget(via: Via): ResponseTarget | undefined {
  const protocol = protocolOfVia(via);
  if (protocol === undefined) return undefined;
  const sentByPort = via.port ?? defaultPort(protocol);
  if (protocol !== 'udp') {
    return { protocol, host: stripBrackets(via.received ?? via.host), port: sentByPort };
  }
  if (via.maddr !== undefined) {
    return { protocol, host: stripBrackets(via.maddr), port: sentByPort, ttl: via.ttl ?? 1 };
  }
  if (via.received !== undefined) {
    return { protocol, host: stripBrackets(via.received), port: typeof via.rport === 'number' ? via.rport : sentByPort };
  }
  return { protocol, host: stripBrackets(via.host), port: sentByPort };
}
