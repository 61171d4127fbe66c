/**
 * Typed values of the headers a proxy or B2BUA lives on, with their parsers
 * (RFC 3261 §25.1 grammar and the RFCs named at each) and formatters.
 * Each parser takes the header's lines and throws SipParseError naming the header.
 */
import { SipParseError } from '../errors.js';
import { CALL_ID, COMMON_NAME_ADDR, COMMON_VIA } from './common-forms.js';
import { Cursor, HOST, TOKEN, isAll, isToken, quote, unquote } from './grammar.js';
import { ownString } from './own-string.js';
import { type Params, type Uri, AbsoluteUri, NO_PARAMS, ParamMap, SipUri, isIPv6Reference, isNameAt, paramValue, parseUri, splitParams } from './uri.js';

export interface Via {
  /** "SIP" */
  readonly protocolName: string;
  /** "2.0" */
  readonly protocolVersion: string;
  /** Upper-cased transport: "UDP", "TCP", "TLS", "SCTP", "WS", or any token. */
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Params;
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** RFC 3581: a number once filled in, true when present without a value, undefined when absent. */
  readonly rport: number | true | undefined;
  readonly maddr: string | undefined;
  readonly ttl: number | undefined;
}

export interface NameAddr {
  /** Display name, unquoted; undefined when absent. */
  readonly displayName: string | undefined;
  readonly uri: Uri;
  /** Header parameters (after the URI), names lower-cased, values as written. */
  readonly params: Params;
}

export interface FromTo extends NameAddr {
  readonly tag: string | undefined;
}

export interface Contact extends NameAddr {
  readonly expires: number | undefined;
  readonly q: number | undefined;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export interface EventHeader {
  /** event-type, e.g. "presence", "dialog", "presence.winfo" */
  readonly type: string;
  readonly id: string | undefined;
  readonly params: Params;
}

export interface SubscriptionState {
  /** "active" | "pending" | "terminated" or an extension, lower-cased */
  readonly state: string;
  readonly expires: number | undefined;
  readonly reason: string | undefined;
  readonly retryAfter: number | undefined;
  readonly params: Params;
}

export interface ContentType {
  readonly type: string;
  readonly subtype: string;
  /** "type/subtype", lower-cased, for comparisons. */
  readonly mediaType: string;
  readonly params: Params;
}

export interface SessionExpires {
  readonly deltaSeconds: number;
  readonly refresher: 'uac' | 'uas' | undefined;
  readonly params: Params;
}

export interface Reason {
  /** "SIP", "Q.850", ... */
  readonly protocol: string;
  readonly cause: number | undefined;
  readonly text: string | undefined;
  readonly params: Params;
}

export interface RetryAfter {
  readonly seconds: number;
  readonly comment: string | undefined;
  readonly params: Params;
}

const MAX_DELTA = 2 ** 32 - 1;
const MAX_CSEQ = 2 ** 31 - 1;

function one(lines: string[], part: string): string | undefined {
  if (lines.length > 1) throw new SipParseError(`${lines.length} ${part} headers where one is allowed`, { part });
  return lines[0];
}

function required(lines: string[], part: string): string {
  const v = one(lines, part);
  if (v === undefined) throw new SipParseError(`missing ${part} header`, { part });
  return v;
}

/** *( SEMI generic-param ): names lower-cased, values as written (quotes kept). */
function params(c: Cursor): Params {
  let out: ParamMap | undefined;
  while (c.sep(0x3b)) {
    const name = c.token('parameter name').toLowerCase();
    let value: string | null = null;
    if (c.sep(0x3d)) value = c.peek() === 0x22 ? c.quoted() : c.run(GEN_VALUE, `value of ${name}`);
    (out ??= new ParamMap()).add(name, value);
  }
  return out ?? NO_PARAMS;
}

/**
 * The parameters of text that the common forms matched (";name[=value]..."),
 * read as params() reads them: names lower-cased, values as written, the
 * first of a name given twice kept.
 */
function paramsOf(s: string): Params {
  return s.length === 0 ? NO_PARAMS : splitParams(s, 1, ';', false);
}

/** gen-value = token / host / quoted-string; host adds "[", "]" and ":" for IPv6. */
const GEN_VALUE = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) t[i] = TOKEN[i]! | HOST[i]!;
  return t;
})();

