/**
 * The route set of a dialog (RFC 3261 §12.1.1, §12.1.2) and how an in-dialog
 * request is addressed from it (§12.2.1.1): loose routing when the first route
 * carries `lr`, the strict-routing fallback of RFC 2543 otherwise.
 */
import { formatNameAddr } from '../message/header-values.js';
import type { NameAddr } from '../message/header-values.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { Uri } from '../message/uri.js';
import { isIP } from 'node:net';
import type { Destination, TransportProtocol } from '../transport/transport.js';

/** The ordered list of proxies an in-dialog request visits (first = next hop). */
export type RouteSet = readonly NameAddr[];

/** §12.1.1: the UAS takes Record-Route of the request in order. */
export function routeSetForUas(req: SipRequest): RouteSet {
  return req.recordRoute;
}

/** §12.1.2: the UAC takes Record-Route of the response in reverse order. */
export function routeSetForUac(res: SipResponse): RouteSet {
  return [...res.recordRoute].reverse();
}

/** How to address one in-dialog request. */
export interface RequestTarget {
  /** The Request-URI. */
  readonly uri: Uri;
  /** The Route header values, in order. */
  readonly routes: readonly string[];
  /** Where the request goes first: the first route, or the Request-URI. */
  readonly nextHop: Uri;
}

/**
 * §12.2.1.1: empty route set: Request-URI = remote target, no Route. First
 * route loose (`lr`): Request-URI = remote target, Route = the route set.
 * First route strict: Request-URI = first route's URI (no parameters barred by
 * §19.1.1 are present in Record-Route), Route = the rest plus the remote target.
 */
export function requestTarget(routeSet: RouteSet, remoteTarget: Uri): RequestTarget {
  const first = routeSet[0];
  if (first === undefined) return { uri: remoteTarget, routes: [], nextHop: remoteTarget };
  const isLoose = first.uri.kind === 'sip' && first.uri.params.has('lr');
  if (isLoose) return { uri: remoteTarget, routes: routeSet.map(formatNameAddr), nextHop: first.uri };
  const routes = [...routeSet.slice(1).map(formatNameAddr), `<${remoteTarget.toString()}>`];
  return { uri: first.uri, routes, nextHop: first.uri };
}

/**
 * The transport destination of a SIP URI: its host when that is an IP literal,
 * its port (5060, 5061 for sips), its transport parameter (else `protocol`).
 * Undefined for non-SIP URIs and host names (the caller falls back to the peer's address).
 */
export function destinationOf(uri: Uri, protocol: TransportProtocol): Destination | undefined {
  if (uri.kind !== 'sip') return undefined;
  const maddr = uri.param('maddr');
  const host = typeof maddr === 'string' ? maddr.replace(/^\[(.*)\]$/, '$1') : uri.hostname;
  if (isIP(host) === 0) return undefined;
  const t = uri.param('transport')?.toLowerCase();
  const proto: TransportProtocol = uri.scheme === 'sips' ? 'tls' : t === 'udp' || t === 'tcp' || t === 'tls' ? t : protocol;
  return { protocol: proto, host, port: uri.port ?? (proto === 'tls' ? 5061 : 5060) };
}
