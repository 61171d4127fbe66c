/**
 * Server-Sent Events (GET /api/events): each open stream belongs to one principal and gets only
 * the events about subjects that principal may see. A comment line every 15 s keeps proxies
 * from closing idle streams. The visibility of a subject is checked at send time against the
 * directory of that moment (a reload can take a manager away from an assistant).
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

interface Stream {
  readonly principal: () => Principal | undefined;
  readonly res: ServerResponse;
}

export class EventHub {
  readonly #streams = new Set<Stream>();
  readonly #directory: () => Directory;
  readonly #keepalive: NodeJS.Timeout;

  constructor(directory: () => Directory, keepaliveMs = 15_000) {
    this.#directory = directory;
    this.#keepalive = setInterval(() => {
      for (const s of this.#streams) s.res.write(': keepalive\n\n');
    }, keepaliveMs);
    this.#keepalive.unref();
  }

  /**
   * Opens a stream on `res`. `principal` is asked again for every event, so that a user removed
   * by a reload stops receiving (undefined ends the stream).
   */
  open(res: ServerResponse, principal: () => Principal | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // Tells EventSource how long to wait before reconnecting.
    res.write('retry: 2000\n\n');
    const stream: Stream = { principal, res };
    this.#streams.add(stream);
    res.on('close', () => this.#streams.delete(stream));
  }

  publish(name: string, data: unknown, subject: Subject): void {
    if (this.#streams.size === 0) return;
    const directory = this.#directory();
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.#streams) {
      const p = s.principal();
      if (p === undefined || s.res.writableLength > MAX_BUFFERED) {
        s.res.end();
        this.#streams.delete(s);
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
  }
}
