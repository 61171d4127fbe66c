/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), and any other
 * scheme kept as an opaque absolute URI. Parsed values are unescaped; the text
 * as received is kept so that toString() gives back exactly what was parsed.
 */
import { isIPv6 } from 'node:net';
import { SipParseError } from '../errors.js';
import { COMMON_SIP_URI } from './common-forms.js';
import { HNVCHAR, HOST, PARAMCHAR, PASSWORD, USER, escapePct, isAll, lowerCased, unescapePct } from './grammar.js';
import { ownString } from './own-string.js';

/** Parameters by lower-cased name, in order; a value of null is a flag parameter (";lr"). */
export type Params = ReadonlyMap<string, string | null>;

/**
 * The Params the parsers build: a read-only map over two small arrays. SIP
 * elements carry a handful of parameters, so a linear search beats hashing,
 * and building one costs two array pushes instead of a hash table.
 */
/** The constructor argument of ParamMap.unsplit(), and the placeholder arrays of an unsplit map (never written to). */
const UNSPLIT: Array<readonly [string, string | null]> = [];
const NO_NAMES: string[] = [];
const NO_VALUES: Array<string | null> = [];

export class ParamMap implements ReadonlyMap<string, string | null> {
  #keys: string[];
  #values: Array<string | null>;
  /**
   * Header parameter text not split yet (see unsplit()): most messages are
   * passed on without anyone reading their Via's or From's parameters one by one.
   */
  #text: string | undefined;
  #from = 0;
  constructor(entries?: Iterable<readonly [string, string | null]>) {
    // An unsplit map gets its arrays when it is split (most never are).
    this.#keys = entries === UNSPLIT ? NO_NAMES : [];
    this.#values = entries === UNSPLIT ? NO_VALUES : [];
    if (entries && entries !== UNSPLIT) for (const [k, v] of entries) this.add(k, v);
  }
  /**
   * The header parameters in text[from...]: "name[=value]" pairs separated by
   * ";", already checked by a common form (no ";" inside a quoted value), split
   * on the first read.
   */
  static unsplit(text: string, from: number): ParamMap {
    const p = new ParamMap(UNSPLIT);
    p.#text = text;
    p.#from = from;
    return p;
  }
  #split(): void {
    const text = this.#text!;
    this.#text = undefined;
    this.#keys = [];
    this.#values = [];
    addParams(this, text, this.#from, ';', false);
  }
  /** Builder for parsers; a name given twice keeps its first value. */
  add(name: string, value: string | null): void {
    if (this.#text !== undefined) this.#split();
    if (this.#keys.indexOf(name) >= 0) return;
    this.#keys.push(name);
    this.#values.push(value);
  }
  get size(): number {
    if (this.#text !== undefined) this.#split();
    return this.#keys.length;
  }
  get(name: string): string | null | undefined {
    if (this.#text !== undefined) this.#split();
    const i = this.#keys.indexOf(name);
    return i < 0 ? undefined : this.#values[i];
  }
  has(name: string): boolean {
    if (this.#text !== undefined) this.#split();
    return this.#keys.indexOf(name) >= 0;
  }
  forEach(fn: (value: string | null, key: string, map: ReadonlyMap<string, string | null>) => void): void {
    if (this.#text !== undefined) this.#split();
    for (let i = 0; i < this.#keys.length; i++) fn(this.#values[i]!, this.#keys[i]!, this);
  }
  *entries(): MapIterator<[string, string | null]> {
    if (this.#text !== undefined) this.#split();
    for (let i = 0; i < this.#keys.length; i++) yield [this.#keys[i]!, this.#values[i]!];
  }
  *keys(): MapIterator<string> {
    if (this.#text !== undefined) this.#split();
    yield* this.#keys;
  }
  *values(): MapIterator<string | null> {
    if (this.#text !== undefined) this.#split();
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

/** The parts of a SIP URI with the defaults filled in. */
interface ResolvedSipUri {
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;
  readonly headers: Params;
}

export class SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly #text: string | undefined;
  /** A URI read from a message is checked at once but taken apart on its first read (undefined until then). */
  #parts: ResolvedSipUri | undefined;

  constructor(parts: SipUriParts, text?: string) {
    this.scheme = parts.scheme;
    this.#text = text;
    this.#parts = isUnresolved(parts) ? undefined : {
      user: parts.user,
      password: parts.password,
      host: parts.host,
      port: parts.port,
      params: parts.params ?? NO_PARAMS,
      headers: parts.headers ?? NO_PARAMS,
    };
  }

  /** For the parser: a URI whose text scanSipUri() or a common form accepted; its parts are built on first read. */
  static checked(scheme: 'sip' | 'sips', text: string): SipUri {
    return new SipUri(scheme === 'sip' ? UNRESOLVED_SIP : UNRESOLVED_SIPS, text);
  }

  #resolved(): ResolvedSipUri {
    return (this.#parts ??= buildSipUri(this.scheme, this.#text!));
  }

  /** The user part, unescaped ("sips:user@example.com" for sip:sips%3Auser%40example.com@...). */
  get user(): string | undefined {
    return this.#resolved().user;
  }
  get password(): string | undefined {
    return this.#resolved().password;
  }
  /** hostname, IPv4 address, or IPv6 reference with its brackets ("[2001:db8::1]"). */
  get host(): string {
    return this.#resolved().host;
  }
  get port(): number | undefined {
    return this.#resolved().port;
  }
  /** URI parameters, names lower-cased, names and values unescaped. */
  get params(): Params {
    return this.#resolved().params;
  }
  /** URI headers (after "?"), unescaped. */
  get headers(): Params {
    return this.#resolved().headers;
  }

  get kind(): 'sip' {
    return 'sip';
  }

  /** The host without IPv6 brackets, as sockets want it. */
  get hostname(): string {
    const host = this.host;
    return host.charCodeAt(0) === 0x5b ? host.slice(1, -1) : host;
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

/** Placeholders that SipUri.checked() hands to the constructor: no parts yet. */
const UNRESOLVED_SIP: SipUriParts = { scheme: 'sip', host: '' };
const UNRESOLVED_SIPS: SipUriParts = { scheme: 'sips', host: '' };
function isUnresolved(parts: SipUriParts): boolean {
  return parts === UNRESOLVED_SIP || parts === UNRESOLVED_SIPS;
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

/**
 * Check "name[=value]" pairs separated by `sep` in s[from, to): characters and
 * %-escapes, and a value where one is needed. Builds nothing.
 */
function checkUriParams(s: string, from: number, to: number, sep: number, chars: Uint8Array, part: string, what: string, needValue: boolean): void {
  let start = from;
  while (start <= to) {
    let eq = -1;
    let i = start;
    for (; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c === sep) break;
      if (c === 0x3d && eq < 0) {
        eq = i;
        continue;
      }
      if (c >= 128 || chars[c] !== 1) bad(`malformed ${what}${eq < 0 ? '' : ' value'} "${s.slice(start, Math.min(to, i + 20))}"`, part);
      if (c === 0x25 && !isEscape(s, i, to)) bad(`bad %-escape in ${what} "${s.slice(start, i + 3)}"`, part);
    }
    if (eq === start || i === start) bad(`malformed ${what} "${s.slice(start, i)}"`, part);
    if (needValue && eq < 0) bad(`${what} "${s.slice(start, i)}" has no value`, part);
    start = i + 1;
  }
}

/** "%" HEXDIG HEXDIG at s[i], all before `limit`. */
function isEscape(s: string, i: number, limit: number): boolean {
  return i + 2 < limit && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2));
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Split checked "name[=value]" pairs of s (from `from`, separated by `sep`):
 * names lower-cased, and both unescaped for URIs (header parameters keep
 * their text as written).
 */
export function splitParams(s: string, from: number, sep: string, isUri: boolean): Params {
  const out = new ParamMap();
  addParams(out, s, from, sep, isUri);
  return out;
}

function addParams(out: ParamMap, s: string, from: number, sep: string, isUri: boolean): void {
  let start = from;
  while (start <= s.length) {
    let end = s.indexOf(sep, start);
    if (end < 0) end = s.length;
    const eq = s.indexOf('=', start);
    const nameEnd = eq >= 0 && eq < end ? eq : end;
    const value = nameEnd === end ? null : s.slice(eq + 1, end);
    if (isUri) {
      const name = unescapePct(s.slice(start, nameEnd))!;
      out.add(lowerCased(name, 0, name.length), value === null ? null : unescapePct(value)!);
    }
    else out.add(lowerCased(s, start, nameEnd), value);
    start = end + 1;
  }
}

/**
 * The value of the first header parameter named `name` (lower case letters)
 * in s[from...], which a common form checked: undefined when absent, null for
 * a flag. Reads what splitParams would give for that name, without splitting.
 */
export function paramValue(s: string, from: number, name: string): string | null | undefined {
  let start = from;
  const n = name.length;
  while (start <= s.length) {
    let end = s.indexOf(';', start);
    if (end < 0) end = s.length;
    if (isNameAt(s, start, end, name)) {
      const after = start + n;
      return after === end ? null : s.slice(after + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

/** Whether s[start, end) begins with `name` (lower-case letters) in any case, followed by "=" or the end. */
export function isNameAt(s: string, start: number, end: number, name: string): boolean {
  const n = name.length;
  const after = start + n;
  if (after > end || (after < end && s.charCodeAt(after) !== 0x3d)) return false;
  // The letters of `name` differ from their upper case by 0x20 only; no other token character maps onto them.
  for (let i = 0; i < n; i++) if ((s.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** "[" IPv6address "]" (RFC 5118 §4.10: the RFC 3261 ABNF bug that let ":::" through is not repeated). */
export function isIPv6Reference(h: string): boolean {
  return h.length > 2 && h.charCodeAt(0) === 0x5b && h.charCodeAt(h.length - 1) === 0x5d && isIPv6(h.slice(1, -1));
}

function isValidHost(s: string, from: number, to: number): boolean {
  if (to === from) return false;
  if (s.charCodeAt(from) === 0x5b) return isIPv6Reference(s.slice(from, to));
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
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
  const sip = sipScheme(text, colon);
  if (sip !== undefined) return parseSipUri(sip, text, part, opts.allowHeaders ?? true);
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTelUri(rest, text, part);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) bad(`illegal character in ${scheme}: URI`, part, i);
  }
  if (rest.length === 0) bad(`empty ${scheme}: URI`, part);
  return new AbsoluteUri(scheme, text);
}

/**
 * Check a SIP URI: text[from..] is what follows "sip:" or "sips:". Throws
 * SipParseError on anything RFC 3261 §25 does not allow; builds nothing.
 */
export function scanSipUri(text: string, from: number, part: string, allowHeaders: boolean): void {
  const n = text.length;
  // "@" cannot appear unescaped after the userinfo, so the first one ends it;
  // the user part itself may hold ";" and "?" (RFC 3261 user-unreserved).
  const at = text.indexOf('@', from);
  let hostStart = from;
  if (at >= 0) {
    let i = from;
    let inPassword = false;
    for (; i < at; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x3a && !inPassword) {
        if (i === from) break;
        inPassword = true;
        continue;
      }
      const table = inPassword ? PASSWORD : USER;
      if (c >= 128 || table[c] !== 1) break;
      if (c === 0x25 && !isEscape(text, i, at)) {
        bad(inPassword ? 'bad %-escape in password' : `bad %-escape in user part "${text.slice(from, at)}"`, part);
      }
    }
    if (i < at || at === from) bad(inPassword ? 'malformed password' : `malformed user part "${text.slice(from, at)}"`, part);
    hostStart = at + 1;
  }
  let i = hostStart;
  if (text.charCodeAt(i) === 0x5b) {
    const close = text.indexOf(']', i);
    if (close < 0) bad('unterminated IPv6 reference', part);
    i = close + 1;
  } else {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break;
      i++;
    }
  }
  if (!isValidHost(text, hostStart, i)) bad(`malformed host "${text.slice(hostStart, i)}"`, part);
  if (text.charCodeAt(i) === 0x3a) {
    const start = ++i;
    let port = 0;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) port = port * 10 + (c - 0x30);
    if (i === start || i - start > 5) bad('malformed port', part);
    if (port > 65535) bad(`port ${port} out of range`, part);
  }
  const q = text.indexOf('?', i);
  const paramsEnd = q < 0 ? n : q;
  if (text.charCodeAt(i) === 0x3b) {
    checkUriParams(text, i + 1, paramsEnd, 0x3b, PARAMCHAR, part, 'URI parameter', false);
  } else if (i !== paramsEnd) {
    bad(`unexpected "${text[i]}" after host`, part);
  }
  if (q >= 0) {
    if (!allowHeaders) bad('a Request-URI may not carry headers ("?")', part);
    checkUriParams(text, q + 1, n, 0x26, HNVCHAR, part, 'URI header', true);
  }
}

/** Take apart a SIP URI that scanSipUri() accepted. */
function buildSipUri(scheme: 'sip' | 'sips', text: string): ResolvedSipUri {
  const rest = text.slice(scheme.length + 1);
  const at = rest.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = 0;
  if (at >= 0) {
    const pc = rest.indexOf(':');
    const hasPassword = pc >= 0 && pc < at;
    user = unescapePct(rest.slice(0, hasPassword ? pc : at));
    if (hasPassword) password = unescapePct(rest.slice(pc + 1, at));
    hostStart = at + 1;
  }
  let i = hostStart;
  if (rest.charCodeAt(i) === 0x5b) {
    i = rest.indexOf(']', i) + 1;
  } else {
    while (i < rest.length) {
      const c = rest.charCodeAt(i);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break;
      i++;
    }
  }
  const host = rest.slice(hostStart, i);
  let port: number | undefined;
  if (rest.charCodeAt(i) === 0x3a) {
    const start = ++i;
    while (i < rest.length && rest.charCodeAt(i) >= 0x30 && rest.charCodeAt(i) <= 0x39) i++;
    port = Number(rest.slice(start, i));
  }
  let params: Params = NO_PARAMS;
  let headers: Params = NO_PARAMS;
  const q = rest.indexOf('?', i);
  if (rest.charCodeAt(i) === 0x3b) params = splitParams(rest.slice(0, q < 0 ? rest.length : q), i + 1, ';', true);
  if (q >= 0) headers = splitParams(rest, q + 1, '&', true);
  return { user, password, host, port, params, headers };
}

/** "sip" or "sips" in any case, without building a lower-cased copy. */
function sipScheme(text: string, colon: number): 'sip' | 'sips' | undefined {
  if (colon !== 3 && colon !== 4) return undefined;
  if ((text.charCodeAt(0) | 0x20) !== 0x73 || (text.charCodeAt(1) | 0x20) !== 0x69 || (text.charCodeAt(2) | 0x20) !== 0x70) return undefined;
  if (colon === 3) return 'sip';
  return (text.charCodeAt(3) | 0x20) === 0x73 ? 'sips' : undefined;
}

function parseSipUri(scheme: 'sip' | 'sips', text: string, part: string, allowHeaders: boolean): SipUri {
  if (!COMMON_SIP_URI.test(text)) scanSipUri(text, scheme.length + 1, part, allowHeaders);
  return SipUri.checked(scheme, text);
}

function parseTelUri(rest: string, text: string, part: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  // global-number starts with "+"; local numbers are hex digits, "*", "#" and separators.
  if (!/^(\+[0-9\-.()]*[0-9][0-9\-.()]*|[0-9A-Fa-f*#\-.()]+)$/.test(number)) bad(`malformed tel number "${number}"`, part);
  if (semi >= 0) checkUriParams(rest, semi + 1, rest.length, 0x3b, PARAMCHAR, part, 'tel parameter', false);
  const params = semi < 0 ? NO_PARAMS : splitParams(rest, semi + 1, ';', true);
  // RFC 3966 §5.1.5: a local number means nothing without its phone-context.
  if (number.charCodeAt(0) !== 0x2b && !params.has('phone-context')) bad(`local tel number "${number}" without phone-context`, part);
  return new TelUri(number, params, text);
}

/**
 * URI equality per RFC 3261 §19.1.4 for SIP URIs (user and password case-sensitive,
 * host case-insensitive, escapes equivalent, parameters compared when both carry them,
 * user/ttl/method/maddr/transport must match if either has them); exact text otherwise.
 */
/**
 * A copy of a URI kept for a long time (a dialog's remote target) that shares
 * no memory with the message it was read from: its text is copied and taken
 * apart again on first read.
 */
export function ownUri(u: Uri): Uri {
  return u instanceof SipUri ? SipUri.checked(u.scheme, ownString(u.toString())) : parseUri(ownString(u.toString()));
}

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
