/**
 * Policy decisions -> B2BUA targets. For each INVITE the trunk brings, the
 * policy decides (route), and this router turns the decision into outbound legs
 * `sip:<number>@<first healthy peer>`: the manager's phone, the assistants
 * (parallel or one by one, each for the no-answer time), or a forward target
 * with a Diversion header naming the manager's public number (RFC 5806). When
 * the assistants do not answer (or are busy), the decision's fallback is tried.
 * INVITE to a number IMA does not know: 404.
 */
import { type CallRouter, type LegFailure, type RouteDecision, type RouteTarget, type Call as B2buaCall, reasonHeader, uriOfDestination } from '@ima/b2bua';
import type { Decision, FinalDecision } from '@ima/ima-policy';
import type { SipRequest, Destination } from '@ima/sip-core';
import { DRAIN_RETRY_AFTER } from './shutdown.js';

/** What the router reads and does; the daemon provides it. */
export interface RouterHost {
  /** The policy's decision for this call now. */
  decide(call: { callerNumber: string; callerName?: string; calledNumber: string; diversions: Array<{ number: string; reason?: string }> }): Decision;
  /** The From display name an assistant sees for a screened call, from the configured template. */
  assistantDisplay?(callerName: string, managerId: string): string | undefined;
  /** Why new calls are refused right now (draining before exit), or undefined. */
  refusal?(): string | undefined;
  /** Where outbound legs go (first healthy trunk peer); undefined when no peer is usable. */
  peer(): Destination | undefined;
  /** Every leg of a call to `peer` failed without an answer from it (refused, unreachable, timed out): skip it for now. */
  peerFailed?(peer: Destination, reason: string): void;
  /** The one-call list entries a placed call used up. */
  consumed(decision: Decision): void;
  log(callId: string, decision: Decision, callerNumber: string, calledNumber: string): void;
  /** The policy decided for this call (its info is kept by then); for observers (API events, metrics). */
  routed?(callId: string, decision: Decision): void;
}

/** The user part of a URI, or undefined (tel: gives its number). */
function numberOf(uri: { kind: string; user?: string | undefined; number?: string }): string | undefined {
  if (uri.kind === 'sip') return uri.user;
  if (uri.kind === 'tel') return uri.number;
  return undefined;
}

/** The caller as the PBX presents it: P-Asserted-Identity first, then Remote-Party-ID, then From. */
export function callerOf(invite: SipRequest): { number: string; name: string | undefined } {
  const read = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  for (const candidate of [read(() => invite.pAssertedIdentity[0]), read(() => invite.remotePartyId[0]), read(() => invite.from)]) {
    const n = candidate ? numberOf(candidate.uri as never) : undefined;
    if (candidate && n) return { number: n, name: candidate.displayName };
  }
  return { number: '', name: undefined };
}

/** What the router keeps about a live call. `managerId` is null for a number no manager has. */
export interface CallInfo {
  readonly managerId: string | null;
  readonly caller: string;
  readonly callerName: string;
  readonly called: string;
  readonly decision: { readonly kind: Decision['kind']; readonly reason: string };
  /** Epoch ms when the INVITE was routed. */
  readonly started: number;
}

export class PolicyRouter implements CallRouter {
  readonly #host: RouterHost;
  /** The fallback of an assistants decision, per call, for onAllFailed. */
  readonly #fallbacks = new WeakMap<B2buaCall, { decision: FinalDecision; managerNumber: string }>();
  readonly #managerNumber: (managerId: string) => string | undefined;
  /** Live calls: whose call it is, who called, which number, what the policy decided (for ctl and the API). */
  readonly #info = new Map<string, CallInfo>();
  /** How to place a call's first targets on another peer, and the peers already tried, for a peer that fails. */
  readonly #placements = new WeakMap<B2buaCall, { readonly place: (peer: Destination) => RouteDecision; readonly tried: Destination[] }>();

  constructor(host: RouterHost, managerNumber: (managerId: string) => string | undefined) {
    this.#host = host;
    this.#managerNumber = managerNumber;
  }

