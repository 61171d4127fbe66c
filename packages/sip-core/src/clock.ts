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

/** A SystemClock timer: its due time and what to run (dropped when cleared: the entry waits in its queue, empty). */
class SystemTimer implements TimerHandle {
  constructor(
    readonly id: number,
    readonly at: number,
    public fn: (() => void) | undefined,
  ) {}
}

/** The timers of one duration: due in the order they were set, so a FIFO with one Node timer for its head. */
class TimerQueue {
  /** Fired entries before `head` are let go (undefined) until the array is cut down. */
  entries: Array<SystemTimer | undefined> = [];
  head = 0;
  timeout: NodeJS.Timeout | undefined;
  /** Running its due timers: a timer one of them sets waits for the end of the run. */
  isFiring = false;
}

/** Past this many fired entries at its front, a queue's array is cut down. */
const COMPACT_AFTER = 1024;

/**
 * The real clock: performance.now() and Node's timers. Timers are unref'd so they never keep a process alive.
 * Timers of the same duration share one Node timer (a stack at 500 calls/s holds two 64*T1 timers per
 * call, each a Node Timeout of a few hundred bytes otherwise); a timer never fires before its time.
 */
export class SystemClock implements Clock {
  #next = 1;
  readonly #queues = new Map<number, TimerQueue>();
  now(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    // As Node's setTimeout: a delay below 1 ms (or not a number) is 1 ms.
    const delay = ms >= 1 ? ms : 1;
    const t = new SystemTimer(this.#next++, this.now() + delay, fn);
    let q = this.#queues.get(delay);
    if (q === undefined) this.#queues.set(delay, (q = new TimerQueue()));
    q.entries.push(t);
    if (q.timeout === undefined && !q.isFiring) this.#arm(q, delay, delay);
    return t;
  }
  clearTimeout(handle: TimerHandle): void {
    // Clearing a timer that has fired, or twice, does nothing (as with Node's clearTimeout).
    if (handle instanceof SystemTimer) handle.fn = undefined;
  }

  #arm(q: TimerQueue, delay: number, wait: number): void {
    q.timeout = setTimeout(() => this.#fire(q, delay), wait);
    q.timeout.unref();
  }

  /** Run every due timer of the queue, in order, then wait for the next one (or forget the empty queue). */
  #fire(q: TimerQueue, delay: number): void {
    q.timeout = undefined;
    q.isFiring = true;
    try {
      const now = this.now();
      while (q.head < q.entries.length) {
        const t = q.entries[q.head]!;
        if (t.at > now) break;
        q.entries[q.head++] = undefined;
        const fn = t.fn;
        t.fn = undefined;
        fn?.();
      }
    } finally {
      q.isFiring = false;
      // Also after a callback threw (it reaches the process as it would from Node's own timer): the rest still run.
      if (q.head >= COMPACT_AFTER || q.head === q.entries.length) {
        q.entries = q.entries.slice(q.head);
        q.head = 0;
      }
      const next = q.entries[q.head];
      if (next !== undefined) this.#arm(q, delay, Math.max(1, next.at - this.now()));
      else if (this.#queues.get(delay) === q) this.#queues.delete(delay);
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