function paramNumber(p: Params, name: string, max: number, part: string): number | undefined {
  return numberValue(p.get(name), name, max, part);
}

function numberValue(v: string | null | undefined, name: string, max: number, part: string): number | undefined {
  if (v === undefined) return undefined;
  if (v === null || !/^[0-9]+$/.test(v)) throw new SipParseError(`${name} must be a number`, { part });
  const n = v.length > 16 ? Infinity : Number(v);
  if (n > max) throw new SipParseError(`${name}=${v.slice(0, 24)} is larger than ${max}`, { part });
  return n;
}

// ---- Via (RFC 3261 §20.42, RFC 3581) ----

function via(c: Cursor): Via {
  const protocolName = c.token('protocol name');
  c.expectSep(0x2f, '"/" in sent-protocol');
  const protocolVersion = c.token('protocol version');
  c.expectSep(0x2f, '"/" in sent-protocol');
  const transport = c.token('transport').toUpperCase();
  if (!c.ws()) c.fail('expected space before sent-by');
  let host: string;
  if (c.peek() === 0x5b) {
    const close = c.s.indexOf(']', c.i);
    if (close < 0) c.fail('unterminated IPv6 reference');
    host = c.s.slice(c.i, close + 1);
    if (!isIPv6Reference(host)) c.fail(`malformed IPv6 reference ${host}`);
    c.i = close + 1;
  } else {
    const start = c.i;
    while (c.i < c.s.length) {
      const ch = c.s.charCodeAt(c.i);
      if (ch >= 128 || HOST[ch] !== 1 || ch === 0x3a || ch === 0x5b || ch === 0x5d) break;
      c.i++;
    }
    if (c.i === start) c.fail('expected sent-by host');
    host = c.s.slice(start, c.i);
  }
  let port: number | undefined;
  if (c.sep(0x3a)) port = c.number('port', 65535);
  return finishVia(protocolName, protocolVersion, transport, host, port, params(c), c.part);
}

/** A Via from its parts: the parameters RFC 3261 and RFC 3581 name, checked. */
function finishVia(protocolName: string, protocolVersion: string, transport: string, host: string, port: number | undefined, p: Params, part: string): Via {
  return viaOf(protocolName, protocolVersion, transport, host, port, p, p.get('branch'), p.get('received'), p.get('rport'), p.get('maddr'), p.get('ttl'), part);
}

function viaOf(
  protocolName: string,
  protocolVersion: string,
  transport: string,
  host: string,
  port: number | undefined,
  params: Params,
  branch: string | null | undefined,
  received: string | null | undefined,
  rport: string | null | undefined,
  maddr: string | null | undefined,
  ttl: string | null | undefined,
  part: string,
): Via {
  if (received === null) throw new SipParseError('received without a value', { part });
  return {
    protocolName,
    protocolVersion,
    transport,
    host,
    port,
    params,
    branch: branch ?? undefined,
    received,
    rport: rport === undefined ? undefined : rport === null ? true : numberValue(rport, 'rport', 65535, part),
    maddr: maddr ?? undefined,
    ttl: numberValue(ttl, 'ttl', 255, part),
  };
}

/** The transports of the common Via form, by their first two letters ("SIP/2.0/" is 8 characters). */
function commonTransport(line: string): string {
  switch (line.charCodeAt(8)) {
    case 0x55: return 'UDP';
    case 0x53: return 'SCTP';
    case 0x57: return line.charCodeAt(10) === 0x53 ? 'WSS' : 'WS';
    default: return line.charCodeAt(9) === 0x43 ? 'TCP' : 'TLS';
  }
}

