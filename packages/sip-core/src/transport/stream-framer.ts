/**
 * Cuts a TCP/TLS byte stream into whole SIP messages (RFC 3261 §18.3): the
 * header section ends at the first empty line and Content-Length, which is
 * mandatory on streams, says where the body ends. Also recognises the RFC 5626
 * §4.4.1 keep-alives between messages: CRLFCRLF (a ping, to be answered with
 * CRLF) and a lone CRLF (a pong).
 *
 *   push(chunk) ─▶ [message | ping | pong]* [error]
 *
 * After an error the stream cannot be resynchronised: the connection must close.
 */
import { SipParseError } from '../errors.js';

export type FramerEvent =
  | { type: 'message'; data: Buffer }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'error'; error: SipParseError };

export interface StreamFramerOptions {
  /** Largest message accepted, header and body (default 65535 octets). */
  maxMessageSize?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r]*)/gi;
const START_LINE = /^(?:SIP\/|[A-Za-z0-9!%*_+`'~.-]+ )/i;

export class StreamFramer {
  readonly maxMessageSize: number;
  #buf: Buffer = EMPTY;
  /** Where to resume looking for the blank line, so that each octet is scanned once. */
  #scanFrom = 0;
  #failed: SipParseError | undefined;

  constructor(opts: StreamFramerOptions = {}) {
    this.maxMessageSize = opts.maxMessageSize ?? 65535;
  }

  /** Octets received but not yet part of a whole message. */
  get pending(): number {
    return this.#buf.length;
  }

  get failed(): SipParseError | undefined {
    return this.#failed;
  }

  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed) return [];
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#buf = this.#buf.length === 0 ? c : Buffer.concat([this.#buf, c]);
    const out: FramerEvent[] = [];
    for (;;) {
      const ev = this.#next();
      if (ev === undefined) break;
      out.push(ev);
      if (ev.type === 'error') {
        this.#failed = ev.error;
        this.#buf = EMPTY;
        break;
      }
    }
    return out;
  }

  #error(message: string, code: 'SIP_ERR_FRAMING' | 'SIP_ERR_MESSAGE_TOO_LARGE' = 'SIP_ERR_FRAMING'): FramerEvent {
    return { type: 'error', error: new SipParseError(message, { part: 'framing' }, { code, status: code === 'SIP_ERR_MESSAGE_TOO_LARGE' ? 513 : 400 }) };
  }

  #take(n: number): Buffer {
    const data = this.#buf.subarray(0, n);
    this.#buf = n === this.#buf.length ? EMPTY : this.#buf.subarray(n);
    this.#scanFrom = 0;
    return data;
  }

  #next(): FramerEvent | undefined {
    const b = this.#buf;
    if (b.length === 0) return undefined;
    // Keep-alives live only between messages.
    if (b[0] === 0x0d) {
      if (b.length < 2) return undefined;
      if (b[1] !== 0x0a) return this.#error('stray CR between messages');
      if (b.length === 2) {
        this.#take(2);
        return { type: 'pong' };
      }
      if (b[2] !== 0x0d) {
        this.#take(2);
        return { type: 'pong' };
      }
      if (b.length < 4) return undefined;
      if (b[3] !== 0x0a) return this.#error('stray CR between messages');
      this.#take(4);
      return { type: 'ping' };
    }
    // A message must start with a start line; anything else means a lying
    // Content-Length earlier on, or a peer that does not speak SIP.
    const firstLineEnd = b.indexOf(0x0d);
    const probe = b.toString('latin1', 0, Math.min(b.length, 64));
    if ((firstLineEnd > 0 || b.length >= 64) && !START_LINE.test(probe)) {
      return this.#error(`the stream does not continue with a SIP start line ("${probe.slice(0, 20).replace(/[^\x20-\x7e]/g, '.')}")`);
    }
    const headerEnd = b.indexOf(CRLFCRLF, this.#scanFrom);
    if (headerEnd < 0) {
      if (b.length > this.maxMessageSize) return this.#error(`header section longer than ${this.maxMessageSize} octets`, 'SIP_ERR_MESSAGE_TOO_LARGE');
      this.#scanFrom = Math.max(0, b.length - 3);
      return undefined;
    }
    const head = b.toString('latin1', 0, headerEnd + 2);
    let length: number | undefined;
    for (const m of head.matchAll(CONTENT_LENGTH)) {
      const v = m[1]!.trim();
      if (!/^[0-9]{1,10}$/.test(v)) return this.#error(`malformed Content-Length "${v.slice(0, 20)}"`);
      if (length !== undefined && length !== Number(v)) return this.#error('two different Content-Length values');
      length = Number(v);
    }
    if (length === undefined) return this.#error('missing Content-Length on a stream transport');
    const total = headerEnd + 4 + length;
    if (total > this.maxMessageSize) return this.#error(`message of ${total} octets is over the ${this.maxMessageSize} limit`, 'SIP_ERR_MESSAGE_TOO_LARGE');
    if (b.length < total) {
      this.#scanFrom = headerEnd;
      return undefined;
    }
    return { type: 'message', data: this.#take(total) };
  }
}
