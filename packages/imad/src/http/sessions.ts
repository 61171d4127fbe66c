/**
 * Portal sessions, in memory: a restart logs everyone out (API tokens survive it). Each session
 * has a random id (the HttpOnly `ima_session` cookie) and a random CSRF token (the readable
 * `csrf` cookie, echoed in `x-csrf-token` by state-changing requests: double submit). A session
 * unused for `idleMs` is gone.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly login: string;
  readonly csrf: string;
  lastSeen: number;
}

/** 32 random bytes, base64url: a cookie value nobody can guess. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal strings, compared in a time that does not depend on where they differ. */
export function isSameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(idleMs: number, now: () => number = Date.now) {
    this.#idleMs = idleMs;
    this.#now = now;
  }

  create(login: string): Session {
    this.#sweep();
    const session: Session = { id: randomToken(), login, csrf: randomToken(), lastSeen: this.#now() };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of cookie value `id` (its idle time starts again), or undefined. */
  touch(id: string): Session | undefined {
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    const now = this.#now();
    if (now - s.lastSeen > this.#idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  /** True while the session lives, without counting this as use (an open event stream is not activity). */
  isLive(id: string): boolean {
    const s = this.#sessions.get(id);
    return s !== undefined && this.#now() - s.lastSeen <= this.#idleMs;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Forget idle sessions, so that the map does not grow with abandoned logins. */
  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (now - s.lastSeen > this.#idleMs) this.#sessions.delete(id);
  }
}