/** A Via line that COMMON_VIA matched, taken apart by position (no match groups to build). */
function commonVia(line: string, part: string): Via {
  const transport = commonTransport(line);
  const hostStart = 9 + transport.length;
  let paramsStart = line.indexOf(';', hostStart);
  if (paramsStart < 0) paramsStart = line.length;
  const colon = line.indexOf(':', hostStart);
  const hasPort = colon >= 0 && colon < paramsStart;
  const host = line.slice(hostStart, hasPort ? colon : paramsStart);
  const port = hasPort ? digitsAt(line, colon + 1, paramsStart) : undefined;
  if (paramsStart === line.length) return finishVia('SIP', '2.0', transport, host, port, NO_PARAMS, part);
  // The parameters a transport reads, in one pass; the rest are split when someone asks.
  let branch: string | null | undefined;
  let received: string | null | undefined;
  let rport: string | null | undefined;
  let maddr: string | null | undefined;
  let ttl: string | null | undefined;
  let start = paramsStart + 1;
  while (start <= line.length) {
    let end = line.indexOf(';', start);
    if (end < 0) end = line.length;
    // By the first letter, in any case (0x20 is the case bit of ASCII letters).
    switch (line.charCodeAt(start) | 0x20) {
      case 0x62:
        if (branch === undefined && isNameAt(line, start, end, 'branch')) branch = valueAt(line, start + 6, end);
        break;
      case 0x72:
        if (rport === undefined && isNameAt(line, start, end, 'rport')) rport = valueAt(line, start + 5, end);
        else if (received === undefined && isNameAt(line, start, end, 'received')) received = valueAt(line, start + 8, end);
        break;
      case 0x6d:
        if (maddr === undefined && isNameAt(line, start, end, 'maddr')) maddr = valueAt(line, start + 5, end);
        break;
      case 0x74:
        if (ttl === undefined && isNameAt(line, start, end, 'ttl')) ttl = valueAt(line, start + 3, end);
        break;
    }
    start = end + 1;
  }
  const params = ParamMap.unsplit(line, paramsStart + 1);
  return viaOf('SIP', '2.0', transport, host, port, params, branch, received, rport, maddr, ttl, part);
}

/** The value of a parameter whose name ends at `after` (null for a flag). */
function valueAt(s: string, after: number, end: number): string | null {
  return after === end ? null : s.slice(after + 1, end);
}

export function parseViaList(lines: string[], part = 'Via'): Via[] {
  const out: Via[] = [];
  for (const line of lines) viaLine(line, part, out);
  return out;
}

/** The Vias of one header line, top first, added to `out`. */
export function viaLine(line: string, part: string, out: Via[]): void {
  if (COMMON_VIA.test(line)) {
    out.push(commonVia(line, part));
    return;
  }
  const c = new Cursor(line, part);
  c.ws();
  out.push(via(c));
  while (c.sep(0x2c)) out.push(via(c));
  c.end();
}

export function formatVia(v: Via): string {
  let s = `${v.protocolName}/${v.protocolVersion}/${v.transport} ${v.host}`;
  if (v.port !== undefined) s += ':' + v.port;
  return s + formatParams(v.params);
}

/** A Via from parts; branch, received and rport go into params. */
export function makeVia(parts: {
  transport: string;
  host: string;
  port?: number | undefined;
  branch: string;
  rport?: boolean;
  params?: Params;
}): Via {
  const p = new Map<string, string | null>([['branch', parts.branch]]);
  if (parts.rport) p.set('rport', null);
  if (parts.params) for (const [k, v] of parts.params) p.set(k, v);
  return withViaParams(
    { protocolName: 'SIP', protocolVersion: '2.0', transport: parts.transport.toUpperCase(), host: parts.host, port: parts.port, params: p },
    'Via',
  );
}

