/**
 * Network addresses in the configuration: listen specs (`udp://127.0.0.1:5060`,
 * `tcp://[::1]:5060`), peers and HTTP listeners (`host:port`), and allow-list CIDRs. Each parser
 * returns the value or a message saying what is wrong, never throws.
 */
import { isIP, isIPv4 } from 'node:net';

/** A SIP transport. */
export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
/** @see TRANSPORTS */
export type Transport = (typeof TRANSPORTS)[number];

/** A host and port; `host` is an IP literal without brackets, or a DNS name. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where to listen for SIP. */
export interface ListenSpec extends HostPort {
  readonly transport: Transport;
}

/** An allow-list entry: a network (host bits zero) and its prefix length. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefix: number;
}

/** The value, or what is wrong with the text. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parsePort(text: string, example: string, min: 0 | 1): Parsed<number> {
  if (text === '') return fail(`has no port: write it as ${example}`);
  if (!/^\d{1,5}$/.test(text)) return fail(`port "${text}" is not a number`);
  const port = Number(text);
  if (port < min || port > 65535) return fail(`port ${port} is outside ${min}-65535`);
  return ok(port);
}

/**
 * `host:port`, `[v6]:port`. With `isIpOnly`, the host must be an IP literal (an address to bind);
 * with `isPortZeroAllowed`, port 0 (any free port, for tests) is accepted.
 */
export function parseHostPort(text: string, isIpOnly: boolean, isPortZeroAllowed = false): Parsed<HostPort> {
  const example = isIpOnly ? '127.0.0.1:5060 or [::1]:5060' : 'pbx.example.com:5060, 127.0.0.1:5060 or [::1]:5060';
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail('has "[" without "]"');
    host = text.slice(1, close);
    if (!isIP(host) || isIPv4(host)) return fail(`"${host}" in brackets is not an IPv6 address`);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return fail(`unexpected "${rest}" after "]"`);
    portText = rest.slice(1);
  } else {
    const colons = text.split(':').length - 1;
    if (colons > 1) return fail('an IPv6 address needs brackets, as [::1]:5060');
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? '' : text.slice(colon + 1);
    if (host === '') return fail(`has no host: write it as ${example}`);
    if (isIPv4(host)) {
      // valid IPv4 literal
    } else if (/^[\d.]+$/.test(host)) {
      return fail(`"${host}" is not an IPv4 address`);
    } else if (isIpOnly) {
      return fail(`"${host}" is not an IP address (a name would be ambiguous to bind)`);
    } else if (!HOSTNAME.test(host)) {
      return fail(`"${host}" is not a host name or IP address`);
    }
  }
  const port = parsePort(portText, example, isPortZeroAllowed ? 0 : 1);
  return port.ok ? ok({ host, port: port.value }) : fail(port.message);
}

/** `udp://127.0.0.1:5060`, `tcp://[::1]:5060`, `tls://0.0.0.0:5061`. */
export function parseListenSpec(text: string): Parsed<ListenSpec> {
  const match = /^([A-Za-z]+):\/\/(.*)$/.exec(text);
  if (match === null) return fail('must look like udp://127.0.0.1:5060 (transport://address:port)');
  const scheme = (match[1] ?? '').toLowerCase();
  if (!(TRANSPORTS as readonly string[]).includes(scheme)) return fail(`unknown transport "${match[1]}": use udp, tcp or tls`);
  const address = parseHostPort(match[2] ?? '', true);
  if (!address.ok) return fail(address.message);
  return ok({ transport: scheme as Transport, ...address.value });
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null && v4[1] !== undefined) {
    const n = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function bigIntToIPv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((n >> shift) & 0xffn).toString()).join('.');
}

function bigIntToIPv6(n: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((n >> shift) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952 §4.2.3).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** The address as a number and its family, or undefined when it is not an IP literal. */
export function ipToBigInt(address: string): { readonly family: 4 | 6; readonly value: bigint } | undefined {
  const family = isIP(address);
  if (family === 4) return { family, value: ipv4ToBigInt(address) };
  if (family === 6) return { family, value: ipv6ToBigInt(address) };
  return undefined;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a single host). Host bits must be zero. */
export function parseCidr(text: string): Parsed<Cidr> {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const ip = ipToBigInt(address);
  if (ip === undefined) return fail(`"${address}" is not an IPv4 or IPv6 address`);
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return fail(`prefix length "${prefixText}" must be a number from 0 to ${bits}`);
    }
    prefix = Number(prefixText);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) {
    const network = ip.value & ~hostMask;
    const shown = ip.family === 4 ? bigIntToIPv4(network) : bigIntToIPv6(network);
    return fail(`has host bits set: did you mean ${shown}/${prefix}?`);
  }
  return ok({ family: ip.family, address, prefix });
}

/** True when the IP literal `address` lies in `cidr`. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = ipToBigInt(address);
  const net = ipToBigInt(cidr.address);
  if (ip === undefined || net === undefined || ip.family !== cidr.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  const shift = BigInt(bits - cidr.prefix);
  return ip.value >> shift === net.value >> shift;
}
