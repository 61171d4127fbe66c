/**
 * Timers of the UA core above the transactions: the UAS retransmission of a
 * 2xx to INVITE until its ACK (RFC 3261 §13.3.1.4) as a pure machine, and the
 * glare retry delay after a 491 (§14.1).
 *
 *            2xx sent: startTimer(T1)
 *                 v
 *   timer: resend +---------+  ACK: cancel timer  +-----------+
 *   T = min(2T,T2)| waiting |-------------------> | confirmed |
 *                 +---------+                     +-----------+
 *                      | 64*T1 elapsed: give up (the UA core sends BYE)
 *                      v
 *                 +---------+
 *                 | expired |
 *                 +---------+
 */
import type { TimerConfig } from '../transaction/types.js';
import { assertNever } from '../transaction/types.js';

/** Retransmission of one 2xx; `elapsedMs` since the first send. */
export type Retransmit2xxState =
  | { readonly kind: 'waiting'; readonly intervalMs: number; readonly elapsedMs: number }
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'expired' };

export type Retransmit2xxEvent = { readonly type: 'timerFired' } | { readonly type: 'ack' };

export type Retransmit2xxEffect =
  | { readonly type: 'resend' }
  | { readonly type: 'startTimer'; readonly ms: number }
  | { readonly type: 'cancelTimer' }
  | { readonly type: 'giveUp' };

export interface Retransmit2xxStep {
  readonly state: Retransmit2xxState;
  readonly effects: readonly Retransmit2xxEffect[];
}

/** §13.3.1.4: the 2xx has just been sent; the first retransmission is due after T1. */
export function start2xxRetransmit(cfg: TimerConfig): Retransmit2xxStep {
  return { state: { kind: 'waiting', intervalMs: cfg.T1, elapsedMs: 0 }, effects: [{ type: 'startTimer', ms: cfg.T1 }] };
}

/** §13.3.1.4: resend at T1, doubling up to T2; after 64*T1 without ACK, give up. */
export function step2xxRetransmit(s: Retransmit2xxState, e: Retransmit2xxEvent, cfg: TimerConfig): Retransmit2xxStep {
  if (s.kind !== 'waiting') return { state: s, effects: [] };
  switch (e.type) {
    case 'ack':
      return { state: { kind: 'confirmed' }, effects: [{ type: 'cancelTimer' }] };
    case 'timerFired': {
      const limit = 64 * cfg.T1;
      const elapsedMs = s.elapsedMs + Math.min(s.intervalMs, limit - s.elapsedMs);
      if (elapsedMs >= limit) return { state: { kind: 'expired' }, effects: [{ type: 'giveUp' }] };
      const intervalMs = Math.min(2 * s.intervalMs, cfg.T2);
      // The last wait is cut short so that the give-up falls at exactly 64*T1.
      return { state: { kind: 'waiting', intervalMs, elapsedMs }, effects: [{ type: 'resend' }, { type: 'startTimer', ms: Math.min(intervalMs, limit - elapsedMs) }] };
    }
    default:
      return assertNever(e);
  }
}

/**
 * §14.1: after a 491 to a re-INVITE, wait before trying again: 2.1 to 4 s in
 * units of 10 ms when we own the Call-ID (we sent the dialog's first INVITE),
 * 0 to 2 s otherwise. `random` returns a number in [0, 1).
 */
export function glareRetryDelay(ownsCallId: boolean, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 0.999999);
  return ownsCallId ? 2100 + Math.floor(r * 191) * 10 : Math.floor(r * 201) * 10;
}
