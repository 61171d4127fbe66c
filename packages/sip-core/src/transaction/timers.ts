/**
 * RFC 3261 §17 timer values (table 4 of appendix A) and RFC 6026 §8.11 L and M,
 * as functions of T1/T2/T4 and of whether the transport is reliable.
 */
import type { TimerConfig } from './types.js';

/** RFC 3261 §17.1.1.1 defaults: T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
export const DEFAULT_TIMERS: TimerConfig = { T1: 500, T2: 4000, T4: 5000 };

/** Defaults with some values replaced. */
export function timerConfig(partial: Partial<TimerConfig> = {}): TimerConfig {
  return { ...DEFAULT_TIMERS, ...partial };
}

/** Timer A: initial INVITE retransmit interval, T1 (unreliable only), doubling each time. */
export const timerA = (c: TimerConfig): number => c.T1;
/** Timer B: INVITE transaction timeout, 64*T1. */
export const timerB = (c: TimerConfig): number => 64 * c.T1;
/** Timer D: wait for response retransmissions, >= 32 s for UDP, 0 for reliable. */
export const timerD = (c: TimerConfig, isReliable: boolean): number => (isReliable ? 0 : Math.max(32_000, 64 * c.T1));
/** Timer E: initial non-INVITE retransmit interval, T1 (unreliable only), doubling up to T2. */
export const timerE = (c: TimerConfig): number => c.T1;
/** Timer F: non-INVITE transaction timeout, 64*T1. */
export const timerF = (c: TimerConfig): number => 64 * c.T1;
/** Timer G: initial INVITE response retransmit interval, T1 (unreliable only), doubling up to T2. */
export const timerG = (c: TimerConfig): number => c.T1;
/** Timer H: wait time for ACK receipt, 64*T1. */
export const timerH = (c: TimerConfig): number => 64 * c.T1;
/** Timer I: wait time for ACK retransmissions, T4 for UDP, 0 for reliable. */
export const timerI = (c: TimerConfig, isReliable: boolean): number => (isReliable ? 0 : c.T4);
/** Timer J: wait time for non-INVITE request retransmissions, 64*T1 for UDP, 0 for reliable. */
export const timerJ = (c: TimerConfig, isReliable: boolean): number => (isReliable ? 0 : 64 * c.T1);
/** Timer K: wait time for response retransmissions, T4 for UDP, 0 for reliable. */
export const timerK = (c: TimerConfig, isReliable: boolean): number => (isReliable ? 0 : c.T4);
/** Timer L (RFC 6026): wait time for accepted INVITE request retransmits, 64*T1. */
export const timerL = (c: TimerConfig): number => 64 * c.T1;
/** Timer M (RFC 6026): wait time for retransmission of 2xx to INVITE or additional 2xx from other branches, 64*T1. */
export const timerM = (c: TimerConfig): number => 64 * c.T1;
/** RFC 3261 §17.2.1: send 100 Trying if the TU has not sent a provisional within 200 ms. */
export const TRYING_DELAY_MS = 200;

/** The next retransmission interval: doubled, capped at T2 when a cap applies (E, G). */
export function doubled(ms: number, cap?: number): number {
  return cap === undefined ? 2 * ms : Math.min(2 * ms, cap);
}
