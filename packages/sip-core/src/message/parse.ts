/**
 * Bytes -> SipRequest | SipResponse (RFC 3261 §7, §25).
 *
 * parseMessage checks the start line and the headers every element reads
 * (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length) and refuses the
 * message when any of them is missing or malformed. Every other header is kept
 * as text and parsed on its first read.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { SipParseError } from '../errors.js';
import { COMMON_REQUEST_LINE } from './common-forms.js';
import { TOKEN } from './grammar.js';
import {
  type Via,
  callIdOf,
  commonUri,
  contentLengthOf,
  cseqOf,
  fromToLine,
  maxForwardsOf,
  parseCSeq,
  parseCallId,
  parseContentLength,
  parseFrom,
  parseMaxForwards,
  parseTo,
  parseViaList,
  viaLine,
} from './header-values.js';
import { CoreHeader, knownNameAt, knownNameIn, nameInfo, rememberName } from './header-names.js';
import { Headers } from './headers.js';
import { SipRequest, SipResponse, type SipMessage } from './message.js';
import { type Uri, parseUri } from './uri.js';

export interface ParseOptions {
  /**
   * The input is exactly one message cut from a stream by a StreamFramer:
   * Content-Length is then required and must match the body (RFC 3261 §18.3).
   * Otherwise it is a datagram: a missing Content-Length means "the rest", and
   * octets past Content-Length are ignored.
   */
  stream?: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const NONE: string[] = [];
const DATAGRAM: ParseOptions = {};

export function toBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/** Where the header section ends (index of the blank line's CRLF pair), skipping leading CRLFs. */
export function findHeaderEnd(buf: Buffer, from = 0): number {
  return buf.indexOf(CRLFCRLF, from);
}

/** RFC 3261 §7.5: CRLFs before the start line are ignored. */
export function skipLeadingCrlf(buf: Buffer): number {
  let i = 0;
  while (i + 1 < buf.length && buf[i] === 0x0d && buf[i + 1] === 0x0a) i += 2;
  return i;
}

function fail(message: string, part: string, status?: number): never {
  throw new SipParseError(message, { part }, status === undefined ? {} : { status });
}

function checkVersion(v: string, part: string): void {
  if (v === 'SIP/2.0') return;
  if (/^sip\/2\.0$/i.test(v)) return;
  if (/^SIP\/[0-9]+\.[0-9]+$/i.test(v)) fail(`unsupported SIP version ${v}`, part, 505);
  fail(`malformed SIP version "${v.slice(0, 20)}"`, part);
}

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/** Octets decoded to look for the blank line: nearly every message, without copying a large body twice. */
const PROBE = 8192;

interface Head {
  /** Text whose first `length` characters are the start line, the header lines and the blank line (each with its CRLF). */
  readonly text: string;
  readonly length: number;
  /** Octet index (in the input) of the blank line's CRLF when the text is not one character per octet. */
  readonly headerEnd: number;
  readonly isLatin1: boolean;
  /** Whether character i of the text is octet start + i of the input (ASCII or latin1, not decoded UTF-8). */
  readonly isOctets: boolean;
}

/**
 * The header section as text. latin1 maps octets to characters one to one,
 * so the blank line is found in the text and its index is an octet index.
 * ASCII (nearly every message) is then done, and the line scan finds the
 * blank line itself; UTF-8 is decoded as UTF-8; anything else (RFC 4475 has
 * some) stays latin1, so every octet survives a round trip.
 */
function readHead(buf: Buffer, start: number): Head {
  const probeEnd = Math.min(buf.length, start + PROBE);
  let text = buf.toString('latin1', start, probeEnd);
  if (probeEnd === buf.length && isAscii(buf)) return { text, length: text.length, headerEnd: -1, isLatin1: false, isOctets: true };
  let blank = text.indexOf('\r\n\r\n');
  if (blank < 0 && buf.length > probeEnd) {
    text = buf.toString('latin1', start);
    blank = text.indexOf('\r\n\r\n');
  }
  if (blank < 0) fail('no empty line after the header section', 'framing');
  const headerEnd = start + blank;
  const bytes = buf.subarray(start, headerEnd + 4);
  if (isAscii(bytes)) return { text, length: blank + 4, headerEnd, isLatin1: false, isOctets: true };
  if (isUtf8(bytes)) {
    const utf8 = bytes.toString('utf8');
    return { text: utf8, length: utf8.length, headerEnd, isLatin1: false, isOctets: false };
  }
  return { text, length: blank + 4, headerEnd, isLatin1: true, isOctets: true };
}

/**
 * The end (index of CR) of the line that starts at pos. A bare CR or LF inside
 * the header section would let one header smuggle another, so both are refused.
 */
function lineEnd(head: string, pos: number): number {
  const lf = head.indexOf('\n', pos);
  if (lf < 0) fail('no empty line after the header section', 'framing');
  if (lf <= pos || head.charCodeAt(lf - 1) !== CR) fail('bare LF inside the header section', 'headers');
  if (head.indexOf('\r', pos) !== lf - 1) fail('bare CR inside the header section', 'headers');
  return lf - 1;
}

