/**
 * The shared vocabulary of the RFC 3261 §17 transaction machines: timer
 * letters, effects as data, and what a machine hands to its transaction user.
 * The machines (ict, nict, ist, nist) are pure; only layer.ts carries effects out.
 */
import type { SipError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/message.js';

/** RFC 3261 §17 timers by letter, plus RFC 6026 L and M, plus the 200 ms "send 100 Trying" timer of §17.2.1. */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

/** T1 (RTT estimate), T2 (max non-INVITE retransmit interval), T4 (max network lifetime), in ms (RFC 3261 §17.1.1.1, table 4). */
export interface TimerConfig {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
}

/** Why a transaction ended (carried by the terminated state and the terminated effect). */
export type TerminationReason = 'final' | 'timeout' | 'transportError' | 'ack' | 'absorbed';

/** What a machine hands up to its transaction user. */
export type Delivery =
  | { readonly kind: 'response'; readonly res: SipResponse }
  | { readonly kind: 'request'; readonly req: SipRequest }
  | { readonly kind: 'ack'; readonly ack: SipRequest }
  | { readonly kind: 'timeout'; readonly timer: TimerName }
  | { readonly kind: 'transportError'; readonly error: SipError };

/** Effects as data: the runner (layer.ts) sends, arms and clears timers, calls the TU. */
export type Effect =
  | { readonly type: 'send'; readonly message: SipRequest | SipResponse }
  | { readonly type: 'startTimer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'cancelTimer'; readonly timer: TimerName }
  | { readonly type: 'deliver'; readonly delivery: Delivery }
  | { readonly type: 'terminated'; readonly why: TerminationReason };

/** One transition: the next state and what to do about it, in order. */
export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

/** Transport facts a machine needs: reliable transports (TCP, TLS) run no retransmission timers (A, E, G). */
export interface TransportInfo {
  readonly isReliable: boolean;
}

/** Events every machine accepts. */
export type TimerFired<T extends TimerName> = { readonly type: 'timerFired'; readonly timer: T };
export type TransportErrorEvent = { readonly type: 'transportError'; readonly error: SipError };

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}

/** The minimal logger the layer accepts (pino satisfies it). */
export interface TransactionLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): TransactionLogger;
}