  route(invite: SipRequest, call: B2buaCall): RouteDecision {
    const refusal = this.#host.refusal?.();
    // RFC 3261 §21.5.4: tell the PBX when to try again (it routes to its next choice meanwhile).
    if (refusal !== undefined) return { reject: 503, reason: refusal, headers: [DRAIN_RETRY_AFTER] };
    const called = numberOf(invite.uri as never) ?? '';
    const caller = callerOf(invite);
    let diversions: Array<{ number: string; reason?: string }> = [];
    try {
      diversions = invite.diversion.map((d) => {
        const reason = d.params.get('reason');
        return { number: numberOf(d.uri as never) ?? '', ...(reason ? { reason } : {}) };
      });
    } catch {
      diversions = [];
    }
    const decision = this.#host.decide({ callerNumber: caller.number, ...(caller.name ? { callerName: caller.name } : {}), calledNumber: called, diversions });
    // Kept before anything can end the call, so that observers of the decision and of the end see it.
    this.#info.set(call.id, {
      managerId: decision.managerId,
      caller: caller.number,
      callerName: caller.name ?? '',
      called,
      decision: { kind: decision.kind, reason: decision.reason },
      started: Date.now(),
    });
    this.#host.log(invite.callId, decision, caller.number, called);
    this.#host.routed?.(call.id, decision);
    const peer = this.#host.peer();
    // RFC 3326: the status's own phrase, and the policy's words in a Reason header. The assistant's
    // phone shows why; a Reason-Phrase could not carry every character of them (a quoted caller name).
    if (decision.kind === 'reject') return { reject: decision.status, reason: decision.phrase, headers: [reasonHeader(decision.status, decision.reason)] };
    if (peer === undefined) return { reject: 503, reason: 'no trunk peer is reachable' };
    this.#host.consumed(decision);
    const managerNumber = this.#managerNumber(decision.managerId) ?? called;
    const place = (peer: Destination): RouteDecision => {
      switch (decision.kind) {
        case 'manager':
        case 'forward':
          return { targets: [this.#target(decision, peer, managerNumber)] };
        case 'assistants': {
          this.#fallbacks.set(call, { decision: decision.fallback, managerNumber });
          // The assistant's phone shows whose call it is: "Caller > Manager", the caller's number kept.
          const display = this.#host.assistantDisplay?.(caller.name ?? caller.number, decision.managerId);
          const targets = decision.assistants.map(
            (a): RouteTarget => ({ uri: uriOfDestination(a.number, peer), dest: peer, noAnswerMs: decision.noAnswerMs, label: `assistant ${a.id}`, ...(display ? { fromDisplayName: display } : {}) }),
          );
          return { targets, mode: decision.alerting === 'parallel' ? 'parallel' : 'sequential' };
        }
      }
    };
    this.#placements.set(call, { place, tried: [peer] });
    return place(peer);
  }

  info(callId: string): CallInfo | undefined {
    return this.#info.get(callId);
  }

  /** The call ended: forget what was kept about it. */
  forget(callId: string): void {
    this.#info.delete(callId);
  }

  /**
   * A ringing call was steered elsewhere: its first targets are no longer what it calls, so a
   * peer that fails the steered leg does not bring them back on the next peer. The decision's
   * fallback still follows when the steered target fails, as for any unanswered call.
   */
  steered(call: B2buaCall): void {
    this.#placements.delete(call);
  }

  onAllFailed(failures: readonly LegFailure[], suggested: number, call: B2buaCall): RouteDecision {
    // No leg got any response from the peer (refused, unreachable, no answer: not a 408 or 503 it
    // sent): the peer failed, not the phones. The same targets go to the next peer at once,
    // rather than waiting for the OPTIONS pings to notice.
    const placement = this.#placements.get(call);
    const unanswered = (f: LegFailure): boolean =>
      (f.cause === 'transport' || f.cause === 'timeout') && call.legs.find((l) => l.id === f.leg)?.rejection === undefined;
    if (placement !== undefined && failures.length > 0 && failures.every(unanswered)) {
      const failed = placement.tried[placement.tried.length - 1]!;
      this.#host.peerFailed?.(failed, failures[0]!.cause === 'transport' ? 'a call could not be sent to it' : 'a call got no answer from it');
      const next = this.#host.peer();
      if (next !== undefined && !placement.tried.some((p) => sameDestination(p, next))) {
        placement.tried.push(next);
        return placement.place(next);
      }
    }
    this.#placements.delete(call);
    const fallback = this.#fallbacks.get(call);
    const peer = this.#host.peer();
    if (fallback === undefined || peer === undefined) return { reject: suggested };
    this.#fallbacks.delete(call);
    return { targets: [this.#target(fallback.decision, peer, fallback.managerNumber)], mode: 'sequential' };
  }

  #target(d: FinalDecision, peer: Destination, managerNumber: string): RouteTarget {
    const base: RouteTarget = { uri: uriOfDestination(d.number, peer), dest: peer, label: d.kind === 'manager' ? `manager ${d.target}` : `forward ${d.target}` };
    if (d.kind === 'manager') return base;
    return { ...base, diversion: { number: d.diversion.number || managerNumber, host: peer.host, reason: d.diversion.reason } };
  }
}

function sameDestination(a: Destination, b: Destination): boolean {
  return a.host === b.host && a.port === b.port && a.protocol === b.protocol;
}

