/**
 * Server-Sent Events (GET /api/events): each open stream belongs to one principal and gets only
 * the events about subjects that principal may see. A comment line every 15 s keeps proxies
 * from closing idle streams. The visibility of a subject is checked at send time against the
 * directory of that moment (a reload can take a manager away from an assistant). One login
 * keeps at most `maxPerLogin` streams open at once (each costs a socket and a buffer): a page
 * left open in many tabs, or a script that reconnects without closing, is refused past that.
 */
import type { ServerResponse } from 'node:http';
import type { Directory } from '@ima/ima-policy';
import { type Principal, canSeeAssistant, canSeeManagerId } from './principal.js';

/** What an event is about, for filtering. */
export type Subject =
  | { readonly kind: 'manager'; readonly managerId: string }
  | { readonly kind: 'assistant'; readonly assistantId: string }
  | { readonly kind: 'call'; readonly managerId: string | null }
  | { readonly kind: 'peers' };

export function maySee(p: Principal, directory: Directory, subject: Subject): boolean {
  switch (subject.kind) {
    case 'manager':
    case 'call':
      return canSeeManagerId(p, directory, subject.managerId);
    case 'assistant':
      return canSeeAssistant(p, directory, subject.assistantId);
    case 'peers':
      return p.role === 'admin';
  }
}

/** A client that stopped reading: past this much unsent data its stream is ended (it reconnects). */
const MAX_BUFFERED = 1024 * 1024;

/** Streams one login may have open at once. */
export const MAX_STREAMS_PER_LOGIN = 20;

interface Stream {
  readonly login: string;
  readonly principal: () => Principal | undefined;
  readonly res: ServerResponse;
}

export class EventHub {
  readonly #streams = new Set<Stream>();
  readonly #directory: () => Directory;
  readonly #keepalive: NodeJS.Timeout;
  /** Open streams per login. */
  readonly #perLogin = new Map<string, number>();
  readonly maxPerLogin: number;

  constructor(directory: () => Directory, keepaliveMs = 15_000, maxPerLogin = MAX_STREAMS_PER_LOGIN) {
    this.#directory = directory;
    this.maxPerLogin = maxPerLogin;
    this.#keepalive = setInterval(() => {
      for (const s of this.#streams) s.res.write(': keepalive\n\n');
    }, keepaliveMs);
    this.#keepalive.unref();
  }

  /** Whether `login` may open one more stream. */
  hasRoomFor(login: string): boolean {
    return (this.#perLogin.get(login) ?? 0) < this.maxPerLogin;
  }

  /**
   * Opens a stream on `res` for `login` (check hasRoomFor first). `principal` is asked again for
   * every event, so that a user removed by a reload stops receiving (undefined ends the stream).
   */
  open(res: ServerResponse, login: string, principal: () => Principal | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // Tells EventSource how long to wait before reconnecting.
    res.write('retry: 2000\n\n');
    const stream: Stream = { login, principal, res };
    this.#streams.add(stream);
    this.#perLogin.set(login, (this.#perLogin.get(login) ?? 0) + 1);
    res.on('close', () => this.#forget(stream));
  }

  publish(name: string, data: unknown, subject: Subject): void {
    if (this.#streams.size === 0) return;
    const directory = this.#directory();
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.#streams) {
      const p = s.principal();
      if (p === undefined || s.res.writableLength > MAX_BUFFERED) {
        s.res.end();
        this.#forget(s);
      } else if (maySee(p, directory, subject)) s.res.write(frame);
    }
  }

  get size(): number {
    return this.#streams.size;
  }

  close(): void {
    clearInterval(this.#keepalive);
    for (const s of this.#streams) s.res.end();
    this.#streams.clear();
    this.#perLogin.clear();
  }

  /** Once per stream, however it ended (the client went away, or we ended it). */
  #forget(s: Stream): void {
    if (!this.#streams.delete(s)) return;
    const n = (this.#perLogin.get(s.login) ?? 1) - 1;
    if (n <= 0) this.#perLogin.delete(s.login);
    else this.#perLogin.set(s.login, n);
  }
}
