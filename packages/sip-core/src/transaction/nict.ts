/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2).
 *
 *                 |request from TU, Timer E (T1, UDP only), Timer F (64*T1)
 *                 v
 *  E: resend  +--------+ F fires / transport error: inform TU
 *  E=min(2E,T2)| trying |------------------------------+
 *         +---+--------+                               |
 *         +--->  |1xx to TU   | 200-699 to TU          |
 *                v            |                        |
 *  E: resend +------------+   |   F fires / transport  |
 *  E = T2    | proceeding |---|------------------------+
 *  1xx to TU +------------+   |                        |
 *        200-699 to TU |      v                        |
 *                      +-> +-----------+               |
 *       responses absorbed | completed | Timer K       |
 *                          +-----------+---------+     |
 *                                                v     v
 *                                           +------------+
 *                                           | terminated |
 *                                           +------------+
 */
import type { SipRequest, SipResponse } from '../message/message.js';
import { doubled, timerE, timerF, timerK } from './timers.js';
import {
  assertNever,
  type Effect,
  type Step,
  type TerminationReason,
  type TimerConfig,
  type TimerFired,
  type TransportErrorEvent,
  type TransportInfo,
} from './types.js';

export interface NictContext extends TransportInfo {
  readonly request: SipRequest;
}

export type NictState =
  | { readonly kind: 'trying'; readonly ctx: NictContext; readonly intervalE: number }
  | { readonly kind: 'proceeding'; readonly ctx: NictContext }
  /** Response retransmissions are absorbed until Timer K: nothing is kept. */
  | { readonly kind: 'completed' }
  | { readonly kind: 'terminated'; readonly why: TerminationReason };

export type NictTimer = 'E' | 'F' | 'K';

export type NictEvent = { readonly type: 'response'; readonly res: SipResponse } | TimerFired<NictTimer> | TransportErrorEvent;

/** Start a non-INVITE client transaction: send, arm E (unreliable only) and F (RFC 3261 §17.1.2.2). */
export function startNict(request: SipRequest, transport: TransportInfo, cfg: TimerConfig): Step<NictState> {
  const ctx: NictContext = { request, isReliable: transport.isReliable };
  const effects: Effect[] = [{ type: 'send', message: request }];
  if (!ctx.isReliable) effects.push({ type: 'startTimer', timer: 'E', ms: timerE(cfg) });
  effects.push({ type: 'startTimer', timer: 'F', ms: timerF(cfg) });
  return { state: { kind: 'trying', ctx, intervalE: timerE(cfg) }, effects };
}

const same = (state: NictState): Step<NictState> => ({ state, effects: [] });

function terminate(why: TerminationReason, before: Effect[] = []): Step<NictState> {
  return { state: { kind: 'terminated', why }, effects: [...before, { type: 'terminated', why }] };
}

const STOP_EF: Effect[] = [
  { type: 'cancelTimer', timer: 'E' },
  { type: 'cancelTimer', timer: 'F' },
];

/** §17.1.2.2: a final in Trying or Proceeding -> to TU, Completed, Timer K (0 on reliable: Terminated). */
function onFinal(ctx: NictContext, res: SipResponse, cfg: TimerConfig): Step<NictState> {
  const effects: Effect[] = [...STOP_EF, { type: 'deliver', delivery: { kind: 'response', res } }];
  const k = timerK(cfg, ctx.isReliable);
  if (k === 0) return terminate('final', effects);
  effects.push({ type: 'startTimer', timer: 'K', ms: k });
  return { state: { kind: 'completed' }, effects };
}

function onTimeoutOrError(event: TimerFired<'F'> | TransportErrorEvent): Step<NictState> {
  if (event.type === 'timerFired') {
    // §17.1.2.2: F fires in Trying or Proceeding -> inform TU of the timeout, Terminated.
    return terminate('timeout', [{ type: 'cancelTimer', timer: 'E' }, { type: 'deliver', delivery: { kind: 'timeout', timer: 'F' } }]);
  }
  // §17.1.2.2 / §8.1.3.1: transport error -> inform TU (treated as 503), Terminated.
  return terminate('transportError', [...STOP_EF, { type: 'deliver', delivery: { kind: 'transportError', error: event.error } }]);
}

/** One step of the non-INVITE client transaction. */
export function stepNict(state: NictState, event: NictEvent, cfg: TimerConfig): Step<NictState> {
  switch (state.kind) {
    case 'trying':
    case 'proceeding': {
      switch (event.type) {
        case 'response':
          if (event.res.status < 200) {
            // §17.1.2.2: provisional -> Proceeding, to TU.
            return { state: { kind: 'proceeding', ctx: state.ctx }, effects: [{ type: 'deliver', delivery: { kind: 'response', res: event.res } }] };
          }
          return onFinal(state.ctx, event.res, cfg);
        case 'timerFired':
          if (event.timer === 'E') {
            // §17.1.2.2: E in Trying doubles up to T2; in Proceeding it is reset to T2.
            const next = state.kind === 'trying' ? doubled(state.intervalE, cfg.T2) : cfg.T2;
            const effects: Effect[] = [{ type: 'send', message: state.ctx.request }, { type: 'startTimer', timer: 'E', ms: next }];
            return { state: state.kind === 'trying' ? { ...state, intervalE: next } : state, effects };
          }
          if (event.timer === 'F') return onTimeoutOrError({ type: 'timerFired', timer: 'F' });
          return same(state);
        case 'transportError':
          return onTimeoutOrError(event);
        default:
          return assertNever(event);
      }
    }
    case 'completed': {
      switch (event.type) {
        case 'response':
          // §17.1.2.2: Completed buffers (absorbs) response retransmissions.
          return same(state);
        case 'timerFired':
          return event.timer === 'K' ? terminate('final') : same(state);
        case 'transportError':
          return same(state);
        default:
          return assertNever(event);
      }
    }
    case 'terminated':
      return same(state);
    default:
      return assertNever(state);
  }
}
