/**
 * The vocabulary of a Call: what the application decides (RouteDecision), why
 * a call ended (CallEndCause), what a Call tells its owner (CallNotice) and
 * what it needs from it (CallHost).
 */
import type { Clock, DialogUserAgent, HeaderInit } from '@ima/sip-core';
import type { DiversionSpec, LegSummary, RouteTarget } from './call-leg.js';
import type { Call } from './call.js';
import type { ForkMode, LegFailure } from './fork.js';
import type { HeaderPolicy } from './header-policy.js';

/** Targets for the call (from route() or onAllFailed()). */
export interface TargetDecision {
  readonly targets: readonly RouteTarget[];
  /** Default: parallel. */
  readonly mode?: ForkMode;
  /** The call is diverted: every outbound INVITE names this party in a Diversion header (RFC 5806). */
  readonly diversion?: DiversionSpec;
  /** Extra headers for every outbound INVITE of this decision. */
  readonly headers?: HeaderInit;
}

/** A final response for the caller instead of (more) targets. */
export interface RejectDecision {
  readonly reject: number;
  readonly reason?: string;
  /** Extra headers for the final response (Retry-After with a 503, ...). */
  readonly headers?: HeaderInit;
}

export type RouteDecision = TargetDecision | RejectDecision;

/** Why a call ended. */
export type CallEndCause =
  | { readonly kind: 'callerBye' }
  | { readonly kind: 'calleeBye' }
  /** The caller CANCELed (or sent BYE on its early dialog) before the answer. */
  | { readonly kind: 'callerCancel' }
  /** The caller got this final non-2xx (from the router, the fallback hook, or 483 for Max-Forwards). */
  | { readonly kind: 'rejected'; readonly status: number }
  /** A dialog failed (no ACK, 408/481 to a request, transport): the other side got BYE with a Reason. */
  | { readonly kind: 'failed'; readonly side: 'caller' | 'callee'; readonly status: number }
  /** The application hung up. */
  | { readonly kind: 'hangup' }
  /** The B2BUA was closed. */
  | { readonly kind: 'closed' };

/** What a Call tells its owner (B2bua turns these into observer events). */
export type CallNotice =
  | { readonly type: 'ringing'; readonly leg: number; readonly status: number }
  | { readonly type: 'answered'; readonly leg: number }
  | { readonly type: 'retargeted'; readonly from: number; readonly to: number }
  /** redirect(): the legs `from` were CANCELed for new ones, the first of which is `to`. */
  | { readonly type: 'redirected'; readonly from: readonly number[]; readonly to: number }
  | { readonly type: 'ended'; readonly cause: CallEndCause; readonly legs: readonly LegSummary[] }
  /** Every session of the call has terminated: the owner may forget the call. */
  | { readonly type: 'idle' };

/** What a Call needs from the B2BUA that owns it. */
export interface CallHost {
  readonly ua: DialogUserAgent;
  readonly clock: Clock;
  readonly policy: HeaderPolicy;
  /** The application's fallback when every target failed (undefined: the caller gets the suggested status). */
  onAllFailed?(failures: readonly LegFailure[], suggested: number, call: Call): RouteDecision | Promise<RouteDecision>;
  notify(call: Call, notice: CallNotice): void;
  readonly logger?: { debug(obj: object, msg?: string): void; warn(obj: object, msg?: string): void } | undefined;
}

/**
 * What redirect() did: `leg` is the first new leg. Refused: `answered` (a 2xx reached the caller
 * first; retarget() moves an answered call), `ended`, or `routing` (the router has not decided yet).
 */
export type RedirectResult = { readonly ok: true; readonly leg: number } | { readonly ok: false; readonly reason: 'answered' | 'ended' | 'routing' };

/** How a retarget ended. */
export type RetargetResult = { readonly ok: true; readonly leg: number } | { readonly ok: false; readonly status: number };
