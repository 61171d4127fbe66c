/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2).
 *
 *                 |request: to TU
 *                 v
 *  request:   +--------+
 *  absorb +---| trying |
 *         +-->+--------+
 *        1xx from TU |  | 200-699 from TU: send
 *        send        v  |
 *  request: +------------+ 1xx from TU: send
 *  resend   | proceeding |-------+
 *  last 1xx +------------+<------+ transport error: inform TU
 *    200-699 from TU |  |  (from Trying's sends too)---------+
 *    send            v  v                                   |
 *  request: +-----------+                                   |
 *  resend   | completed | Timer J (0 on reliable)           |
 *  final    +-----------+-----------+                       |
 *                                   v                       v
 *                              +------------------------------+
 *                              |          terminated          |
 *                              +------------------------------+
 */
import type { SipRequest, SipResponse } from '../message/message.js';
import { timerJ } from './timers.js';
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

export interface NistContext extends TransportInfo {
  readonly request: SipRequest;
}

export type NistState =
  | { readonly kind: 'trying'; readonly ctx: NistContext }
  | { readonly kind: 'proceeding'; readonly ctx: NistContext; readonly lastProvisional: SipResponse }
  /** Only the final is kept (for retransmitted requests), not the request. */
  | { readonly kind: 'completed'; readonly final: SipResponse }
  | { readonly kind: 'terminated'; readonly why: TerminationReason };

export type NistTimer = 'J';

export type NistEvent =
  /** A retransmission of the request. */
  | { readonly type: 'request'; readonly req: SipRequest }
  /** A response passed down by the TU. */
  | { readonly type: 'tuResponse'; readonly res: SipResponse }
  | TimerFired<NistTimer>
  | TransportErrorEvent;

/** Start a non-INVITE server transaction: Trying, pass the request to the TU (RFC 3261 §17.2.2). */
export function startNist(request: SipRequest, transport: TransportInfo): Step<NistState> {
  return {
    state: { kind: 'trying', ctx: { request, isReliable: transport.isReliable } },
    effects: [{ type: 'deliver', delivery: { kind: 'request', req: request } }],
  };
}

const same = (state: NistState): Step<NistState> => ({ state, effects: [] });

function terminate(why: TerminationReason, before: Effect[] = []): Step<NistState> {
  return { state: { kind: 'terminated', why }, effects: [...before, { type: 'terminated', why }] };
}

function onTuResponse(ctx: NistContext, res: SipResponse, cfg: TimerConfig): Step<NistState> {
  const effects: Effect[] = [{ type: 'send', message: res }];
  // §17.2.2: provisional from TU -> send, Proceeding.
  if (res.status < 200) return { state: { kind: 'proceeding', ctx, lastProvisional: res }, effects };
  // §17.2.2: final from TU -> send, Completed, Timer J (64*T1 unreliable, 0 reliable: Terminated).
  const j = timerJ(cfg, ctx.isReliable);
  if (j === 0) return terminate('final', effects);
  effects.push({ type: 'startTimer', timer: 'J', ms: j });
  return { state: { kind: 'completed', final: res }, effects };
}

function fail(event: TransportErrorEvent): Step<NistState> {
  // §17.2.2: transport error -> inform TU, Terminated.
  return terminate('transportError', [{ type: 'deliver', delivery: { kind: 'transportError', error: event.error } }]);
}

/** One step of the non-INVITE server transaction. */
export function stepNist(state: NistState, event: NistEvent, cfg: TimerConfig): Step<NistState> {
  switch (state.kind) {
    case 'trying':
      switch (event.type) {
        case 'request':
          // §17.2.2: retransmissions in Trying are discarded.
          return same(state);
        case 'tuResponse':
          return onTuResponse(state.ctx, event.res, cfg);
        case 'timerFired':
          return same(state);
        case 'transportError':
          return fail(event);
        default:
          return assertNever(event);
      }
    case 'proceeding':
      switch (event.type) {
        case 'request':
          // §17.2.2: a retransmission in Proceeding -> resend the most recent provisional.
          return { state, effects: [{ type: 'send', message: state.lastProvisional }] };
        case 'tuResponse':
          return onTuResponse(state.ctx, event.res, cfg);
        case 'timerFired':
          return same(state);
        case 'transportError':
          return fail(event);
        default:
          return assertNever(event);
      }
    case 'completed':
      switch (event.type) {
        case 'request':
          // §17.2.2: a retransmission in Completed -> resend the final.
          return { state, effects: [{ type: 'send', message: state.final }] };
        case 'tuResponse':
          // §17.2.2: other responses from the TU in Completed are discarded.
          return same(state);
        case 'timerFired':
          return event.timer === 'J' ? terminate('final') : same(state);
        case 'transportError':
          // §17.2.2: transport error in Completed -> Terminated (the TU is informed).
          return terminate('transportError', [{ type: 'cancelTimer', timer: 'J' }, { type: 'deliver', delivery: { kind: 'transportError', error: event.error } }]);
        default:
          return assertNever(event);
      }
    case 'terminated':
      return same(state);
    default:
      return assertNever(state);
  }
}
