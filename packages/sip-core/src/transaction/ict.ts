/**
 * INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026 §8.4 Accepted).
 *
 *                 |INVITE from TU, Timer A (T1, UDP only), Timer B (64*T1)
 *                 v
 *   A: resend  +---------+ B fires / transport error: inform TU
 *   A *= 2 +---| calling |-------------------------------+
 *          +-->+---------+                               |
 *       1xx to TU |  |  2xx to TU                        |
 *                 v  +---------------------+             |
 *  1xx to TU +------------+ 2xx to TU      |             |
 *        +---| proceeding |------------+   |             |
 *        +-->+------------+            v   v             |
 *   300-699: ACK, to TU |       +----------+ 2xx to TU   |
 *   (also from calling) |       | accepted |---+         |
 *                       v       +----------+<--+         |
 *  300-699  +-----------+           | Timer M            |
 *  resend ACK| completed|           |                    |
 *       +----+-----------+          |                    |
 *       +--->   | Timer D           |                    |
 *               v                   v                    |
 *          +-------------------------------+             |
 *          |          terminated           |<------------+
 *          +-------------------------------+
 */
import type { SipRequest, SipResponse } from '../message/message.js';
import { buildAckForNon2xx } from './messages.js';
import { doubled, timerA, timerB, timerD, timerM } from './timers.js';
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

/** What every live ICT state remembers. */
export interface IctContext extends TransportInfo {
  /** The INVITE as sent (its top Via carries the branch). */
  readonly request: SipRequest;
}

export type IctState =
  | { readonly kind: 'calling'; readonly ctx: IctContext; readonly intervalA: number }
  | { readonly kind: 'proceeding'; readonly ctx: IctContext }
  /** RFC 6026 §8.4: only 2xx are passed on here, so the INVITE is no longer kept (the TU has it). */
  | { readonly kind: 'accepted' }
  /** Only the ACK is kept: it answers every retransmitted final. */
  | { readonly kind: 'completed'; readonly ack: SipRequest }
  | { readonly kind: 'terminated'; readonly why: TerminationReason };

export type IctTimer = 'A' | 'B' | 'D' | 'M';

export type IctEvent = { readonly type: 'response'; readonly res: SipResponse } | TimerFired<IctTimer> | TransportErrorEvent;

/** Start an INVITE client transaction: send the INVITE, arm A (unreliable only) and B (RFC 3261 §17.1.1.2). */
export function startIct(request: SipRequest, transport: TransportInfo, cfg: TimerConfig): Step<IctState> {
  const ctx: IctContext = { request, isReliable: transport.isReliable };
  const effects: Effect[] = [{ type: 'send', message: request }];
  if (!ctx.isReliable) effects.push({ type: 'startTimer', timer: 'A', ms: timerA(cfg) });
  effects.push({ type: 'startTimer', timer: 'B', ms: timerB(cfg) });
  return { state: { kind: 'calling', ctx, intervalA: timerA(cfg) }, effects };
}

const same = (state: IctState): Step<IctState> => ({ state, effects: [] });

function terminate(why: TerminationReason, before: Effect[] = []): Step<IctState> {
  return { state: { kind: 'terminated', why }, effects: [...before, { type: 'terminated', why }] };
}

/** A final response in calling or proceeding: 2xx -> accepted (RFC 6026), 300-699 -> completed with ACK. */
function onFinal(ctx: IctContext, res: SipResponse, cfg: TimerConfig, cancel: Effect[]): Step<IctState> {
  if (res.status < 300) {
    // RFC 6026 §8.4: 2xx -> Accepted, Timer M; the TU (dialog layer) sends the ACK itself.
    return {
      state: { kind: 'accepted' },
      effects: [...cancel, { type: 'deliver', delivery: { kind: 'response', res } }, { type: 'startTimer', timer: 'M', ms: timerM(cfg) }],
    };
  }
  // RFC 3261 §17.1.1.2: 300-699 -> ACK, to TU, Completed, Timer D (0 on reliable: straight to Terminated).
  const ack = buildAckForNon2xx(ctx.request, res);
  const effects: Effect[] = [...cancel, { type: 'send', message: ack }, { type: 'deliver', delivery: { kind: 'response', res } }];
  const d = timerD(cfg, ctx.isReliable);
  if (d === 0) return terminate('final', effects);
  effects.push({ type: 'startTimer', timer: 'D', ms: d });
  return { state: { kind: 'completed', ack }, effects };
}

