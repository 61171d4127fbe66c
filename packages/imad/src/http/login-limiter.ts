/**
 * Login attempts, rate-limited per login and per address: after `maxPerLogin` failures for one
 * login, or `maxPerAddress` from one address, within `windowMs`, further attempts are refused
 * (429 with Retry-After) until the oldest failure leaves the window. A success clears the
 * login's failures, not the address's (so one good password does not reopen guessing others).
 *
 * An attempt is counted as a failure the moment it is let through, before its password is
 * hashed: concurrent attempts, each waiting on its own scrypt work, see the ones in flight, so
 * no more than the limit ever get an answer other than 429. A success takes its count back.
 */
export interface LimiterOptions {
  readonly maxPerLogin: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
}

export const LOGIN_LIMITS: LimiterOptions = { maxPerLogin: 5, maxPerAddress: 20, windowMs: 15 * 60_000 };

/** How many keys are remembered at most: an attacker spraying logins cannot grow memory for ever. */
const MAX_KEYS = 10_000;

/** An attempt let through: it already counts as a failure; `succeeded()` takes that back. */
export interface LoginAttempt {
  succeeded(): void;
}

export type Admission = { readonly ok: true; readonly attempt: LoginAttempt } | { readonly ok: false; readonly retryAfter: number };

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #opts: LimiterOptions;
  readonly #now: () => number;

  constructor(opts: LimiterOptions = LOGIN_LIMITS, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
  }

  /**
   * Checks the limits and reserves the attempt in one step (nothing awaits in between): the
   * attempt, counted as a failure of the login and the address until it succeeds; or, when a
   * limit is reached, the seconds to wait (and nothing is counted).
   */
  admit(login: string, address: string): Admission {
    const wait = this.retryAfter(login, address);
    if (wait > 0) return { ok: false, retryAfter: wait };
    const at = this.failed(login, address);
    let isSettled = false;
    return {
      ok: true,
      attempt: {
        succeeded: () => {
          if (isSettled) return;
          isSettled = true;
          this.succeeded(login);
          const times = this.#failures.get(`addr:${address}`);
          const i = times?.indexOf(at) ?? -1;
          if (i >= 0) times!.splice(i, 1);
          if (times?.length === 0) this.#failures.delete(`addr:${address}`);
        },
      },
    };
  }

  /** 0 when an attempt may go ahead, else the seconds to wait. */
  retryAfter(login: string, address: string): number {
    const now = this.#now();
    const wait = (key: string, max: number): number => {
      const times = this.#recent(key, now);
      if (times.length < max) return 0;
      return Math.max(1, Math.ceil((times[times.length - max]! + this.#opts.windowMs - now) / 1000));
    };
    return Math.max(wait(`login:${login}`, this.#opts.maxPerLogin), wait(`addr:${address}`, this.#opts.maxPerAddress));
  }

  /** Counts a failure of `login` from `address`; returns its time. */
  failed(login: string, address: string): number {
    const now = this.#now();
    for (const key of [`login:${login}`, `addr:${address}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.delete(key);
      this.#failures.set(key, times);
    }
    // Oldest keys first in a Map: drop them when too many are kept.
    while (this.#failures.size > MAX_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
    return now;
  }

  /** Clears the login's failures (an attempt from admit() also takes back its address count). */
  succeeded(login: string): void {
    this.#failures.delete(`login:${login}`);
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => now - t < this.#opts.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }
}
