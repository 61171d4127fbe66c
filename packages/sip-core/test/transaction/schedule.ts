/**
 * A tiny virtual-time driver over a pure step function (not a test file):
 * fires the earliest pending timer until the machine terminates or a limit.
 */
import type { Effect, Step, TimerName } from '../../src/transaction/types.js';

export interface Trace {
  /** Times at which a message was sent. */
  sends: number[];
  /** Deliveries with their time. */
  delivered: Array<{ at: number; kind: string }>;
  end: number;
}

export function runTimers<S extends { kind: string }, E>(
  start: Step<S>,
  step: (s: S, e: E) => Step<S>,
  fire: (timer: TimerName) => E,
  limitMs = 10 * 60_000,
): Trace & { state: S } {
  let now = 0;
  const trace: Trace = { sends: [], delivered: [], end: 0 };
  const timers = new Map<TimerName, number>();
  const apply = (effects: readonly Effect[]) => {
    for (const e of effects) {
      if (e.type === 'send') trace.sends.push(now);
      else if (e.type === 'startTimer') timers.set(e.timer, now + e.ms);
      else if (e.type === 'cancelTimer') timers.delete(e.timer);
      else if (e.type === 'deliver') trace.delivered.push({ at: now, kind: e.delivery.kind });
      else if (e.type === 'terminated') timers.clear();
    }
  };
  let s = start.state;
  apply(start.effects);
  while (s.kind !== 'terminated' && timers.size > 0) {
    const [name, due] = [...timers].sort((a, b) => a[1] - b[1])[0]!;
    if (due > limitMs) break;
    timers.delete(name);
    now = due;
    const r = step(s, fire(name));
    s = r.state;
    apply(r.effects);
  }
  trace.end = now;
  return { ...trace, state: s };
}