/** A copy of the Via with its params replaced (the derived fields follow). */
export function withViaParams(v: Pick<Via, 'protocolName' | 'protocolVersion' | 'transport' | 'host' | 'port' | 'params'>, part = 'Via'): Via {
  const c = new Cursor(formatParams(v.params), part);
  const p = params(c);
  const rport = p.get('rport');
  const received = p.get('received');
  return {
    ...v,
    params: p,
    branch: p.get('branch') ?? undefined,
    received: received ?? undefined,
    rport: rport === undefined ? undefined : rport === null ? true : paramNumber(p, 'rport', 65535, part),
    maddr: p.get('maddr') ?? undefined,
    ttl: paramNumber(p, 'ttl', 255, part),
  };
}

export function formatParams(p: Params): string {
  let s = '';
  for (const [k, v] of p) s += v === null ? ';' + k : ';' + k + '=' + v;
  return s;
}

// ---- name-addr / addr-spec (From, To, Contact, Route, Record-Route, P-Asserted-Identity, Diversion, RPID) ----

function nameAddr(c: Cursor): NameAddr {
  const s = c.s;
  c.ws();
  let displayName: string | undefined;
  if (c.peek() === 0x22) {
    displayName = unquote(c.quoted());
    c.ws();
    if (c.peek() !== 0x3c) c.fail('expected "<" after display name');
  } else if (c.peek() !== 0x3c) {
    // Either *(token LWS) "<" (a display name), or an addr-spec without brackets.
    const start = c.i;
    const first = c.token('display name or URI');
    if (c.peek() === 0x3a) {
      c.i = start;
      return unbracketed(c);
    }
    let end = c.i;
    for (;;) {
      c.ws();
      if (c.peek() === 0x3c) break;
      if (c.done || !(c.peek() < 128 && TOKEN[c.peek()] === 1)) c.fail(`display name "${first}..." must be a quoted-string or tokens`);
      c.token();
      end = c.i;
    }
    displayName = s.slice(start, end);
  }
  // LAQUOT addr-spec RAQUOT: no LWS inside the brackets (RFC 4475 §3.1.2.14).
  const close = s.indexOf('>', c.i);
  if (close < 0) c.fail('missing ">"');
  const inner = s.slice(c.i + 1, close);
  for (let i = 0; i < inner.length; i++) {
    const ch = inner.charCodeAt(i);
    if (ch === 0x20 || ch === 0x09) c.fail('white space inside <...>');
  }
  const uri = parseUri(inner, { part: c.part });
  c.i = close + 1;
  return { displayName, uri, params: params(c) };
}

/** addr-spec without <>: its ";" parameters are header parameters, and it cannot hold "?" or "," (RFC 3261 §20.10). */
function unbracketed(c: Cursor): NameAddr {
  const s = c.s;
  const start = c.i;
  // The user part may not hold ";" here, so the URI ends at the first ";", "," or space.
  const i = findStop(s, start);
  const text = s.slice(start, i);
  if (text.indexOf('?') >= 0) c.fail('a URI with "?" must be enclosed in <>');
  const uri = parseUri(text, { part: c.part });
  c.i = i;
  return { displayName: undefined, uri, params: params(c) };
}

function findStop(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === 0x3b || ch === 0x2c || ch === 0x20 || ch === 0x09) break;
    i++;
  }
  return i;
}

