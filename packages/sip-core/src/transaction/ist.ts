/**
 * INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026 §7.1 Accepted).
 *
 *                 |INVITE: to TU; Trying timer (200 ms)
 *                 v
 *  INVITE: resend +------------+ Trying fires, no 1xx yet: send 100
 *  last 1xx  +----| proceeding |---+  1xx from TU: send
 *            +--->+------------+<--+
 *   300-699 from TU |        | 2xx from TU: send
 *   send, G, H      |        v
 *                   |   +----------+ 2xx from TU: send
 *                   |   | accepted | INVITE: absorb; ACK: to TU
 *                   |   +----------+ Timer L
 *                   v              |
 *  INVITE, G:  +-----------+       |
 *  resend final| completed |---+ H fires / transport error: inform TU
 *  G=min(2G,T2)+-----------+   |   |
 *             ACK |            |   |
 *                 v            |   |
 *  ACK: absorb +-----------+   |   |
 *              | confirmed |   |   |
 *              +-----------+   |   |
 *          Timer I |           v   v
 *                  +-----> +------------+
 *                          | terminated |
 *                          +------------+
 */
import type { SipRequest, SipResponse } from '../message/message.js';
import { makeResponse } from './messages.js';
import { TRYING_DELAY_MS, doubled, timerG, timerH, timerI, timerL } from './timers.js';
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

export interface IstContext extends TransportInfo {
  /** The INVITE that created the transaction. */
  readonly request: SipRequest;
}

export type IstState =
  | { readonly kind: 'proceeding'; readonly ctx: IstContext; readonly lastProvisional: SipResponse | undefined }
  /** RFC 6026 §7.1: retransmitted INVITEs are absorbed and the TU resends its own 2xx: nothing is kept. */
  | { readonly kind: 'accepted' }
  /** The final is kept for its retransmissions; the INVITE is not read again. */
  | { readonly kind: 'completed'; readonly isReliable: boolean; readonly final: SipResponse; readonly intervalG: number }
  /** Everything is absorbed until Timer I: nothing is kept. */
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'terminated'; readonly why: TerminationReason };

export type IstTimer = 'G' | 'H' | 'I' | 'L' | 'Trying';

export type IstEvent =
  /** A retransmission of the INVITE. */
  | { readonly type: 'request'; readonly req: SipRequest }
  | { readonly type: 'ack'; readonly ack: SipRequest }
  /** A response passed down by the TU. */
  | { readonly type: 'tuResponse'; readonly res: SipResponse }
  | TimerFired<IstTimer>
  | TransportErrorEvent;

/** Start an INVITE server transaction: pass the INVITE to the TU, arm the 200 ms Trying timer (RFC 3261 §17.2.1). */
export function startIst(request: SipRequest, transport: TransportInfo): Step<IstState> {
  return {
    state: { kind: 'proceeding', ctx: { request, isReliable: transport.isReliable }, lastProvisional: undefined },
    effects: [
      { type: 'deliver', delivery: { kind: 'request', req: request } },
      { type: 'startTimer', timer: 'Trying', ms: TRYING_DELAY_MS },
    ],
  };
}

const same = (state: IstState): Step<IstState> => ({ state, effects: [] });

function terminate(why: TerminationReason, before: Effect[] = []): Step<IstState> {
  return { state: { kind: 'terminated', why }, effects: [...before, { type: 'terminated', why }] };
}

const send = (message: SipResponse): Effect => ({ type: 'send', message });

