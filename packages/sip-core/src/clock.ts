/**
 * Time as an input: every timer in the stack goes through a Clock, so tests
 * run in virtual time with ManualClock and nothing waits on the wall clock.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: performance.now() and Node's timers. Timers are unref'd so they never keep a process alive. */
export class SystemClock implements Clock {
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #next = 1;
  now(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const t = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms);
    t.unref();
    this.#timers.set(id, t);
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    const t = this.#timers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.#timers.delete(handle.id);
    }
  }
}

/** A clock that moves only when told to: advance(ms) fires due timers in time order. */
export class ManualClock implements Clock {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; seq: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }
  /** How many timers are pending. */
  get pending(): number {
    return this.#timers.size;
  }
  /** Move time forward by ms, firing every timer that falls due, in order (ties: first set, first fired). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let dueId = -1;
      let due: { at: number; seq: number; fn: () => void } | undefined;
      for (const [id, t] of this.#timers) {
        if (t.at <= target && (due === undefined || t.at < due.at || (t.at === due.at && t.seq < due.seq))) {
          due = t;
          dueId = id;
        }
      }
      if (due === undefined) break;
      this.#timers.delete(dueId);
      this.#now = due.at;
      due.fn();
    }
    this.#now = target;
  }
  /** Fire everything pending, however far ahead (bounded, to catch timers that re-arm forever). */
  runAll(maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps && this.#timers.size > 0; i++) {
      let next = Infinity;
      for (const t of this.#timers.values()) next = Math.min(next, t.at);
      this.advance(next - this.#now);
    }
  }
}
