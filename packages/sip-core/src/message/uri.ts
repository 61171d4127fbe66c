/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), and any other
 * scheme kept as an opaque absolute URI. Parsed values are unescaped; the text
 * as received is kept so that toString() gives back exactly what was parsed.
 */
import { isIPv6 } from 'node:net';
import { SipParseError } from '../errors.js';
import { HNVCHAR, HOST, PARAMCHAR, PASSWORD, USER, escapePct, isAll, unescapePct } from './grammar.js';

/** Parameters by lower-cased name, in order; a value of null is a flag parameter (";lr"). */
export type Params = ReadonlyMap<string, string | null>;

/**
 * The Params the parsers build: a read-only map over two small arrays. SIP
 * elements carry a handful of parameters, so a linear search beats hashing,
 * and building one costs two array pushes instead of a hash table.
 */
export class ParamMap implements ReadonlyMap<string, string | null> {
  readonly #keys: string[];
  readonly #values: Array<string | null>;
  constructor(entries?: Iterable<readonly [string, string | null]>) {
    this.#keys = [];
    this.#values = [];
    if (entries) for (const [k, v] of entries) this.add(k, v);
  }
  /** Builder for parsers; a name given twice keeps its first value. */
  add(name: string, value: string | null): void {
    if (this.#keys.indexOf(name) >= 0) return;
    this.#keys.push(name);
    this.#values.push(value);
  }
  get size(): number {
    return this.#keys.length;
  }
  get(name: string): string | null | undefined {
    const i = this.#keys.indexOf(name);
    return i < 0 ? undefined : this.#values[i];
  }
  has(name: string): boolean {
    return this.#keys.indexOf(name) >= 0;
  }
  forEach(fn: (value: string | null, key: string, map: ReadonlyMap<string, string | null>) => void): void {
    for (let i = 0; i < this.#keys.length; i++) fn(this.#values[i]!, this.#keys[i]!, this);
  }
  *entries(): MapIterator<[string, string | null]> {
    for (let i = 0; i < this.#keys.length; i++) yield [this.#keys[i]!, this.#values[i]!];
  }
  *keys(): MapIterator<string> {
    yield* this.#keys;
  }
  *values(): MapIterator<string | null> {
    yield* this.#values;
  }
  [Symbol.iterator](): MapIterator<[string, string | null]> {
    return this.entries();
  }
}

export const NO_PARAMS: Params = new ParamMap();

export interface SipUriParts {
  scheme: 'sip' | 'sips';
  user?: string | undefined;
  password?: string | undefined;
  /** hostname, IPv4 address, or IPv6 reference with its brackets ("[2001:db8::1]"). */
  host: string;
  port?: number | undefined;
  params?: Params;
  headers?: Params;
}

export class SipUri {
  readonly scheme: 'sip' | 'sips';
  /** The user part, unescaped ("sips:user@example.com" for sip:sips%3Auser%40example.com@...). */
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
  /** URI parameters, names lower-cased, names and values unescaped. */
  readonly params: Params;
  /** URI headers (after "?"), unescaped. */
  readonly headers: Params;
  readonly #text: string | undefined;

  constructor(parts: SipUriParts, text?: string) {
    this.scheme = parts.scheme;
    this.user = parts.user;
    this.password = parts.password;
    this.host = parts.host;
    this.port = parts.port;
    this.params = parts.params ?? NO_PARAMS;
    this.headers = parts.headers ?? NO_PARAMS;
    this.#text = text;
  }

  get kind(): 'sip' {
    return 'sip';
  }

  /** The host without IPv6 brackets, as sockets want it. */
  get hostname(): string {
    return this.host.charCodeAt(0) === 0x5b ? this.host.slice(1, -1) : this.host;
  }

  param(name: string): string | null | undefined {
    return this.params.get(name.toLowerCase());
  }

  /** A copy with some parts replaced; the copy serializes from its parts. */
  with(parts: Partial<SipUriParts>): SipUri {
    return new SipUri({
      scheme: this.scheme,
      user: this.user,
      password: this.password,
      host: this.host,
      port: this.port,
      params: this.params,
      headers: this.headers,
      ...parts,
    });
  }

  toString(): string {
    if (this.#text !== undefined) return this.#text;
    let s = this.scheme + ':';
    if (this.user !== undefined) {
      s += escapePct(this.user, USER);
      if (this.password !== undefined) s += ':' + escapePct(this.password, PASSWORD);
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += ':' + this.port;
    for (const [k, v] of this.params) s += ';' + escapePct(k, PARAMCHAR) + (v === null ? '' : '=' + escapePct(v, PARAMCHAR));
    let first = true;
    for (const [k, v] of this.headers) {
      s += (first ? '?' : '&') + escapePct(k, HNVCHAR) + '=' + escapePct(v ?? '', HNVCHAR);
      first = false;
    }
    return s;
  }
}

/** tel: URI (RFC 3966): the number as written (visual separators kept) and its parameters. */
export class TelUri {
  readonly scheme = 'tel' as const;
  constructor(
    readonly number: string,
    readonly params: Params = NO_PARAMS,
    readonly text?: string,
  ) {}
  get kind(): 'tel' {
    return 'tel';
  }
  /** The digits without visual separators ("-", ".", "(", ")"). */
  get digits(): string {
    return this.number.replace(/[-.()]/g, '');
  }
  toString(): string {
    if (this.text !== undefined) return this.text;
    let s = 'tel:' + this.number;
    for (const [k, v] of this.params) s += ';' + k + (v === null ? '' : '=' + v);
    return s;
  }
}

/** Any other scheme (http:, im:, urn:, ...): kept whole; SIP does not look inside. */
export class AbsoluteUri {
  constructor(
    readonly scheme: string,
    readonly text: string,
  ) {}
  get kind(): 'absolute' {
    return 'absolute';
  }
  toString(): string {
    return this.text;
  }
}

export type Uri = SipUri | TelUri | AbsoluteUri;

function bad(message: string, part: string, offset?: number): never {
  throw new SipParseError(message, offset === undefined ? { part } : { part, offset });
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (first) return alpha;
  return alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Parse "name[=value]" pairs separated by `sep`, checking characters and unescaping. */
function parseUriParams(s: string, sep: string, chars: Uint8Array, part: string, what: string, needValue: boolean): Params {
  const out = new ParamMap();
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf(sep, start);
    if (end < 0) end = s.length;
    const item = s.slice(start, end);
    start = end + 1;
    const eq = item.indexOf('=');
    const rawName = eq < 0 ? item : item.slice(0, eq);
    const rawValue = eq < 0 ? null : item.slice(eq + 1);
    if (rawName.length === 0 || !isAll(rawName, chars)) bad(`malformed ${what} "${item}"`, part);
    if (rawValue !== null && !isAll(rawValue, chars)) bad(`malformed ${what} value "${item}"`, part);
    if (needValue && rawValue === null) bad(`${what} "${item}" has no value`, part);
    const name = unescapePct(rawName);
    const value = rawValue === null ? null : unescapePct(rawValue);
    if (name === undefined || value === undefined) bad(`bad %-escape in ${what} "${item}"`, part);
    out.add(name.toLowerCase(), value);
  }
  return out;
}

/** "[" IPv6address "]" (RFC 5118 §4.10: the RFC 3261 ABNF bug that let ":::" through is not repeated). */
export function isIPv6Reference(h: string): boolean {
  return h.length > 2 && h.charCodeAt(0) === 0x5b && h.charCodeAt(h.length - 1) === 0x5d && isIPv6(h.slice(1, -1));
}

function isValidHost(h: string): boolean {
  if (h.length === 0) return false;
  if (h.charCodeAt(0) === 0x5b) return isIPv6Reference(h);
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c >= 128 || HOST[c] !== 1 || c === 0x3a || c === 0x5b || c === 0x5d) return false;
  }
  return true;
}

export interface ParseUriOptions {
  /** Where the URI stands, for error messages ("start-line", "From"...). */
  part?: string;
  /** Request-URIs may not carry headers (RFC 3261 §19.1.1 table: "?" is not allowed there). */
  allowHeaders?: boolean;
}

/** Parse a URI. Throws SipParseError on anything RFC 3261 §25 does not allow. */
export function parseUri(text: string, opts: ParseUriOptions = {}): Uri {
  const part = opts.part ?? 'uri';
  let colon = 0;
  while (colon < text.length && isSchemeChar(text.charCodeAt(colon), colon === 0)) colon++;
  if (colon === 0 || text.charCodeAt(colon) !== 0x3a) bad(`"${text.slice(0, 40)}" is not a URI`, part);
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, text, part, opts.allowHeaders ?? true);
  if (scheme === 'tel') return parseTelUri(rest, text, part);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) bad(`illegal character in ${scheme}: URI`, part, i);
  }
  if (rest.length === 0) bad(`empty ${scheme}: URI`, part);
  return new AbsoluteUri(scheme, text);
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string, text: string, part: string, allowHeaders: boolean): SipUri {
  // "@" cannot appear unescaped after the userinfo, so the first one ends it;
  // the user part itself may hold ";" and "?" (RFC 3261 user-unreserved).
  const at = rest.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = 0;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    const rawUser = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (rawUser.length === 0 || !isAll(rawUser, USER)) bad(`malformed user part "${rawUser}"`, part);
    user = unescapePct(rawUser);
    if (user === undefined) bad(`bad %-escape in user part "${rawUser}"`, part);
    if (pc >= 0) {
      const rawPw = userinfo.slice(pc + 1);
      if (!isAll(rawPw, PASSWORD)) bad('malformed password', part);
      password = unescapePct(rawPw);
      if (password === undefined) bad('bad %-escape in password', part);
    }
    hostStart = at + 1;
  }
  let i = hostStart;
  if (rest.charCodeAt(i) === 0x5b) {
    const close = rest.indexOf(']', i);
    if (close < 0) bad('unterminated IPv6 reference', part);
    i = close + 1;
  } else {
    while (i < rest.length) {
      const c = rest.charCodeAt(i);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break;
      i++;
    }
  }
  const host = rest.slice(hostStart, i);
  if (!isValidHost(host)) bad(`malformed host "${host}"`, part);
  let port: number | undefined;
  if (rest.charCodeAt(i) === 0x3a) {
    const start = ++i;
    while (i < rest.length && rest.charCodeAt(i) >= 0x30 && rest.charCodeAt(i) <= 0x39) i++;
    if (i === start || i - start > 5) bad('malformed port', part);
    port = Number(rest.slice(start, i));
    if (port > 65535) bad(`port ${port} out of range`, part);
  }
  let params: Params = NO_PARAMS;
  let headers: Params = NO_PARAMS;
  const q = rest.indexOf('?', i);
  const paramsEnd = q < 0 ? rest.length : q;
  if (rest.charCodeAt(i) === 0x3b) {
    params = parseUriParams(rest.slice(i + 1, paramsEnd), ';', PARAMCHAR, part, 'URI parameter', false);
  } else if (i !== paramsEnd) {
    bad(`unexpected "${rest[i]}" after host`, part);
  }
  if (q >= 0) {
    if (!allowHeaders) bad('a Request-URI may not carry headers ("?")', part);
    headers = parseUriParams(rest.slice(q + 1), '&', HNVCHAR, part, 'URI header', true);
  }
  return new SipUri({ scheme, user, password, host, port, params, headers }, text);
}