/** Where the scan saw a header: not at all, at one line's index, or on several lines. */
const NOT_SEEN = -1;
const SEEN_TWICE = -2;

/**
 * The lines of a header the scan saw not at all or more than once (a header
 * seen on one line is read from that line alone).
 */
function linesAt(keys: string[], values: string[], at: number, key: string): string[] {
  if (at === NOT_SEEN) return NONE;
  const out: string[] = [];
  for (let k = 0; k < keys.length; k++) if (keys[k] === key) out.push(values[k]!);
  return out;
}

/** Parse one SIP message. Throws SipParseError (and nothing else) on bad input. */
export function parseMessage(input: Uint8Array | string, opts: ParseOptions = DATAGRAM): SipMessage {
  const buf = toBuffer(input);
  const start = skipLeadingCrlf(buf);
  const { text: head, length: n, headerEnd: knownEnd, isLatin1, isOctets } = readHead(buf, start);

  // Start line.
  let eol = lineEnd(head, 0);
  const first = parseStartLine(head.slice(0, eol));

  // Header lines, unfolded (RFC 3261 §7.3.1: CRLF followed by SP/HTAB continues the line).
  // The lines of the headers checked below are noted as they go by.
  const names: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  let viaAt = NOT_SEEN;
  let from = NOT_SEEN;
  let to = NOT_SEEN;
  let callId = NOT_SEEN;
  let cseqAt = NOT_SEEN;
  let mf = NOT_SEEN;
  let clAt = NOT_SEEN;
  let pos = eol + 2;
  let isDone = false;
  while (pos < n) {
    eol = lineEnd(head, pos);
    if (eol === pos) {
      isDone = true; // the blank line
      break;
    }
    let i = pos;
    const lead = head.charCodeAt(i);
    if (lead === SP || lead === HTAB) {
      const last = values.length - 1;
      if (last < 0) fail('continuation line before any header', 'headers');
      const more = head.slice(pos, eol).trim();
      if (more.length > 0) values[last] = values[last]!.length > 0 ? values[last] + ' ' + more : more;
      pos = eol + 2;
      continue;
    }
    // The name runs to the colon (RFC 3261 §7.3.1: HCOLON = *( SP / HTAB ) ":" SWS).
    let info = isOctets ? knownNameIn(buf, start + pos) : knownNameAt(head, pos);
    let colon: number;
    if (info !== undefined) {
      colon = pos + info.name.length;
    } else {
      colon = head.indexOf(':', pos);
      if (colon < 0 || colon > eol) fail(`malformed header line "${head.slice(pos, Math.min(eol, pos + 40))}"`, 'headers');
      let nameEnd = colon;
      let n1 = head.charCodeAt(nameEnd - 1);
      while (n1 === SP || n1 === HTAB) n1 = head.charCodeAt(--nameEnd - 1);
      info = nameInfo(head.slice(pos, nameEnd));
      if (info === undefined) fail(`malformed header name "${head.slice(pos, Math.min(eol, pos + 40))}"`, 'headers');
      if (nameEnd === colon) rememberName(info);
    }
    i = colon + 1;
    let c = head.charCodeAt(i);
    while (c === SP || c === HTAB) c = head.charCodeAt(++i);
    let end = eol;
    while (end > i && ((c = head.charCodeAt(end - 1)) === SP || c === HTAB)) end--;
    const at = values.length;
    names.push(info.name);
    keys.push(info.key);
    values.push(head.slice(i, end));
    switch (info.core) {
      case CoreHeader.Other: break;
      case CoreHeader.Via: viaAt = viaAt === NOT_SEEN ? at : SEEN_TWICE; break;
      // Single-valued ones: a second occurrence is noted, and refused by the header's parser (RFC 4475 §3.3.8, §3.3.9).
      case CoreHeader.From: from = from === NOT_SEEN ? at : SEEN_TWICE; break;
      case CoreHeader.To: to = to === NOT_SEEN ? at : SEEN_TWICE; break;
      case CoreHeader.CallId: callId = callId === NOT_SEEN ? at : SEEN_TWICE; break;
      case CoreHeader.CSeq: cseqAt = cseqAt === NOT_SEEN ? at : SEEN_TWICE; break;
      case CoreHeader.MaxForwards: mf = mf === NOT_SEEN ? at : SEEN_TWICE; break;
      case CoreHeader.ContentLength: clAt = clAt === NOT_SEEN ? at : SEEN_TWICE; break;
    }
    pos = eol + 2;
  }

  if (!isDone) fail('no empty line after the header section', 'framing');
  const headerEnd = isOctets ? start + pos - 2 : knownEnd;

  // The headers every element reads: parse now (after unfolding), and seed the typed cache.
  if (viaAt === NOT_SEEN) fail('missing Via header', 'Via');
  let via: Via[];
  if (viaAt >= 0) viaLine(values[viaAt]!, 'Via', (via = []));
  else via = parseViaList(linesAt(keys, values, viaAt, 'via'));
  const fromValue = from >= 0 ? fromToLine(values[from]!, 'From') : parseFrom(linesAt(keys, values, from, 'from'));
  const toValue = to >= 0 ? fromToLine(values[to]!, 'To') : parseTo(linesAt(keys, values, to, 'to'));
  const callIdValue = callId >= 0 ? callIdOf(values[callId]!) : parseCallId(linesAt(keys, values, callId, 'call-id'));
  const cseq = cseqAt >= 0 ? cseqOf(values[cseqAt]!) : parseCSeq(linesAt(keys, values, cseqAt, 'cseq'));
  const maxForwards = mf >= 0 ? maxForwardsOf(values[mf]!) : parseMaxForwards(linesAt(keys, values, mf, 'max-forwards'));
  const cl = clAt >= 0 ? contentLengthOf(values[clAt]!) : parseContentLength(linesAt(keys, values, clAt, 'content-length'));
  // In the slots of CORE_KEYS.
  const h = Headers.fromParsed(names, keys, values, [via, fromValue, toValue, callIdValue, cseq, maxForwards, cl]);
  const msg =
    first.kind === 'request'
      ? new SipRequest({ method: first.method, uri: first.uri, headers: h })
      : new SipResponse({ status: first.status, reason: first.reason, headers: h });
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    fail(`CSeq method ${cseq.method} does not match the request method ${msg.method}`, 'CSeq');
  }
  if (isLatin1) msg.headerEncoding = 'latin1';

  // Body (RFC 3261 §18.3): cut from the input when first read.
  const bodyStart = headerEnd + 4;
  const available = buf.length - bodyStart;
  let bodyEnd = buf.length;
  if (cl === undefined) {
    if (opts.stream) fail('missing Content-Length on a stream transport', 'Content-Length');
  } else {
    if (cl > available) fail(`Content-Length ${cl} is larger than the ${available} octets of body received`, 'Content-Length');
    if (opts.stream && cl < available) fail(`Content-Length ${cl} is smaller than the ${available} octets of body`, 'Content-Length');
    bodyEnd = bodyStart + cl;
  }
  // Without a Content-Length the serializer adds one, so the received octets are not what it would write.
  msg.adoptReceived({ src: buf, start, bodyStart, bodyEnd, isReusable: cl !== undefined });
  return msg;
}

