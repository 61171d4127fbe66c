/**
 * Bytes -> SipRequest | SipResponse (RFC 3261 §7, §25).
 *
 * parseMessage checks the start line and the headers every element reads
 * (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length) and refuses the
 * message when any of them is missing or malformed. Every other header is kept
 * as text and parsed on its first read.
 */
import { isUtf8 } from 'node:buffer';
import { SipParseError } from '../errors.js';
import { TOKEN } from './grammar.js';
import {
  parseCSeq,
  parseCallId,
  parseContentLength,
  parseFrom,
  parseMaxForwards,
  parseTo,
  parseViaList,
} from './header-values.js';
import { Headers, canonicalName } from './headers.js';
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

/** Parse one SIP message. Throws SipParseError (and nothing else) on bad input. */
export function parseMessage(input: Uint8Array | string, opts: ParseOptions = {}): SipMessage {
  const buf = toBuffer(input);
  const start = skipLeadingCrlf(buf);
  const headerEnd = findHeaderEnd(buf, start);
  if (headerEnd < 0) fail('no empty line after the header section', 'framing');
  const headBytes = buf.subarray(start, headerEnd + 2);
  const latin1 = !isUtf8(headBytes);
  const head = headBytes.toString(latin1 ? 'latin1' : 'utf8');

  // Start line.
  let eol = head.indexOf('\r\n');
  const startLine = head.slice(0, eol);
  const first = parseStartLine(startLine);

  // Bare CR or LF inside the header section would let one header smuggle another.
  for (let k = head.indexOf('\n'); k >= 0; k = head.indexOf('\n', k + 1)) {
    if (head.charCodeAt(k - 1) !== 0x0d) fail('bare LF inside the header section', 'headers');
  }
  for (let k = head.indexOf('\r'); k >= 0; k = head.indexOf('\r', k + 1)) {
    if (head.charCodeAt(k + 1) !== 0x0a) fail('bare CR inside the header section', 'headers');
  }

  // Header lines, unfolded (RFC 3261 §7.3.1: CRLF followed by SP/HTAB continues the line).
  const names: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  let pos = eol + 2;
  const n = head.length;
  while (pos < n) {
    eol = head.indexOf('\r\n', pos);
    let i = pos;
    const lead = head.charCodeAt(i);
    if (lead === 0x20 || lead === 0x09) {
      const last = values.length - 1;
      if (last < 0) fail('continuation line before any header', 'headers');
      const more = head.slice(pos, eol).trim();
      if (more.length > 0) values[last] = values[last]!.length > 0 ? values[last] + ' ' + more : more;
      pos = eol + 2;
      continue;
    }
    while (i < eol) {
      const c = head.charCodeAt(i);
      if (c >= 128 || TOKEN[c] !== 1) break;
      i++;
    }
    if (i === pos) fail(`malformed header line "${head.slice(pos, Math.min(eol, pos + 40))}"`, 'headers');
    const name = head.slice(pos, i);
    while (i < eol && (head.charCodeAt(i) === 0x20 || head.charCodeAt(i) === 0x09)) i++;
    if (head.charCodeAt(i) !== 0x3a) fail(`malformed header name "${head.slice(pos, Math.min(eol, pos + 40))}"`, 'headers');
    i++;
    while (i < eol && (head.charCodeAt(i) === 0x20 || head.charCodeAt(i) === 0x09)) i++;
    let end = eol;
    while (end > i && (head.charCodeAt(end - 1) === 0x20 || head.charCodeAt(end - 1) === 0x09)) end--;
    names.push(name);
    keys.push(canonicalName(name));
    values.push(head.slice(i, end));
    pos = eol + 2;
  }
  const h = Headers.fromParsed(names, keys, values);
  const msg =
    first.kind === 'request'
      ? new SipRequest({ method: first.method, uri: first.uri, headers: h })
      : new SipResponse({ status: first.status, reason: first.reason, headers: h });
  if (latin1) msg.headerEncoding = 'latin1';

  // The headers every element reads: parse now, and seed the typed cache.
  // (Single-valued ones refuse a second occurrence: RFC 4475 §3.3.8, §3.3.9.)
  const vias: string[] = [];
  let from: string[] | undefined;
  let to: string[] | undefined;
  let callId: string[] | undefined;
  let cseqLines: string[] | undefined;
  let mf: string[] | undefined;
  let clLines: string[] | undefined;
  for (let k = 0; k < keys.length; k++) {
    const v = values[k]!;
    switch (keys[k]) {
      case 'via': vias.push(v); break;
      case 'from': (from ??= []).push(v); break;
      case 'to': (to ??= []).push(v); break;
      case 'call-id': (callId ??= []).push(v); break;
      case 'cseq': (cseqLines ??= []).push(v); break;
      case 'max-forwards': (mf ??= []).push(v); break;
      case 'content-length': (clLines ??= []).push(v); break;
    }
  }
  if (vias.length === 0) fail('missing Via header', 'Via');
  h.seed('via', parseViaList(vias));
  h.seed('from', parseFrom(from ?? NONE));
  h.seed('to', parseTo(to ?? NONE));
  h.seed('call-id', parseCallId(callId ?? NONE));
  const cseq = parseCSeq(cseqLines ?? NONE);
  h.seed('cseq', cseq);
  h.seed('max-forwards', parseMaxForwards(mf ?? NONE));
  const cl = parseContentLength(clLines ?? NONE);
  h.seed('content-length', cl);
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    fail(`CSeq method ${cseq.method} does not match the request method ${msg.method}`, 'CSeq');
  }

  // Body (RFC 3261 §18.3).
  const bodyStart = headerEnd + 4;
  const available = buf.length - bodyStart;
  if (cl === undefined) {
    if (opts.stream) fail('missing Content-Length on a stream transport', 'Content-Length');
    msg.body = buf.subarray(bodyStart);
  } else {
    if (cl > available) fail(`Content-Length ${cl} is larger than the ${available} octets of body received`, 'Content-Length');
    if (opts.stream && cl < available) fail(`Content-Length ${cl} is smaller than the ${available} octets of body`, 'Content-Length');
    msg.body = buf.subarray(bodyStart, bodyStart + cl);
  }
  return msg;
}

type StartLine = { kind: 'request'; method: string; uri: Uri } | { kind: 'response'; status: number; reason: string };

function parseStartLine(line: string): StartLine {
  const part = 'start-line';
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
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) fail(`malformed request line "${line.slice(0, 60)}"`, part);
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
