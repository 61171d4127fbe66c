/**
 * SIP requests and responses. Header values are parsed the first time an
 * accessor reads them and cached in the Headers until that header changes.
 */
import {
  type CSeq,
  type Contact,
  type ContentType,
  type EventHeader,
  type FromTo,
  type NameAddr,
  type Reason,
  type RetryAfter,
  type SessionExpires,
  type SubscriptionState,
  type Via,
  parseCSeq,
  parseCallId,
  parseContactList,
  parseContentLength,
  parseContentType,
  parseDate,
  parseEvent,
  parseExpires,
  parseFrom,
  parseMaxForwards,
  parseMinSE,
  parseNameAddrList,
  parseReasonList,
  parseRetryAfter,
  parseSessionExpires,
  parseSubscriptionState,
  parseTo,
  parseTokenList,
  parseViaList,
} from './header-values.js';
import { type HeaderInit, Headers } from './headers.js';
import { ownString } from './own-string.js';
// parse.ts imports this module too; parseMessage is only called from methods, never while the modules load.
import { parseMessage } from './parse.js';
import { serializeMessage } from './serialize.js';
import type { Uri } from './uri.js';

const EMPTY = new Uint8Array(0);

const list = (part: string) => (lines: string[]) => parseNameAddrList(lines, part);
const tokens = (part: string) => (lines: string[]) => parseTokenList(lines, part);
const ROUTE = list('Route');
const RECORD_ROUTE = list('Record-Route');
const PAI = list('P-Asserted-Identity');
const DIVERSION = list('Diversion');
const RPID = list('Remote-Party-ID');
const ALLOW = tokens('Allow');
const SUPPORTED = tokens('Supported');
const REQUIRE = tokens('Require');
const PROXY_REQUIRE = tokens('Proxy-Require');
const UNSUPPORTED = tokens('Unsupported');

/**
 * Where a parsed message's bytes are: the serializer hands them back as they
 * are while nothing has changed, and the body is cut from them on first read.
 */
export interface ReceivedBytes {
  readonly src: Buffer;
  /** First octet of the start line. */
  readonly start: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /**
   * Whether the octets start..bodyEnd are exactly what serializeMessage would
   * write for the parsed message (false when, say, Content-Length was absent).
   */
  readonly isReusable: boolean;
}

abstract class SipMessageBase {
  /** Undefined while the message is compacted (see compact()): parsed again from #received on the next read. */
  #headers: Headers | undefined;
  #body: Uint8Array | undefined;
  #encoding: 'utf8' | 'latin1' = 'utf8';
  /** Set by the parser, dropped by any change that the bytes would not show. */
  #received: ReceivedBytes | undefined;
  /**
   * A compacted message that was not read from the network as it is now: its start line and
   * header section, blank line included, one character per octet (the body stays in #body).
   */
  #packedHead: string | undefined;

