/**
 * Login attempts, rate-limited per login and per address: after `maxPerLogin` failures for one
 * login, or `maxPerAddress` from one address, within `windowMs`, further attempts are refused
 * (429 with Retry-After) until the oldest failure leaves the window. A success clears the
 * login's failures, not the address's (so one good password does not reopen guessing others).
 */
export interface LimiterOptions {
  readonly maxPerLogin: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
}

export const LOGIN_LIMITS: LimiterOptions = { maxPerLogin: 5, maxPerAddress: 20, windowMs: 15 * 60_000 };

/** How many keys are remembered at most: an attacker spraying logins cannot grow memory for ever. */
const MAX_KEYS = 10_000;

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #opts: LimiterOptions;
  readonly #now: () => number;

  constructor(opts: LimiterOptions = LOGIN_LIMITS, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
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

  failed(login: string, address: string): void {
    const now = this.#now();
    for (const key of [`login:${login}`, `addr:${address}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.delete(key);
      this.#failures.set(key, times);
    }
    // Oldest keys first in a Map: drop them when too many are kept.
    while (this.#failures.size > MAX_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
  }

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