/** A SIP URI that one of the common forms matched (so it is checked). */
export function commonUri(text: string): SipUri {
  return SipUri.checked(text.charCodeAt(3) === 0x3a ? 'sip' : 'sips', text);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Take apart a name-addr in one of its common forms, by position, into `into`.
 * Returns where its parameters start (after the ";"; the line's length when it
 * has none), or -1 when the full parser must read it.
 */
function commonNameAddrParts(line: string, into: Writable<NameAddr>): number {
  if (!COMMON_NAME_ADDR.test(line)) return -1;
  let lt = 0;
  const first = line.charCodeAt(0);
  if (first === 0x22) {
    // The common form's quoted display name holds no escapes, so the next quote closes it.
    const close = line.indexOf('"', 1);
    into.displayName = line.slice(1, close);
    lt = line.indexOf('<', close);
  } else if (first !== 0x3c) {
    lt = line.indexOf('<');
    into.displayName = line.slice(0, line.charCodeAt(lt - 1) === 0x20 ? lt - 1 : lt);
  }
  const gt = line.indexOf('>', lt);
  into.uri = commonUri(line.slice(lt + 1, gt));
  if (gt + 1 === line.length) return line.length;
  into.params = ParamMap.unsplit(line, gt + 2);
  return gt + 2;
}

/** A placeholder URI for results that commonNameAddrParts() fills in. */
const NO_URI = new AbsoluteUri('none', 'none:');

/** A name-addr in one of its common forms, or undefined: the full parser then reads it. */
function commonNameAddr(line: string): NameAddr | undefined {
  const na: Writable<NameAddr> = { displayName: undefined, uri: NO_URI, params: NO_PARAMS };
  return commonNameAddrParts(line, na) >= 0 ? na : undefined;
}

function fromTo(lines: string[], part: string): FromTo {
  return fromToLine(required(lines, part), part);
}

/** A From or To from its one header line. */
export function fromToLine(line: string, part: string): FromTo {
  const ft: Writable<FromTo> = { displayName: undefined, uri: NO_URI, params: NO_PARAMS, tag: undefined };
  const paramsAt = commonNameAddrParts(line, ft);
  if (paramsAt >= 0) {
    // The tag is read from the text; the other parameters are split when someone asks.
    const tag = paramsAt === line.length ? undefined : paramValue(line, paramsAt, 'tag');
    if (tag !== null) {
      ft.tag = tag;
      return ft;
    }
  }
  const c = new Cursor(line, part);
  const na = nameAddr(c);
  c.end();
  const tag = na.params.get('tag');
  if (tag === null) throw new SipParseError('tag without a value', { part });
  return { displayName: na.displayName, uri: na.uri, params: na.params, tag: tag ?? undefined };
}

export const parseFrom = (lines: string[]): FromTo => fromTo(lines, 'From');
export const parseTo = (lines: string[]): FromTo => fromTo(lines, 'To');

export function parseNameAddrList(lines: string[], part: string): NameAddr[] {
  const out: NameAddr[] = [];
  for (const line of lines) {
    const common = commonNameAddr(line);
    if (common !== undefined) {
      out.push(common);
      continue;
    }
    const c = new Cursor(line, part);
    out.push(nameAddr(c));
    while (c.sep(0x2c)) out.push(nameAddr(c));
    c.end();
  }
  return out;
}

/** Contact values, or "*" (only alone, RFC 3261 §10.2.2). */
export function parseContactList(lines: string[]): Contact[] | '*' {
  if (lines.length === 0) return [];
  if (lines.length === 1 && lines[0]!.trim() === '*') return '*';
  return parseNameAddrList(lines, 'Contact').map((na) => {
    const q = na.params.get('q');
    if (q !== undefined && (q === null || !/^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(q))) {
      throw new SipParseError(`q=${q} is not a qvalue`, { part: 'Contact' });
    }
    return {
      displayName: na.displayName,
      uri: na.uri,
      params: na.params,
      expires: paramNumber(na.params, 'expires', MAX_DELTA, 'Contact'),
      q: q === undefined ? undefined : Number(q),
    };
  });
}

export function formatNameAddr(na: Pick<NameAddr, 'displayName' | 'uri' | 'params'>): string {
  let s = '';
  if (na.displayName !== undefined && na.displayName !== '') s = isAll(na.displayName.replace(/ /g, ''), TOKEN) ? na.displayName + ' ' : quote(na.displayName) + ' ';
  return s + '<' + na.uri.toString() + '>' + formatParams(na.params);
}

/** A copy of a name-addr kept for a long time (a dialog's route) that shares no memory with the message it was read from. */
export function ownNameAddr(na: NameAddr): NameAddr {
  return parseNameAddrList([ownString(formatNameAddr(na))], 'Record-Route')[0]!;
}

/** A copy of a From/To with the tag set. */
export function withTag(na: NameAddr, tag: string): FromTo {
  const params = new Map(na.params);
  params.set('tag', tag);
  return { displayName: na.displayName, uri: na.uri, params, tag };
}

// ---- scalars ----

export function parseCallId(lines: string[]): string {
  return callIdOf(required(lines, 'Call-ID'));
}

export function callIdOf(line: string): string {
  const v = line.trim();
  if (!CALL_ID.test(v)) throw new SipParseError(`malformed Call-ID "${v.slice(0, 60)}"`, { part: 'Call-ID' });
  return v;
}

/**
 * The value of s[from, to) when it is 1 to 9 digits (leading zeros are legal),
 * else -1: the common form of a number, read without building a string.
 */
function digitsAt(s: string, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

export function parseCSeq(lines: string[]): CSeq {
  return cseqOf(required(lines, 'CSeq'));
}

export function cseqOf(v: string): CSeq {
  // Common form: digits, one space, a token.
  const sp = v.indexOf(' ');
  const common = digitsAt(v, 0, sp);
  if (common >= 0 && common <= MAX_CSEQ) {
    const method = v.slice(sp + 1);
    if (isToken(method)) return { seq: common, method };
  }
  const c = new Cursor(v, 'CSeq');
  c.ws();
  const seq = c.number('sequence number', MAX_CSEQ);
  if (!c.ws()) c.fail('expected space after sequence number');
  const method = c.token('method');
  c.end();
  return { seq, method };
}

function scalar(lines: string[], part: string, max: number): number | undefined {
  const v = one(lines, part);
  return v === undefined ? undefined : scalarOf(v, part, max);
}

function scalarOf(v: string, part: string, max: number): number {
  const common = digitsAt(v, 0, v.length);
  if (common >= 0 && common <= max) return common;
  const c = new Cursor(v, part);
  c.ws();
  const n = c.number(part, max);
  c.end();
  return n;
}

export const parseMaxForwards = (lines: string[]): number | undefined => scalar(lines, 'Max-Forwards', 255);
export const parseContentLength = (lines: string[]): number | undefined => scalar(lines, 'Content-Length', MAX_DELTA);
export const maxForwardsOf = (line: string): number => scalarOf(line, 'Max-Forwards', 255);
export const contentLengthOf = (line: string): number => scalarOf(line, 'Content-Length', MAX_DELTA);
export const parseExpires = (lines: string[]): number | undefined => scalar(lines, 'Expires', MAX_DELTA);
export const parseMinSE = (lines: string[]): number | undefined => scalar(lines, 'Min-SE', MAX_DELTA);

/** Allow, Supported, Require, Proxy-Require, Unsupported: lists of tokens (may be empty). */
export function parseTokenList(lines: string[], part: string): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const c = new Cursor(line, part);
    c.ws();
    if (c.done) continue;
    out.push(c.token());
    while (c.sep(0x2c)) out.push(c.token());
    c.end();
  }
  return out;
}