  constructor(headers: Headers | HeaderInit | undefined, body: Uint8Array | string | undefined) {
    this.#headers = headers instanceof Headers ? headers : new Headers(headers);
    this.#body = body === undefined ? EMPTY : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  }

  get headers(): Headers {
    return this.#headers ?? this.#expand();
  }
  set headers(h: Headers) {
    this.#expandIfCompact();
    this.#headers = h;
    this.#dropReceived();
  }

  /** The body as bytes, never decoded: SDP and other payloads cross the B2BUA untouched. */
  get body(): Uint8Array {
    let b = this.#body;
    if (b === undefined) {
      const r = this.#received!;
      b = this.#body = r.bodyStart === r.bodyEnd ? EMPTY : r.src.subarray(r.bodyStart, r.bodyEnd);
    }
    return b;
  }
  set body(b: Uint8Array) {
    this.#expandIfCompact();
    // A parsed message keeps its bytes only while its body is the one received.
    if (b !== this.#body) this.#received = undefined;
    this.#body = b;
  }

  /**
   * How header text maps to bytes. Headers that are not valid UTF-8 (RFC 4475
   * has some) are read as latin1 so that serializing gives back the same bytes.
   */
  get headerEncoding(): 'utf8' | 'latin1' {
    return this.#encoding;
  }
  set headerEncoding(e: 'utf8' | 'latin1') {
    this.#expandIfCompact();
    if (e !== this.#encoding) this.#dropReceived();
    this.#encoding = e;
  }

  /**
   * The received octets of this message while they still say exactly what it
   * holds: parsed, and since then no header, start-line part or body changed.
   */
  get unchangedBytes(): Buffer | undefined {
    if (this.#packedHead !== undefined) return this.#packedBytes();
    const r = this.#received;
    if (r === undefined || !r.isReusable || this.#headers?.hasChanged === true) return undefined;
    return r.start === 0 && r.bodyEnd === r.src.length ? r.src : r.src.subarray(r.start, r.bodyEnd);
  }

  /** For the parser: the message was read from these bytes (the body is cut from them when first read). */
  adoptReceived(received: ReceivedBytes): void {
    this.#received = received;
    this.#body = undefined;
  }

  /** For subclasses: a start-line part changed, so the received bytes no longer say it. */
  protected startLineChanged(): void {
    this.#expandIfCompact();
    this.#dropReceived();
  }

  /** True while the message holds only its octets (see compact()). */
  get isCompact(): boolean {
    return this.#headers === undefined;
  }

  /**
   * Let go of the parsed form (header lines, typed values, the Request-URI)
   * and keep only the octets the message serializes to; the next read of any
   * of them parses the octets again, the body is cut from them. For messages
   * kept long and seldom read (a call's INVITE, the ACK that answers its 2xx
   * retransmissions): parsed, a message takes a few times its size, and
   * holds on to the text it was read from. False, and nothing changes, when
   * the octets would not parse (a header value the application gave with a
   * line break in it).
   */
  compact(): boolean {
    if (this.#headers === undefined) return true;
    if (this.unchangedBytes === undefined) {
      // Built here, or changed since it was read: its serialization, checked to parse back.
      const bytes = serializeMessage(this as unknown as SipMessage);
      try {
        parseMessage(bytes);
      } catch {
        return false;
      }
      const body = this.body;
      this.#packedHead = bytes.toString('latin1', 0, bytes.length - body.byteLength);
      this.#received = undefined;
    } else {
      // Read and unchanged: the octets it came in are all it needs (its body is cut from them again).
      this.#body = undefined;
    }
    this.#headers = undefined;
    this.compactStartLine();
    return true;
  }

  /** For subclasses: drop or copy the start-line parts that share memory with the parsed text. */
  protected abstract compactStartLine(): void;
  /** For subclasses: take the start-line parts of the message parsed again from the octets. */
  protected abstract expandStartLine(from: SipMessage): void;

  /** The octets of a packed message: its header section and its body. */
  #packedBytes(): Buffer {
    const head = this.#packedHead!;
    const body = this.#body!;
    const out = Buffer.allocUnsafe(head.length + body.byteLength);
    out.write(head, 0, 'latin1');
    out.set(body, head.length);
    return out;
  }

  /** Parse the octets of a compacted message again (compact() made sure they parse). */
  #expand(): Headers {
    const again = parseMessage(this.unchangedBytes!);
    const h = again.headers;
    this.#headers = h;
    // Serializing reuses these octets while nothing changes; a packed message keeps its body as it was.
    this.#received = again.#received;
    this.#packedHead = undefined;
    this.expandStartLine(again);
    return h;
  }

  /** Before a change: the parts the change does not replace are needed as they are. */
  #expandIfCompact(): void {
    if (this.#headers === undefined) this.#expand();
  }

  #dropReceived(): void {
    if (this.#body === undefined) this.#body = this.body;
    this.#received = undefined;
  }

  /** Every Via, top first. */
  get via(): Via[] {
    return this.headers.core(0, parseViaList);
  }
  get topVia(): Via | undefined {
    return this.via[0];
  }
  get from(): FromTo {
    return this.headers.core(1, parseFrom);
  }
  get to(): FromTo {
    return this.headers.core(2, parseTo);
  }
  get callId(): string {
    return this.headers.core(3, parseCallId);
  }
  get cseq(): CSeq {
    return this.headers.core(4, parseCSeq);
  }
  get maxForwards(): number | undefined {
    return this.headers.core(5, parseMaxForwards);
  }
  /** The Content-Length header's value; the body length is what counts when serializing. */
  get contentLength(): number | undefined {
    return this.headers.core(6, parseContentLength);
  }
  /** Contact values, or "*" for a REGISTER that removes every binding. Empty when absent. */
  get contact(): Contact[] | '*' {
    return this.headers.parsed('contact', parseContactList);
  }
  get route(): NameAddr[] {
    return this.headers.parsed('route', ROUTE);
  }
  get recordRoute(): NameAddr[] {
    return this.headers.parsed('record-route', RECORD_ROUTE);
  }
  get contentType(): ContentType | undefined {
    return this.headers.parsed('content-type', parseContentType);
  }
  get expires(): number | undefined {
    return this.headers.parsed('expires', parseExpires);
  }
  get event(): EventHeader | undefined {
    return this.headers.parsed('event', parseEvent);
  }
  get subscriptionState(): SubscriptionState | undefined {
    return this.headers.parsed('subscription-state', parseSubscriptionState);
  }
  get allow(): string[] {
    return this.headers.parsed('allow', ALLOW);
  }
  get supported(): string[] {
    return this.headers.parsed('supported', SUPPORTED);
  }
  get require(): string[] {
    return this.headers.parsed('require', REQUIRE);
  }
  get proxyRequire(): string[] {
    return this.headers.parsed('proxy-require', PROXY_REQUIRE);
  }
  get unsupported(): string[] {
    return this.headers.parsed('unsupported', UNSUPPORTED);
  }
  get sessionExpires(): SessionExpires | undefined {
    return this.headers.parsed('session-expires', parseSessionExpires);
  }
  get minSE(): number | undefined {
    return this.headers.parsed('min-se', parseMinSE);
  }
  /** The Reason headers (RFC 3326); a response's reason phrase is `reason` on SipResponse. */
  get reasons(): Reason[] {
    return this.headers.parsed('reason', parseReasonList);
  }
  get diversion(): NameAddr[] {
    return this.headers.parsed('diversion', DIVERSION);
  }
  get pAssertedIdentity(): NameAddr[] {
    return this.headers.parsed('p-asserted-identity', PAI);
  }
  get remotePartyId(): NameAddr[] {
    return this.headers.parsed('remote-party-id', RPID);
  }
  get date(): Date | undefined {
    return this.headers.parsed('date', parseDate);
  }
  get retryAfter(): RetryAfter | undefined {
    return this.headers.parsed('retry-after', parseRetryAfter);
  }
}

export interface SipRequestInit {
  method: string;
  uri: Uri;
  headers?: Headers | HeaderInit;
  body?: Uint8Array | string;
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  #method: string;
  /** Undefined while compacted. */
  #uri: Uri | undefined;
  constructor(init: SipRequestInit) {
    super(init.headers, init.body);
    this.#method = init.method;
    this.#uri = init.uri;
  }
  get method(): string {
    return this.#method;
  }
  set method(m: string) {
    if (m !== this.#method) this.startLineChanged();
    this.#method = m;
  }
  get uri(): Uri {
    return this.#uri ?? this.#expandedUri();
  }
  set uri(u: Uri) {
    if (u !== this.#uri) this.startLineChanged();
    this.#uri = u;
  }
  #expandedUri(): Uri {
    void this.headers;
    return this.#uri!;
  }
  protected compactStartLine(): void {
    this.#uri = undefined;
    this.#method = ownString(this.#method);
  }
  protected expandStartLine(from: SipMessage): void {
    if (from.kind === 'request') this.#uri = from.uri;
  }
}

export interface SipResponseInit {
  status: number;
  reason?: string;
  headers?: Headers | HeaderInit;
  body?: Uint8Array | string;
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  #status: number;
  #reason: string;
  constructor(init: SipResponseInit) {
    super(init.headers, init.body);
    this.#status = init.status;
    this.#reason = init.reason ?? reasonPhrase(init.status);
  }
  get status(): number {
    return this.#status;
  }
  set status(s: number) {
    if (s !== this.#status) this.startLineChanged();
    this.#status = s;
  }
  get reason(): string {
    return this.#reason;
  }
  set reason(r: string) {
    if (r !== this.#reason) this.startLineChanged();
    this.#reason = r;
  }
  protected compactStartLine(): void {
    this.#reason = ownString(this.#reason);
  }
  protected expandStartLine(): void {}
}

export type SipMessage = SipRequest | SipResponse;

const PHRASES: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  199: 'Early Dialog Terminated', 200: 'OK', 202: 'Accepted', 204: 'No Notification', 300: 'Multiple Choices',
  301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  410: 'Gone', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long',
  415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required',
  422: 'Session Interval Too Small', 423: 'Interval Too Brief', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete',
  485: 'Ambiguous', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event',
  491: 'Request Pending', 493: 'Undecipherable', 500: 'Server Internal Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported',
  513: 'Message Too Large', 580: 'Precondition Failure', 600: 'Busy Everywhere', 603: 'Decline',
  604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

/** The usual reason phrase of a status code (RFC 3261 §21 and extensions). */
export function reasonPhrase(status: number): string {
  return PHRASES[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}