function parseTelUri(rest: string, text: string, part: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  // global-number starts with "+"; local numbers are hex digits, "*", "#" and separators.
  if (!/^(\+[0-9\-.()]*[0-9][0-9\-.()]*|[0-9A-Fa-f*#\-.()]+)$/.test(number)) bad(`malformed tel number "${number}"`, part);
  const params = semi < 0 ? NO_PARAMS : parseUriParams(rest.slice(semi + 1), ';', PARAMCHAR, part, 'tel parameter', false);
  // RFC 3966 §5.1.5: a local number means nothing without its phone-context.
  if (number.charCodeAt(0) !== 0x2b && !params.has('phone-context')) bad(`local tel number "${number}" without phone-context`, part);
  return new TelUri(number, params, text);
}

/**
 * URI equality per RFC 3261 §19.1.4 for SIP URIs (user and password case-sensitive,
 * host case-insensitive, escapes equivalent, parameters compared when both carry them,
 * user/ttl/method/maddr/transport must match if either has them); exact text otherwise.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a instanceof SipUri && b instanceof SipUri) {
    if (a.scheme !== b.scheme || a.user !== b.user || a.password !== b.password) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
    for (const special of ['user', 'ttl', 'method', 'maddr', 'transport']) {
      if (a.params.has(special) !== b.params.has(special)) return false;
    }
    for (const [k, v] of a.params) {
      if (!b.params.has(k)) continue;
      const w = b.params.get(k);
      if ((v ?? '').toLowerCase() !== (w ?? '').toLowerCase()) return false;
    }
    if (a.headers.size !== b.headers.size) return false;
    for (const [k, v] of a.headers) if (b.headers.get(k) !== v) return false;
    return true;
  }
  if (a instanceof TelUri && b instanceof TelUri) {
    return a.digits === b.digits;
  }
  return a.toString() === b.toString();
}