export function parseEvent(lines: string[], part = 'Event'): EventHeader | undefined {
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const c = new Cursor(v, part);
  c.ws();
  const type = c.token('event type').toLowerCase();
  const p = params(c);
  c.end();
  const id = p.get('id');
  return { type, id: id ?? undefined, params: p };
}

export function parseSubscriptionState(lines: string[]): SubscriptionState | undefined {
  const part = 'Subscription-State';
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const c = new Cursor(v, part);
  c.ws();
  const state = c.token('substate').toLowerCase();
  const p = params(c);
  c.end();
  return {
    state,
    expires: paramNumber(p, 'expires', MAX_DELTA, part),
    reason: p.get('reason') ?? undefined,
    retryAfter: paramNumber(p, 'retry-after', MAX_DELTA, part),
    params: p,
  };
}

export function parseContentType(lines: string[]): ContentType | undefined {
  const part = 'Content-Type';
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const c = new Cursor(v, part);
  c.ws();
  const type = c.token('media type');
  c.expectSep(0x2f, '"/" in media type');
  const subtype = c.token('media subtype');
  const p = params(c);
  c.end();
  return { type, subtype, mediaType: `${type}/${subtype}`.toLowerCase(), params: p };
}

/** RFC 4028 Session-Expires: delta-seconds *(;refresher=uac|uas / generic-param). */
export function parseSessionExpires(lines: string[]): SessionExpires | undefined {
  const part = 'Session-Expires';
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const c = new Cursor(v, part);
  c.ws();
  const deltaSeconds = c.number('delta-seconds', MAX_DELTA);
  const p = params(c);
  c.end();
  const r = p.get('refresher')?.toLowerCase();
  if (r !== undefined && r !== 'uac' && r !== 'uas') c.fail(`refresher must be uac or uas, not ${r}`);
  return { deltaSeconds, refresher: r as 'uac' | 'uas' | undefined, params: p };
}

