/**
 * A Call joins one inbound INVITE session (we are its UAS) to outbound INVITE
 * sessions (we are their UAC). The pure fork machine decides; the Call runs its
 * effects on sip-core sessions, owns the no-answer timers on the injected
 * Clock, and relays everything else end to end: provisionals (with SDP: early
 * media), the answer, ACK bodies (delayed offer), re-INVITE / UPDATE / INFO
 * (each leg with its own CSeq), BYE.
 *
 *   routing --route()--> forking --a leg answers--> answered --BYE/failure--> ended
 *      |                   |  \--every leg failed: application asked--^   ^
 *      |                   |  \--redirect(): legs CANCELed, new ones---^   |
 *      +-- reject ---------+-- caller CANCEL / final to caller -----------+
 *
 * The application is never asked to understand SIP beyond target URIs and
 * statuses; what b2bua knows of it is the CallRouter port (b2bua.ts).
 */
import { type AnswerOptions, type HeaderInit, type IncomingDialogRequest, type SessionEvent, type TerminationCause, canonicalName, formatNameAddr, newTag } from '@ima/sip-core';
import { assertNever } from './assert-never.js';
import {
  type CallLeg,
  type InboundSession,
  type OutboundSession,
  type DiversionSpec,
  type LegSummary,
  type RouteTarget,
  destinationOfUri,
  reasonHeader,
  relayAnswerOptions,
  statusOfCause,
  summarize,
} from './call-leg.js';
import type { CallEndCause, CallHost, RedirectResult, RetargetResult, RouteDecision, TargetDecision } from './call-types.js';
import { B2buaError } from './errors.js';
import { relayInDialog } from './in-dialog.js';
import { type ForkEffect, type ForkEvent, type ForkMode, type ForkState, type LegFailure, initialForkState, stepFork } from './fork.js';
import { crossingHeaders, diversionFor, nextHop, withDisplayName } from './header-policy.js';
import { type OfferAnswerState, initialOfferAnswer, onAck, onRequest, onSuccess, ownSdp, retargetOffer, sdpBody, sdpOf } from './offer-answer.js';

/**
 * Once a leg's answer has reached the caller (or the leg has ended), its provisional and 2xx are
 * not read again: dropping them keeps a long call's memory to its dialogs (two parsed messages less).
 */
function forgetMessages(leg: CallLeg): void {
  leg.provisional = undefined;
  leg.answer = undefined;
}

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> => typeof (v as { then?: unknown })?.then === 'function';


/** One call through the B2BUA. Created by B2bua for each incoming INVITE. */
export class Call {
  readonly id: string;
  readonly inbound: InboundSession;
  readonly #host: CallHost;
  /** The outbound legs in the order they started (an array of exactly their number: most calls have one). */
  #legs: readonly CallLeg[] = [];
  #fork: ForkState = initialForkState;
  #oa: OfferAnswerState = initialOfferAnswer;
  #decision: TargetDecision | undefined;
  #maxForwards = 70;
  #winner: CallLeg | undefined;
  /** The leg whose provisional the caller saw last (its early dialog is the caller's). */
  #earlyLeg: CallLeg | undefined;
  #retargeting = false;
  #endCause: CallEndCause | undefined;
  #isIdle = false;
  readonly #queue: ForkEvent[] = [];
  #isStepping = false;
  /** A redirect() made while an event of this call was being handled waits at the head of the queue. */
  #isRedirectQueued = false;
  #nextLegId = 1;