type StartLine = { kind: 'request'; method: string; uri: Uri } | { kind: 'response'; status: number; reason: string };

function parseStartLine(line: string): StartLine {
  const part = 'start-line';
  // The common form (a SIP URI without headers) is checked by the match; anything else takes the full reading below.
  if (COMMON_REQUEST_LINE.test(line)) {
    // Taken apart by position: one space after the method, and " SIP/2.0" (8 characters) at the end.
    const sp = line.indexOf(' ');
    return { kind: 'request', method: line.slice(0, sp), uri: commonUri(line.slice(sp + 1, line.length - 8)) };
  }
  if (line.startsWith('SIP/') || line.startsWith('sip/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) fail('malformed status line', part);
    checkVersion(line.slice(0, sp1), part);
    const sp2 = line.indexOf(' ', sp1 + 1);
    const code = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    if (!/^[1-6][0-9][0-9]$/.test(code)) fail(`malformed status code "${code.slice(0, 20)}"`, part);
    const reason = sp2 < 0 ? '' : line.slice(sp2 + 1);
    for (let i = 0; i < reason.length; i++) {
      const c = reason.charCodeAt(i);
      if (c < 0x20 && c !== 0x09) fail('control character in reason phrase', part);
    }
    return { kind: 'response', status: Number(code), reason };
  }
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly two single spaces.
  const sp1 = line.indexOf(' ');
  let sp2 = line.indexOf(' ', sp1 + 1);
  // The URI holds no space, so the second space is the last one; more spaces are refused below.
  for (let more = sp2; more >= 0; more = line.indexOf(' ', more + 1)) sp2 = more;
  if (sp1 <= 0 || sp2 < 0 || sp2 === sp1) fail(`malformed request line "${line.slice(0, 60)}"`, part);
  const method = line.slice(0, sp1);
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) fail(`malformed method "${method.slice(0, 40)}"`, part);
  }
  const uriText = line.slice(sp1 + 1, sp2);
  if (uriText.length === 0 || uriText.indexOf(' ') >= 0 || uriText.indexOf('\t') >= 0) {
    fail('the Request-URI holds white space or the request line has extra spaces', part);
  }
  checkVersion(line.slice(sp2 + 1), part);
  if (uriText.charCodeAt(0) === 0x3c) fail('the Request-URI may not be enclosed in <>', part);
  const uri = parseUri(uriText, { part, allowHeaders: false });
  return { kind: 'request', method, uri };
}