/** One step of the INVITE client transaction. */
export function stepIct(state: IctState, event: IctEvent, cfg: TimerConfig): Step<IctState> {
  switch (state.kind) {
    case 'calling': {
      switch (event.type) {
        case 'timerFired':
          if (event.timer === 'A') {
            // §17.1.1.2: A fires -> retransmit, reset A to twice its value.
            const next = doubled(state.intervalA);
            return {
              state: { ...state, intervalA: next },
              effects: [{ type: 'send', message: state.ctx.request }, { type: 'startTimer', timer: 'A', ms: next }],
            };
          }
          if (event.timer === 'B') {
            // §17.1.1.2: B fires in Calling -> inform TU of the timeout, Terminated.
            return terminate('timeout', [{ type: 'cancelTimer', timer: 'A' }, { type: 'deliver', delivery: { kind: 'timeout', timer: 'B' } }]);
          }
          return same(state);
        case 'transportError':
          // §17.1.1.2 / §8.1.3.1: transport error -> inform TU (treated as 503), Terminated.
          return terminate('transportError', [
            { type: 'cancelTimer', timer: 'A' },
            { type: 'cancelTimer', timer: 'B' },
            { type: 'deliver', delivery: { kind: 'transportError', error: event.error } },
          ]);
        case 'response': {
          const cancel: Effect[] = [
            { type: 'cancelTimer', timer: 'A' },
            { type: 'cancelTimer', timer: 'B' },
          ];
          if (event.res.status < 200) {
            // §17.1.1.2: provisional in Calling -> Proceeding, stop retransmitting, to TU.
            return { state: { kind: 'proceeding', ctx: state.ctx }, effects: [...cancel, { type: 'deliver', delivery: { kind: 'response', res: event.res } }] };
          }
          return onFinal(state.ctx, event.res, cfg, cancel);
        }
        default:
          return assertNever(event);
      }
    }
    case 'proceeding': {
      switch (event.type) {
        case 'response':
          // §17.1.1.2: further provisionals go to the TU.
          if (event.res.status < 200) return { state, effects: [{ type: 'deliver', delivery: { kind: 'response', res: event.res } }] };
          return onFinal(state.ctx, event.res, cfg, []);
        case 'timerFired':
          return same(state);
        case 'transportError':
          // Nothing is sent in Proceeding: a late error of an earlier retransmission; the peer has answered.
          return same(state);
        default:
          return assertNever(event);
      }
    }
    case 'accepted': {
      switch (event.type) {
        case 'response':
          // RFC 6026 §8.4: every 2xx in Accepted goes to the TU (retransmissions, other forks); others absorbed.
          if (event.res.status >= 200 && event.res.status < 300) {
            return { state, effects: [{ type: 'deliver', delivery: { kind: 'response', res: event.res } }] };
          }
          return same(state);
        case 'timerFired':
          // RFC 6026 §8.4: Timer M fires -> Terminated.
          return event.timer === 'M' ? terminate('final') : same(state);
        case 'transportError':
          // Nothing is sent in Accepted; the TU already has its final response.
          return same(state);
        default:
          return assertNever(event);
      }
    }
    case 'completed': {
      switch (event.type) {
        case 'response':
          // §17.1.1.2: a retransmitted final in Completed -> resend the ACK, not to TU.
          if (event.res.status >= 300) return { state, effects: [{ type: 'send', message: state.ack }] };
          return same(state);
        case 'timerFired':
          return event.timer === 'D' ? terminate('final') : same(state);
        case 'transportError':
          // The ACK could not be sent; the TU already has its final response.
          return terminate('transportError', [{ type: 'cancelTimer', timer: 'D' }]);
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