function inProceeding(state: Extract<IstState, { kind: 'proceeding' }>, event: IstEvent, cfg: TimerConfig): Step<IstState> {
  switch (event.type) {
    case 'request':
      // §17.2.1: a retransmitted INVITE in Proceeding -> resend the most recent provisional.
      return { state, effects: state.lastProvisional ? [send(state.lastProvisional)] : [] };
    case 'ack':
      return same(state);
    case 'timerFired':
      if (event.timer === 'Trying' && state.lastProvisional === undefined) {
        // §17.2.1: the TU has not answered within 200 ms -> the transaction sends 100 Trying.
        const trying = makeResponse(state.ctx.request, 100);
        return { state: { ...state, lastProvisional: trying }, effects: [send(trying)] };
      }
      return same(state);
    case 'transportError':
      return terminate('transportError', [{ type: 'cancelTimer', timer: 'Trying' }, { type: 'deliver', delivery: { kind: 'transportError', error: event.error } }]);
    case 'tuResponse': {
      const res = event.res;
      const stop: Effect = { type: 'cancelTimer', timer: 'Trying' };
      if (res.status < 200) return { state: { ...state, lastProvisional: res }, effects: [stop, send(res)] };
      if (res.status < 300) {
        // RFC 6026 §7.1: 2xx from TU -> send, Accepted, Timer L.
        return { state: { kind: 'accepted' }, effects: [stop, send(res), { type: 'startTimer', timer: 'L', ms: timerL(cfg) }] };
      }
      // §17.2.1: 300-699 from TU -> send, Completed, Timer G (unreliable only), Timer H.
      const effects: Effect[] = [stop, send(res)];
      if (!state.ctx.isReliable) effects.push({ type: 'startTimer', timer: 'G', ms: timerG(cfg) });
      effects.push({ type: 'startTimer', timer: 'H', ms: timerH(cfg) });
      return { state: { kind: 'completed', isReliable: state.ctx.isReliable, final: res, intervalG: timerG(cfg) }, effects };
    }
    default:
      return assertNever(event);
  }
}

/** One step of the INVITE server transaction. */
export function stepIst(state: IstState, event: IstEvent, cfg: TimerConfig): Step<IstState> {
  switch (state.kind) {
    case 'proceeding':
      return inProceeding(state, event, cfg);
    case 'accepted': {
      switch (event.type) {
        case 'request':
          // RFC 6026 §7.1: INVITE retransmissions in Accepted are absorbed, not passed to the TU.
          return same(state);
        case 'ack':
          // RFC 6026 §7.1: an ACK matching the transaction in Accepted goes to the TU.
          return { state, effects: [{ type: 'deliver', delivery: { kind: 'ack', ack: event.ack } }] };
        case 'tuResponse':
          // RFC 6026 §7.1: 2xx retransmissions from the TU are sent; nothing else.
          return event.res.status >= 200 && event.res.status < 300 ? { state, effects: [send(event.res)] } : same(state);
        case 'timerFired':
          return event.timer === 'L' ? terminate('final') : same(state);
        case 'transportError':
          // RFC 6026 §7.1: transport error in Accepted -> inform TU, Terminated.
          return terminate('transportError', [{ type: 'cancelTimer', timer: 'L' }, { type: 'deliver', delivery: { kind: 'transportError', error: event.error } }]);
        default:
          return assertNever(event);
      }
    }
    case 'completed': {
      switch (event.type) {
        case 'request':
          // §17.2.1: a retransmitted INVITE in Completed -> resend the final response.
          return { state, effects: [send(state.final)] };
        case 'ack': {
          // §17.2.1: ACK in Completed -> Confirmed, stop G and H, Timer I (0 on reliable: Terminated).
          const effects: Effect[] = [
            { type: 'cancelTimer', timer: 'G' },
            { type: 'cancelTimer', timer: 'H' },
          ];
          const i = timerI(cfg, state.isReliable);
          if (i === 0) return terminate('ack', effects);
          effects.push({ type: 'startTimer', timer: 'I', ms: i });
          return { state: { kind: 'confirmed' }, effects };
        }
        case 'tuResponse':
          return same(state);
        case 'timerFired':
          if (event.timer === 'G') {
            // §17.2.1: G fires -> resend the final, G = min(2G, T2).
            const next = doubled(state.intervalG, cfg.T2);
            return { state: { ...state, intervalG: next }, effects: [send(state.final), { type: 'startTimer', timer: 'G', ms: next }] };
          }
          if (event.timer === 'H') {
            // §17.2.1: H fires in Completed -> no ACK came; inform TU, Terminated.
            return terminate('timeout', [{ type: 'cancelTimer', timer: 'G' }, { type: 'deliver', delivery: { kind: 'timeout', timer: 'H' } }]);
          }
          return same(state);
        case 'transportError':
          return terminate('transportError', [
            { type: 'cancelTimer', timer: 'G' },
            { type: 'cancelTimer', timer: 'H' },
            { type: 'deliver', delivery: { kind: 'transportError', error: event.error } },
          ]);
        default:
          return assertNever(event);
      }
    }
    case 'confirmed': {
      switch (event.type) {
        case 'request':
        case 'ack':
        case 'tuResponse':
        case 'transportError':
          // §17.2.1: Confirmed absorbs ACK retransmissions; nothing is sent.
          return same(state);
        case 'timerFired':
          return event.timer === 'I' ? terminate('ack') : same(state);
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