  constructor(host: CallHost, inbound: InboundSession, id: string) {
    this.#host = host;
    this.inbound = inbound;
    this.id = id;
    inbound.on((e) => this.#onCaller(e));
  }

  /** The fork machine's state (for observers and tests). */
  get fork(): ForkState {
    return this.#fork;
  }
  get isEnded(): boolean {
    return this.#endCause !== undefined;
  }
  get endCause(): CallEndCause | undefined {
    return this.#endCause;
  }
  /** The leg the caller talks to, once answered. */
  get answeredLeg(): CallLeg | undefined {
    return this.#winner;
  }
  get legs(): readonly CallLeg[] {
    return this.#legs;
  }
  /** No-answer timers alive (0 once the call has settled). */
  get timers(): number {
    let n = 0;
    for (const l of this.#legs) if (l.noAnswerTimer !== undefined) n++;
    return n;
  }

  /** Start with the router's decision (RFC 3261 §16.6 step 3: Max-Forwards exhausted -> 483). */
  start(decision: RouteDecision): void {
    if (this.isEnded) return;
    if (this.inbound.state.kind === 'terminated') return this.#end({ kind: 'callerCancel' });
    const hop = nextHop(this.inbound.invite);
    if (!hop.ok) return this.#rejectCaller(hop.status, undefined);
    this.#maxForwards = hop.maxForwards;
    if ('reject' in decision) return this.#rejectCaller(decision.reject, decision.reason, decision.headers);
    this.#oa = onRequest(this.#oa, 'caller', sdpOf(this.inbound.invite)).state;
    this.#decision = decision;
    this.#step({ type: 'start', targets: decision.targets, mode: decision.mode ?? 'parallel' });
  }

  /**
   * The application ends the call: CANCEL/BYE the legs, and 480 (or `status`) / BYE to the caller.
   * With `reason`, every BYE and the caller's final response say why (RFC 3326:
   * `Reason: SIP;cause=<status>;text="<reason>"`); `headers` go on the caller's final response
   * only (a Retry-After with a 503).
   */
  hangup(status = 480, opts: { reason?: string; headers?: HeaderInit } = {}): void {
    const why = opts.reason === undefined ? [] : [reasonHeader(status, opts.reason)];
    this.#end({ kind: 'hangup' }, { status, opts: { headers: [...why, ...(opts.headers ?? [])] }, byeHeaders: why });
  }

  /**
   * Move an answered call to a new target: a new outbound leg gets the
   * caller's current SDP (offer 'caller') or no SDP (offer 'delayed': the new
   * callee offers in its 2xx); then the caller is re-INVITEd with the new
   * callee's SDP and the old leg gets BYE. The caller stays on the line; on
   * failure the call goes on with the old leg.
   */
  retarget(target: RouteTarget, opts: { offer?: 'caller' | 'delayed' } = {}): Promise<RetargetResult> {
    if (this.#winner === undefined || this.isEnded || this.#retargeting) {
      throw new B2buaError('B2BUA_ERR_INVALID_STATE', 'retarget needs an answered call that is not ending nor already retargeting');
    }
    this.#retargeting = true;
    const sdp = opts.offer === 'delayed' ? undefined : retargetOffer(this.#oa);
    return new Promise<RetargetResult>((resolve) => {
      const leg = this.#startLeg(this.#nextLegId++, target, 'retarget', sdp, (r) => {
        this.#retargeting = false;
        resolve(r);
      });
      if (leg === undefined) {
        this.#retargeting = false;
        resolve({ ok: false, status: 400 });
      }
    });
  }

  /**
   * Send an unanswered call elsewhere (what RFC 5806 calls a deflection): every outbound leg
   * still pending gets CANCEL, and the new targets are called (parallel by default) with the
   * caller's offer, each with the Diversion of its target or of the decision. The caller keeps
   * ringing: no final response from the CANCELed legs reaches it, and a 2xx that crosses the
   * CANCEL is ACKed and BYEd. The queue of a sequential decision and the failures so far are
   * dropped; when the new targets fail too, the application is asked as usual (onAllFailed).
   * Refused, not thrown, when the call has been answered (first 2xx wins: use retarget()), has
   * ended, or has no decision yet: which one can change with any message from the network.
   */
  redirect(targets: RouteTarget | readonly RouteTarget[], opts: { mode?: ForkMode } = {}): RedirectResult {
    const list: readonly RouteTarget[] = Array.isArray(targets) ? targets : [targets as RouteTarget];
    if (list.length === 0) throw new B2buaError('B2BUA_ERR_INVALID_ARGUMENT', 'redirect needs at least one target');
    const f = this.#fork;
    if (this.isEnded || f.kind === 'rejected' || f.kind === 'cancelled') return { ok: false, reason: 'ended' };
    if (this.#winner !== undefined || f.kind === 'answered') return { ok: false, reason: 'answered' };
    if (f.kind === 'idle') return { ok: false, reason: 'routing' };
    if (this.#isRedirectQueued) throw new B2buaError('B2BUA_ERR_INVALID_STATE', 'redirect called twice while handling one event of this call');
    // Stepped before anything already queued, so against the state checked here: the first new leg gets the next id.
    this.#earlyLeg = undefined;
    this.#isRedirectQueued = true;
    this.#queue.unshift({ type: 'redirect', targets: list, mode: opts.mode ?? 'parallel' });
    if (!this.#isStepping) this.#drain();
    return { ok: true, leg: f.nextId };
  }

  // ---- the fork machine's runner ----

  #step(event: ForkEvent): void {
    this.#queue.push(event);
    if (!this.#isStepping) this.#drain();
  }

  #drain(): void {
    this.#isStepping = true;
    try {
      for (let e = this.#queue.shift(); e !== undefined; e = this.#queue.shift()) {
        if (e.type === 'redirect') {
          this.#isRedirectQueued = false;
          // Asked for from an observer of this call, and the call has ended or been answered since.
          if (this.isEnded || this.#winner !== undefined) continue;
        }
        const s = stepFork(this.#fork, e);
        this.#fork = s.state;
        for (const effect of s.effects) this.#run(effect);
        if (this.#fork.kind === 'cancelled') this.#end({ kind: 'callerCancel' });
      }
    } finally {
      this.#isStepping = false;
      // An emptied queue lets go of its storage (a call keeps its Call object for its whole length).
      if (this.#queue.length === 0) this.#queue.length = 0;
    }
  }

  #run(e: ForkEffect): void {
    switch (e.type) {
      case 'startLeg':
        this.#nextLegId = Math.max(this.#nextLegId, e.leg + 1);
        if (this.#startLeg(e.leg, e.target as RouteTarget, 'fork', retargetOffer(this.#oa), undefined) === undefined) {
          this.#queue.push({ type: 'failed', leg: e.leg, status: 400 });
        }
        return;
      case 'startNoAnswerTimer': {
        const leg = this.#leg(e.leg);
        if (leg === undefined) return;
        leg.noAnswerTimer = this.#host.clock.setTimeout(() => {
          leg.noAnswerTimer = undefined;
          this.#step({ type: 'noAnswer', leg: e.leg });
        }, e.ms);
        return;
      }
      case 'stopNoAnswerTimer':
        this.#stopTimer(this.#leg(e.leg));
        return;
      case 'cancelLeg': {
        const leg = this.#leg(e.leg);
        if (leg === undefined) return;
        if (leg.outcome === 'pending') leg.outcome = 'cancelled';
        // A callee that picks up just as its no-answer time runs out still gets the call (its 2xx crosses our CANCEL).
        const crossing2xx = e.why === 'noAnswer' ? 'keep' : 'release';
        if (!leg.session.cancel({ crossing2xx }) && leg.session.state.kind !== 'terminated') leg.session.bye();
        return;
      }
      case 'ackAndBye':
        this.#release(this.#leg(e.leg));
        return;
      case 'relayProvisional': {
        const leg = this.#leg(e.leg);
        const res = leg?.provisional;
        if (leg === undefined || res === undefined) return;
        this.#earlyLeg = leg;
        // RFC 3261 §16.7 step 5 as a B2BUA does it: 180/183 reach the caller; a 183 with SDP is early media.
        this.inbound.progress(e.status, relayAnswerOptions(res, this.#host.policy));
        this.#host.notify(this, { type: 'ringing', leg: leg.id, status: e.status });
        return;
      }
      case 'answerCaller':
        this.#answerCaller(this.#leg(e.leg));
        return;
      case 'askApplication':
        this.#askApplication(e.failures, e.suggested);
        return;
      case 'rejectCaller':
        this.#rejectCaller(e.status, e.reason);
        return;
      case 'reportRedirect':
        this.#host.notify(this, { type: 'redirected', from: e.from, to: e.to });
        return;
      default:
        assertNever(e);
    }
  }

  #startLeg(
    id: number,
    target: RouteTarget,
    kind: CallLeg['kind'],
    sdp: { contentType: string; bytes: Uint8Array } | undefined,
    onRetarget: ((r: RetargetResult) => void) | undefined,
  ): CallLeg | undefined {
    const dest = target.dest ?? destinationOfUri(target.uri);
    if (dest === undefined) return undefined;
    const invite = this.inbound.invite;
    const from = invite.from;
    const decision = this.#decision;
    // RFC 3261 §16.6 step 3: one hop less than the caller's (it replaces the dialog layer's default of 70).
    const crossing = crossingHeaders(invite, this.#host.policy);
    // The name this callee sees goes wherever its phone may read a name from, not on From alone.
    const identity = target.fromDisplayName === undefined ? crossing : withDisplayName(crossing, target.fromDisplayName);
    const headers: Array<readonly [string, string]> = [['Max-Forwards', String(this.#maxForwards)], ...identity];
    const diversion = target.diversion ?? decision?.diversion;
    if (diversion !== undefined) {
      // RFC 5806 §3: the most recent diversion comes first, above the ones copied from upstream.
      const first = headers.findIndex(([name]) => canonicalName(name) === 'diversion');
      headers.splice(first < 0 ? headers.length : first, 0, ['Diversion', diversionFor(invite, diversion, diversion.reason)]);
    }
    for (const h of decision?.headers ?? []) headers.push(h);
    for (const h of target.headers ?? []) headers.push(h);
    const callId = `${newTag()}${newTag()}-b2b`;
    const params = new Map(from.params);
    params.delete('tag');
    let session: OutboundSession;
    try {
      session = this.#host.ua.invite({
        uri: target.uri,
        dest,
        from: formatNameAddr({ displayName: target.fromDisplayName ?? from.displayName, uri: from.uri, params }),
        callId,
        headers,
        ...(sdp !== undefined ? { body: sdp.bytes, contentType: sdp.contentType } : {}),
      });
    } catch (err) {
      this.#host.logger?.warn({ err, callId: this.id, uri: target.uri }, 'outbound INVITE not sent');
      return undefined;
    }
    const leg: CallLeg = { id, target, session, kind, outcome: 'pending', status: undefined, provisional: undefined, answer: undefined, isAnswered: false, rejection: undefined, noAnswerTimer: undefined, isTerminated: false };
    this.#legs = this.#legs.concat(leg);
    session.on((e) => (onRetarget !== undefined && leg.kind === 'retarget' && leg !== this.#winner ? this.#onRetargetLeg(leg, e, onRetarget) : this.#onLeg(leg, e)));
    return leg;
  }

  // ---- caller side ----

  #onCaller(e: SessionEvent): void {
    switch (e.type) {
      case 'request':
        return this.#relayRequest(this.#calleeSession(), e.request, 'caller');
      case 'ack': {
        // Delayed offer (initial or re-INVITE): the caller's answer goes out in the callee's ACK.
        const body = ownSdp(sdpOf(e.ack));
        this.#oa = onAck(this.#oa, 'caller', body).state;
        this.#calleeSession()?.ack(sdpBody(body));
        return;
      }
      case 'terminated':
        if (!this.isEnded) {
          // Before the answer: a CANCEL (or BYE on the early dialog) from the caller reaches every pending leg.
          if (this.#winner === undefined) this.#step({ type: 'callerCancel' });
          else if (e.cause.kind === 'remoteBye') this.#end({ kind: 'callerBye' });
          else if (e.cause.kind !== 'localBye') this.#end({ kind: 'failed', side: 'caller', status: statusOfCause(e.cause) });
        }
        return this.#checkIdle();
      case 'bye':
      case 'provisional':
      case 'early':
      case 'confirmed':
        return;
      default:
        assertNever(e);
    }
  }

  #leg(id: number): CallLeg | undefined {
    return this.#legs.find((l) => l.id === id);
  }

  #calleeSession(): OutboundSession | undefined {
    return (this.#winner ?? this.#earlyLeg)?.session;
  }

  // ---- callee side ----

  #onLeg(leg: CallLeg, e: SessionEvent): void {
    switch (e.type) {
      case 'provisional':
        if (e.response.status > 100) leg.provisional = e.response;
        if (!this.isEnded) this.#step({ type: 'provisional', leg: leg.id, status: e.response.status });
        return;
      case 'confirmed':
        leg.answer = e.response;
        leg.isAnswered = true;
        leg.status = e.response?.status;
        if (this.isEnded) return this.#release(leg);
        return this.#step({ type: 'answered', leg: leg.id });
      case 'request': {
        const isPeer = leg === this.#winner || (this.#winner === undefined && leg === this.#earlyLeg);
        return this.#relayRequest(isPeer ? this.inbound : undefined, e.request, 'callee');
      }
      case 'ack': {
        const body = ownSdp(sdpOf(e.ack));
        this.#oa = onAck(this.#oa, 'callee', body).state;
        if (leg === this.#winner) this.inbound.ack(sdpBody(body));
        return;
      }
      case 'terminated':
        return this.#onLegTerminated(leg, e.cause);
      case 'early':
      case 'bye':
        return;
      default:
        assertNever(e);
    }
  }

  #onLegTerminated(leg: CallLeg, cause: TerminationCause): void {
    leg.isTerminated = true;
    this.#stopTimer(leg);
    if (leg === this.#winner) {
      if (cause.kind === 'remoteBye') this.#end({ kind: 'calleeBye' });
      else if (cause.kind !== 'localBye') this.#end({ kind: 'failed', side: 'callee', status: statusOfCause(cause) });
      return this.#checkIdle();
    }
    if (!leg.isAnswered) {
      if (cause.kind === 'rejected') leg.rejection = cause.response;
      const status = statusOfCause(cause);
      leg.status = status;
      if (leg.outcome === 'pending') leg.outcome = cause.kind === 'cancelled' ? 'cancelled' : 'failed';
      if (!this.isEnded && leg.kind === 'fork') this.#step({ type: 'failed', leg: leg.id, status });
    }
    forgetMessages(leg);
    this.#checkIdle();
  }

  /** A retarget leg before it replaces the answered one. */
  #onRetargetLeg(leg: CallLeg, e: SessionEvent, done: (r: RetargetResult) => void): void {
    if (e.type === 'request') return this.#relayRequest(undefined, e.request, 'callee');
    if (e.type === 'terminated') {
      if (leg.outcome === 'pending') done({ ok: false, status: statusOfCause(e.cause) });
      return this.#onLegTerminated(leg, e.cause);
    }
    if (e.type !== 'confirmed' || e.response === undefined) return;
    leg.answer = e.response;
    leg.isAnswered = true;
    leg.status = e.response.status;
    if (this.isEnded) {
      this.#release(leg);
      return done({ ok: false, status: 487 });
    }
    const sdp = ownSdp(sdpOf(e.response));
    const old = this.#winner;
    // The caller's leg gets the new callee's SDP in a re-INVITE (RFC 3725 flow I when the new leg had no offer).
    void this.inbound.request('INVITE', sdpBody(sdp)).then((o) => {
      const res = o.kind === 'response' ? o.response : undefined;
      if (res === undefined || res.status >= 300 || this.isEnded || old !== this.#winner) {
        this.#release(leg);
        return done({ ok: false, status: res?.status ?? (o.kind === 'timeout' ? 408 : 503) });
      }
      const answer = ownSdp(sdpOf(res));
      // The new callee made the offer in its 2xx: the caller's answer goes in the ACK.
      leg.session.ack(sdpBody(answer));
      this.#oa = { negotiation: { kind: 'idle' }, caller: answer ?? this.#oa.caller, callee: sdp ?? this.#oa.callee };
      leg.outcome = 'answered';
      this.#winner = leg;
      forgetMessages(leg);
      if (old !== undefined) {
        old.outcome = 'ended';
        old.session.bye({ headers: [reasonHeader(200, 'Call retargeted')] });
      }
      this.#host.notify(this, { type: 'retargeted', from: old?.id ?? 0, to: leg.id });
      done({ ok: true, leg: leg.id });
    });
  }

  // ---- effects ----

  #answerCaller(leg: CallLeg | undefined): void {
    const res = leg?.answer;
    if (leg === undefined || res === undefined) return;
    // The call keeps the answer for its whole length (and the caller's session its last SDP): bytes of its own.
    const sdp = ownSdp(sdpOf(res));
    this.#oa = onSuccess(this.#oa, 'callee', sdp).state;
    if (!this.inbound.accept({ ...relayAnswerOptions(res, this.#host.policy), ...sdpBody(sdp) })) {
      // The caller went away as the callee answered: the answer is not wanted.
      this.#release(leg);
      return this.#end({ kind: 'callerCancel' });
    }
    leg.outcome = 'answered';
    this.#winner = leg;
    this.#earlyLeg = undefined;
    forgetMessages(leg);
    this.#host.notify(this, { type: 'answered', leg: leg.id });
  }

  /** A 2xx nobody wants: ACK it (an empty ACK when we owed the answer), then BYE (RFC 3261 §15). */
  #release(leg: CallLeg | undefined): void {
    if (leg === undefined) return;
    if (leg.outcome === 'pending' || leg.outcome === 'answered') leg.outcome = 'released';
    leg.session.ack({});
    leg.session.bye();
  }

  #askApplication(failures: readonly LegFailure[], suggested: number): void {
    const hook = this.#host.onAllFailed;
    if (hook === undefined) {
      this.#queue.push({ type: 'applicationReject', status: suggested });
      return;
    }
    const apply = (d: RouteDecision) => {
      if (this.isEnded || this.#fork.kind !== 'askingApplication') return;
      if ('reject' in d) return this.#step({ type: 'applicationReject', status: d.reject, reason: d.reason });
      this.#decision = { ...d, diversion: d.diversion ?? this.#decision?.diversion };
      this.#step({ type: 'applicationTargets', targets: d.targets, mode: d.mode ?? 'sequential' });
    };
    let d: RouteDecision | Promise<RouteDecision>;
    try {
      d = hook(failures, suggested, this);
    } catch (err) {
      this.#host.logger?.warn({ err, callId: this.id }, 'onAllFailed threw');
      d = { reject: suggested };
    }
    if (!isPromise(d)) {
      // Applied after the current step has finished (the runner's queue).
      if ('reject' in d) this.#queue.push({ type: 'applicationReject', status: d.reject, reason: d.reason });
      else {
        this.#decision = { ...d, diversion: d.diversion ?? this.#decision?.diversion };
        this.#queue.push({ type: 'applicationTargets', targets: d.targets, mode: d.mode ?? 'sequential' });
      }
      return;
    }
    d.then(apply, (err: unknown) => {
      this.#host.logger?.warn({ err, callId: this.id }, 'onAllFailed rejected');
      apply({ reject: suggested });
    });
  }

  #rejectCaller(status: number, reason: string | undefined, extra: HeaderInit = []): void {
    // RFC 3326: say which leg's answer this final response stands for (with that callee's own words).
    const failed = this.#legs.find((l) => l.status === status);
    const headers = [...(failed !== undefined ? [reasonHeader(status, failed.rejection?.reason)] : []), ...extra];
    if (reason === undefined && failed?.rejection !== undefined) reason = failed.rejection.reason;
    this.#end({ kind: 'rejected', status }, { status, opts: { ...(reason !== undefined ? { reason } : {}), headers } });
  }

  /**
   * RFC 3261 §15: BYE the side still up, with a Reason (RFC 3326) when a dialog
   * failed; an unanswered caller gets `final` (default 480); pending legs get CANCEL.
   */
  #end(cause: CallEndCause, final: { status: number; opts?: AnswerOptions; byeHeaders?: HeaderInit } = { status: 480 }): void {
    if (this.isEnded) return;
    this.#endCause = cause;
    const reason = cause.kind === 'failed' ? { headers: [reasonHeader(cause.status)] } : final.byeHeaders !== undefined && final.byeHeaders.length > 0 ? { headers: final.byeHeaders } : {};
    for (const l of this.#legs) {
      this.#stopTimer(l);
      if (l === this.#winner) l.outcome = 'ended';
      if (l.isTerminated) continue;
      if (l === this.#winner || l.isAnswered) {
        l.session.ack({});
        l.session.bye(reason);
      } else if (l.outcome === 'pending') {
        l.outcome = 'cancelled';
        l.session.cancel();
      }
    }
    if (this.inbound.state.kind !== 'terminated') {
      if (this.#winner === undefined) this.inbound.reject(final.status, final.opts ?? reason);
      else this.inbound.bye(reason);
    }
    this.#host.notify(this, { type: 'ended', cause, legs: this.legs.map(summarize) });
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#isIdle || !this.isEnded || this.inbound.state.kind !== 'terminated') return;
    for (const l of this.#legs) if (!l.isTerminated) return;
    this.#isIdle = true;
    this.#host.notify(this, { type: 'idle' });
  }

  #stopTimer(leg: CallLeg | undefined): void {
    if (leg?.noAnswerTimer === undefined) return;
    this.#host.clock.clearTimeout(leg.noAnswerTimer);
    leg.noAnswerTimer = undefined;
  }

  /** Relay a re-INVITE / UPDATE / INFO to the other leg, tracking offer/answer on the way. */
  #relayRequest(to: InboundSession | OutboundSession | undefined, r: IncomingDialogRequest, side: 'caller' | 'callee'): void {
    if (this.isEnded) return r.respond(481);
    const isOffer = r.request.method === 'INVITE' || r.request.method === 'UPDATE';
    // The call keeps each side's latest SDP, and the sessions their last one sent: bytes of their own.
    const offer = isOffer ? ownSdp(sdpOf(r.request)) : undefined;
    if (isOffer) this.#oa = onRequest(this.#oa, side, offer).state;
    relayInDialog(
      to,
      r,
      this.#host.policy,
      (res) => {
        if (!isOffer) return undefined;
        const answer = ownSdp(sdpOf(res));
        this.#oa = onSuccess(this.#oa, side === 'caller' ? 'callee' : 'caller', answer).state;
        return answer;
      },
      offer,
    );
  }
}
