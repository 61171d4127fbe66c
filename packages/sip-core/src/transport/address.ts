/**
 * Addresses as the transport layer sees them: listen specs
 * (`udp://127.0.0.1:5060`, `tcp://[::1]:0`), IP literals in one canonical
 * form so that `::ffff:127.0.0.1`, `127.0.0.1` and `[::1]` compare as the
 * same host, default ports (RFC 3261 §19.1.2), and the broadcast check of
 * RFC 4475 §3.3.10.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SipError } from '../errors.js';
import type { TransportProtocol } from './transport.js';

/** One address the layer listens on. `address` is an IP literal without brackets. */
export interface ListenSpec {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
}

/** RFC 3261 §19.1.2: 5060 for UDP and TCP, 5061 for TLS. */
export function defaultPort(protocol: TransportProtocol | string): number {
  return protocol.toLowerCase() === 'tls' ? 5061 : 5060;
}

/** `[::1]` -> `::1`; anything else unchanged. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `::1` -> `[::1]` for a Via sent-by or URI host; IPv4 and names unchanged. */
export function hostForUri(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** 4 or 6 for an IP literal (brackets allowed), 0 for a host name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  return isIP(stripBrackets(host)) as 0 | 4 | 6;
}

/**
 * One spelling per IP address: brackets dropped, IPv4-mapped IPv6 turned into
 * IPv4, IPv6 compressed and lower-cased (the WHATWG URL serialiser does
 * exactly RFC 5952). Host names are lower-cased.
 */
export function canonicalIp(host: string): string {
  const h = stripBrackets(host);
  const family = isIP(h);
  if (family === 4) return h;
  if (family !== 6) return h.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
  if (mapped) return mapped[1]!;
  const canon = stripBrackets(new URL(`http://[${h}]/`).hostname);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canon);
  if (mappedHex) {
    const hi = parseInt(mappedHex[1]!, 16);
    const lo = parseInt(mappedHex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return canon;
}

/** Whether two hosts name the same IP address (or the same host name, ignoring case). */
export function sameHost(a: string, b: string): boolean {
  return canonicalIp(a) === canonicalIp(b);
}

/** 0.0.0.0 or :: (listening on every interface). */
export function isUnspecified(address: string): boolean {
  const c = canonicalIp(address);
  return c === '0.0.0.0' || c === '::';
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/**
 * RFC 4475 §3.3.10: a response must never go to a broadcast address. True for
 * 255.255.255.255 and for the directed broadcast address of any local IPv4
 * network (IPv6 has no broadcast).
 */
export function isBroadcast(host: string, broadcasts: ReadonlySet<string> = localBroadcastAddresses()): boolean {
  const h = canonicalIp(host);
  if (isIP(h) !== 4) return false;
  return h === '255.255.255.255' || broadcasts.has(h);
}

/** The directed broadcast address of every local IPv4 network (asks the OS: callers cache it). */
export function localBroadcastAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const ifc of list ?? []) {
      if (ifc.family !== 'IPv4' || ifc.internal) continue;
      const mask = ipv4ToInt(ifc.netmask);
      if (mask === 0xffffffff) continue;
      const bcast = ((ipv4ToInt(ifc.address) & mask) | (~mask >>> 0)) >>> 0;
      out.add([bcast >>> 24, (bcast >>> 16) & 255, (bcast >>> 8) & 255, bcast & 255].join('.'));
    }
  }
  return out;
}

/** 127.0.0.0/8 or ::1. */
export function isLoopback(host: string): boolean {
  const h = canonicalIp(host);
  return h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(host: string): boolean {
  const h = canonicalIp(host);
  const family = isIP(h);
  if (family === 4) return (ipv4ToInt(h) >>> 28) === 0xe;
  return family === 6 && h.startsWith('ff');
}

/** The IP addresses of this host's interfaces, canonical (for sent-by checks when listening on 0.0.0.0 or ::). */
export function localInterfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const ifc of list ?? []) out.add(canonicalIp(ifc.address));
  }
  return out;
}

/** A map key for a peer on one protocol: `tcp|127.0.0.1|5060`. */
export function peerKey(protocol: TransportProtocol, host: string, port: number): string {
  return `${protocol}|${canonicalIp(host)}|${port}`;
}

/**
 * Parse `udp://127.0.0.1:5060`, `tcp://[::1]:0`, `tls://0.0.0.0` (port
 * defaults per protocol; 0 asks for an ephemeral port). The host must be an IP
 * literal. Throws SipError('SIP_ERR_INVALID_ARGUMENT'): a programmer error at
 * an API entry point.
 */
export function parseListenSpec(spec: string): ListenSpec {
  const m = /^(udp|tcp|tls):\/\/(\[[^\]]+\]|[^:/\[\]]+)(?::(\d{1,5}))?\/?$/i.exec(spec.trim());
  const bad = (why: string): never => {
    throw new SipError('SIP_ERR_INVALID_ARGUMENT', `listen spec "${spec}": ${why}`);
  };
  if (!m) return bad('expected udp://, tcp:// or tls:// followed by IP[:port]');
  const protocol = m[1]!.toLowerCase() as TransportProtocol;
  const address = stripBrackets(m[2]!);
  if (isIP(address) === 0) return bad('the host must be an IPv4 or IPv6 literal');
  if (m[2]!.startsWith('[') !== (isIP(address) === 6)) return bad('IPv6 addresses go in brackets, IPv4 without');
  const port = m[3] === undefined ? defaultPort(protocol) : Number(m[3]);
  if (port > 65535) return bad('port out of range');
  return { protocol, address: canonicalIp(address), port };
}

/** `udp://127.0.0.1:5060` */
export function formatListenSpec(s: ListenSpec): string {
  return `${s.protocol}://${hostForUri(s.address)}:${s.port}`;
}