/** RFC 3326 Reason: protocol ;cause=N ;text="..." */
export function parseReasonList(lines: string[]): Reason[] {
  const part = 'Reason';
  const out: Reason[] = [];
  for (const line of lines) {
    const c = new Cursor(line, part);
    for (;;) {
      c.ws();
      const protocol = c.token('protocol');
      const p = params(c);
      const text = p.get('text');
      out.push({ protocol, cause: paramNumber(p, 'cause', 0xffff, part), text: text == null ? undefined : unquote(text), params: p });
      if (!c.sep(0x2c)) break;
    }
    c.end();
  }
  return out;
}

export function formatReason(r: { protocol: string; cause?: number | undefined; text?: string | undefined }): string {
  let s = r.protocol;
  if (r.cause !== undefined) s += ';cause=' + r.cause;
  if (r.text !== undefined) s += ';text=' + quote(r.text);
  return s;
}

/** Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) */
export function parseRetryAfter(lines: string[]): RetryAfter | undefined {
  const part = 'Retry-After';
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const c = new Cursor(v, part);
  c.ws();
  const seconds = c.number('delta-seconds', MAX_DELTA);
  c.ws();
  let comment: string | undefined;
  if (c.peek() === 0x28) {
    let depth = 0;
    const start = c.i;
    for (; c.i < c.s.length; c.i++) {
      const ch = c.s.charCodeAt(c.i);
      if (ch === 0x5c) c.i++;
      else if (ch === 0x28) depth++;
      else if (ch === 0x29 && --depth === 0) break;
    }
    if (depth !== 0) c.fail('unterminated comment');
    comment = c.s.slice(start + 1, c.i);
    c.i++;
  }
  const p = params(c);
  c.end();
  return { seconds, comment, params: p };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Date = rfc1123-date, always in GMT (RFC 3261 §20.17). */
export function parseDate(lines: string[]): Date | undefined {
  const part = 'Date';
  const v = one(lines, part);
  if (v === undefined) return undefined;
  const m = /^\s*([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT\s*$/.exec(v);
  const month = m ? MONTHS.indexOf(m[3]!) : -1;
  if (!m || month < 0 || !DAYS.includes(m[1]!)) throw new SipParseError(`"${v}" is not an RFC 1123 date in GMT`, { part });
  const d = new Date(Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])));
  if (d.getUTCDate() !== Number(m[2]) || Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 60) {
    throw new SipParseError(`"${v}" is not a valid date`, { part });
  }
  return d;
}

export function isSipUri(u: Uri): u is SipUri {
  return u instanceof SipUri;
}
