/**
 * One TCP or TLS connection carrying SIP (RFC 3261 §18.3): the StreamFramer
 * cuts the byte stream into messages, CRLFCRLF pings get a CRLF pong
 * (RFC 5626 §4.4.1), a framing error or an oversize message closes this
 * connection only, and a connection with no traffic for idleTimeoutMs closes.
 *
 *   open ──(framing error | idle | peer close | socket error | close())──▶ closed
 */
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import type { SipParseError } from '../errors.js';
import { canonicalIp } from './address.js';
import { StreamFramer } from './stream-framer.js';

/** Why a connection closed. */
export type CloseReason = 'idle' | 'framing' | 'peer' | 'error' | 'local';

export interface ConnectionHandlers {
  onMessage(conn: StreamConnection, data: Buffer): void;
  onFramingError(conn: StreamConnection, error: SipParseError): void;
  onClose(conn: StreamConnection, reason: CloseReason, error?: Error): void;
}

export interface ConnectionOptions {
  readonly id: string;
  readonly protocol: 'tcp' | 'tls';
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly isOutgoing: boolean;
  readonly handlers: ConnectionHandlers;
}

const CRLF = Buffer.from('\r\n');

/** A connected socket (net.Socket or tls.TLSSocket) with its framer and idle timer. */
export class StreamConnection {
  readonly id: string;
  readonly protocol: 'tcp' | 'tls';
  readonly isOutgoing: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  #socket: Socket;
  #framer: StreamFramer;
  #clock: Clock;
  #idleMs: number;
  #handlers: ConnectionHandlers;
  #lastActivity: number;
  #idleTimer: TimerHandle | undefined;
  #closeReason: CloseReason | undefined;
  #lastError: Error | undefined;
  #closedNotified = false;

  constructor(socket: Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.id = opts.id;
    this.protocol = opts.protocol;
    this.isOutgoing = opts.isOutgoing;
    this.remoteAddress = canonicalIp(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = canonicalIp(socket.localAddress ?? '');
    this.localPort = socket.localPort ?? 0;
    this.#framer = new StreamFramer({ maxMessageSize: opts.maxMessageSize });
    this.#clock = opts.clock;
    this.#idleMs = opts.idleTimeoutMs;
    this.#handlers = opts.handlers;
    this.#lastActivity = this.#clock.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => {
      this.#lastError = err;
    });
    socket.on('close', () => this.#onClose());
    if (socket.destroyed) queueMicrotask(() => this.#onClose());
    this.#armIdle(this.#idleMs);
  }

  get isOpen(): boolean {
    return this.#closeReason === undefined && !this.#socket.destroyed;
  }

  /** Write bytes; resolves with the Error when the write failed (never rejects). */
  write(data: Buffer): Promise<Error | undefined> {
    if (!this.isOpen) return Promise.resolve(new Error(`connection ${this.id} is closed`));
    this.#touch();
    return new Promise((resolve) => {
      try {
        this.#socket.write(data, (err) => resolve(err ?? undefined));
      } catch (err) {
        resolve(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Close now (destroys the socket); onClose follows. */
  close(reason: CloseReason = 'local'): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  #touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  // Idle check is lazy: one timer per connection, re-armed for the remainder when traffic came meanwhile.
  #armIdle(ms: number): void {
    if (this.#idleMs <= 0 || !Number.isFinite(this.#idleMs)) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = undefined;
      if (!this.isOpen) return;
      const idleFor = this.#clock.now() - this.#lastActivity;
      if (idleFor >= this.#idleMs) this.close('idle');
      else this.#armIdle(this.#idleMs - idleFor);
    }, ms);
  }

  #onData(chunk: Buffer): void {
    this.#touch();
    for (const ev of this.#framer.push(chunk)) {
      if (!this.isOpen) return;
      switch (ev.type) {
        case 'message':
          this.#handlers.onMessage(this, ev.data);
          break;
        case 'ping':
          // RFC 5626 §4.4.1: answer a CRLFCRLF ping with a CRLF pong.
          void this.write(CRLF);
          break;
        case 'pong':
          break;
        case 'error':
          // RFC 3261 §18.3: the stream cannot be resynchronised; close this connection only.
          this.#handlers.onFramingError(this, ev.error);
          this.close('framing');
          return;
      }
    }
  }

  #onClose(): void {
    if (this.#idleTimer !== undefined) {
      this.#clock.clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    if (this.#closedNotified) return;
    this.#closedNotified = true;
    const reason = this.#closeReason ?? (this.#lastError ? 'error' : 'peer');
    this.#closeReason = reason;
    this.#handlers.onClose(this, reason, this.#lastError);
  }
}
