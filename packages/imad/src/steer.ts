/**
 * Steering a live call to another target (imad ctl steer and POST /api/calls/{id}/steer): a named
 * target of the call's manager (desk, softphone, mobile, voicemail, alternative) or any number.
 * - Still ringing (nobody has answered): the B2BUA CANCELs every pending leg (the assistants'
 *   phones stop ringing) and calls the new target instead; the caller hears ringing throughout
 *   and never a final response from the CANCELed legs. Done as soon as the new leg is placed;
 *   when the new target fails, the call's fallback follows as for any unanswered call.
 * - Answered: the B2BUA calls the new target and, once it answers, re-INVITEs the caller with its
 *   answer and hangs up the old leg; when the new target fails, the call stays where it was.
 * A diverted target (voicemail, mobile, alternative) gets a Diversion naming the manager (RFC 5806).
 * The Request-URI is built as for every other leg placed through the trunk (uriOfDestination).
 */
import { type Call, type RedirectResult, type RouteTarget, uriOfDestination } from '@ima/b2bua';
import type { Directory } from '@ima/ima-policy';
import type { Destination } from '@ima/sip-core';
import type { CallInfo } from './calls.js';

/** The named targets a call can be steered to. */
export const STEER_TARGETS = ['desk', 'softphone', 'mobile', 'voicemail', 'alternative'] as const;

/** What steering reads from the daemon. */
export interface SteerContext {
  readonly directory: () => Directory;
  /** The first healthy trunk peer. */
  readonly peer: () => Destination | undefined;
  readonly callInfo: (callId: string) => CallInfo | undefined;
  /** Told when a ringing call was redirected, so that routing forgets its first targets. */
  readonly steered?: (call: Call) => void;
}

/**
 * invalid: the target makes no sense for this call (nothing was tried); unavailable: no trunk
 * peer or the call is not in a state to be steered; failed: the new target of an answered call
 * did not answer. `leg`: the B2BUA's id of the new leg.
 */
export type SteerResult =
  | { readonly ok: true; readonly leg: number }
  | { readonly ok: false; readonly kind: 'invalid' | 'unavailable' | 'failed'; readonly error: string };

const DIVERTED: readonly string[] = ['voicemail', 'mobile', 'alternative'];

const REFUSED: Record<Exclude<Extract<RedirectResult, { ok: false }>['reason'], 'answered'>, string> = {
  ended: 'the call has ended',
  routing: 'the call is still being routed: try again in a moment',
};

/** Steers `call` to `target` (a name of STEER_TARGETS or a number). */
export async function steerCall(ctx: SteerContext, call: Call, target: string): Promise<SteerResult> {
  const info = ctx.callInfo(call.id);
  const manager = info?.managerId ? ctx.directory().managers.get(info.managerId) : undefined;
  const targets = manager?.targets as Record<string, string | undefined> | undefined;
  const isNamed = (STEER_TARGETS as readonly string[]).includes(target);
  const number = isNamed ? targets?.[target] : /^\+?[0-9*#]+$/.test(target) ? target : undefined;
  if (number === undefined) return { ok: false, kind: 'invalid', error: isNamed ? `the manager has no ${target}` : `"${target}" is neither a target name nor a number` };
  const peer = ctx.peer();
  if (peer === undefined) return { ok: false, kind: 'unavailable', error: 'no trunk peer is reachable' };
  const leg: RouteTarget = {
    uri: uriOfDestination(number, peer),
    dest: peer,
    label: `steered to ${target}`,
    ...(DIVERTED.includes(target) && manager ? { diversion: { number: manager.number, host: peer.host, reason: 'deflection' as const } } : {}),
  };
  if (call.answeredLeg === undefined) {
    const r = call.redirect(leg);
    if (r.ok) {
      ctx.steered?.(call);
      return { ok: true, leg: r.leg };
    }
    // 'answered': the first 2xx won just now; the answered call is moved below instead.
    if (r.reason !== 'answered') return { ok: false, kind: 'unavailable', error: REFUSED[r.reason] };
  }
  try {
    const r = await call.retarget(leg);
    return r.ok ? { ok: true, leg: r.leg } : { ok: false, kind: 'failed', error: `the new target answered ${r.status}; the call stays where it was` };
  } catch (e) {
    // B2BUA_ERR_INVALID_STATE: ending, or already being steered.
    return { ok: false, kind: 'unavailable', error: (e as Error).message };
  }
}
