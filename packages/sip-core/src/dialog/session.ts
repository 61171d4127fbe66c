/**
 * An INVITE dialog usage seen by the application: one call leg, as UAC or UAS.
 * Session carries the in-dialog rules (RFC 3261 §12-§15): it steps its dialog
 * machine, retransmits its 2xx until the ACK (§13.3.1.4), ACKs 2xx itself and
 * resends that ACK for 2xx retransmissions (§13.2.2.4), answers glare with 491
 * and retries after the §14.1 delays, answers what is pending with 487 when the
 * dialog ends (§15.1.2). The initial INVITE lives in the subclasses:
 * uac-session.ts (forks, CANCEL, ACK) and uas-session.ts (1xx, 2xx, reject).
 *
 *  UAS: proceeding --1xx--> early --2xx--> accepted --ACK--> confirmed
 *  UAC: calling --1xx--> early --2xx--> confirmed
 *  any --BYE / final non-2xx / CANCEL / no ACK / 481, 408--> terminated
 */
import { channel } from 'node:diagnostics_channel';
import type { TimerHandle } from '../clock.js';
import { SipError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { ServerTransaction } from '../transaction/layer.js';
import { makeResponse } from '../transaction/messages.js';
import type { Destination } from '../transport/transport.js';
import { ownString } from '../message/own-string.js';
import { type DialogState, type DialogStep, type TerminationCause, createAck, createRequest, ownDialogState, stepDialog } from './dialog.js';
import { withDefaults } from './headers.js';
import { destinationOf, requestTarget } from './route-set.js';
import type {
  AnswerOptions,
  IncomingDialogRequest,
  RequestOptions,
  RequestOutcome,
  SessionEvent,
  SessionHost,
  SessionListener,
  SessionState,
} from './session-types.js';
import { type Retransmit2xxState, glareRetryDelay, start2xxRetransmit, step2xxRetransmit } from './timers.js';

export type { AnswerOptions, IncomingDialogRequest, RequestOptions, RequestOutcome, SessionEvent, SessionHost, SessionListener, SessionState } from './session-types.js';

const MAX_GLARE_RETRIES = 3;

/** Session state changes, published as { callId, role, from, to, event }. */
const stateChannel = channel('sip:dialog:state');

const hasBody = (b: Uint8Array | string | undefined): boolean => b !== undefined && (typeof b === 'string' ? b.length > 0 : b.byteLength > 0);

/** An ACK we sent, kept (compacted once sent) to answer retransmissions of its 2xx with the very same ACK. */
interface SentAck {
  /** The CSeq number of the INVITE it acknowledges. */
  readonly seq: number;
  readonly ack: SipRequest;
  readonly dest: Destination;
}

const SDP = 'application/sdp';
/** A Content-Type kept for the whole call: the usual one is a constant, any other a copy (not a slice of a message). */
const ownContentType = (t: string): string => (t === SDP ? SDP : ownString(t));

/** One INVITE dialog usage. Created by DialogUserAgent (onInvite, invite()). */
export abstract class Session {
  readonly role: 'uac' | 'uas';
  /** The dialog's initial INVITE (compacted once the session is confirmed: reading it parses it again). */
  readonly invite: SipRequest;
  readonly callId: string;
  protected readonly host: SessionHost;
  protected phase: SessionState;
  protected dialogState: DialogState | undefined;
  /** ACKs sent (§13.2.2.4), one per INVITE of the dialog: an array of exactly their number. */
  #acks: readonly SentAck[] = [];
  /** A 2xx we received whose ACK the application owes us (delayed offer): its INVITE CSeq number. */
  protected ackOwed: number | undefined;
  /** Arrays of exactly their length (a call has one or two listeners per session). */
  #listeners: readonly SessionListener[] = [];
  /** Server transactions of in-dialog requests not yet answered (487 when the dialog ends); made with the first one. */
  #pending: Map<ServerTransaction, SipRequest> | undefined;
  /** Our 2xx to an INVITE being retransmitted (§13.3.1.4). */
  #rtx: { res: SipResponse; tx: ServerTransaction; seq: number; hasOffer: boolean; state: Retransmit2xxState; timer?: TimerHandle } | undefined;
  #incomingOffer = false;
  #outgoingOffer = false;
  #byeAfterAck = false;
  #lastLocalBody: { body: Uint8Array | string; contentType: string } | undefined;
  #glareTimers: Set<TimerHandle> | undefined;
  constructor(host: SessionHost, role: 'uac' | 'uas', invite: SipRequest) {
    this.host = host;
    this.role = role;
    this.invite = invite;
    this.callId = ownString(invite.callId);
    this.phase = role === 'uac' ? { kind: 'calling' } : { kind: 'proceeding' };
  }

  /** The session's phase. */
  get state(): SessionState {
    return this.phase;
  }
  /** The (primary) dialog's state, once there is a dialog. */
  get dialog(): DialogState | undefined {
    return this.dialogState;
  }
  /** True while a 2xx we received waits for the application's ack() (delayed offer). */
  get isAckPending(): boolean {
    return this.ackOwed !== undefined;
  }
  /** Listen to the session's events. */
  on(listener: SessionListener): this {
    this.#listeners = this.#listeners.concat(listener);
    return this;
  }

  // ---- both roles ----

  /**
   * End the session in the way its state allows: BYE when confirmed (§15.1.1;
   * a UAS waits for the ACK of its 2xx first), CANCEL for a UAC's unanswered
   * INVITE, 480 for a UAS's.
   */
  bye(opts: RequestOptions = {}): void {
    switch (this.phase.kind) {
      case 'terminated':
        return;
      case 'calling':
      case 'proceeding':
      case 'early':
        this.endUnanswered();
        return;
      case 'accepted':
        // §15: the callee MUST NOT send BYE before the ACK arrives (or the 2xx times out).
        this.#byeAfterAck = true;
        return;
      case 'confirmed':
        // A 2xx is ACKed before the BYE, even when the application never gave its answer.
        if (this.ackOwed !== undefined) this.ack();
        this.sendBye(opts);
        this.terminate({ kind: 'localBye' });
    }
  }

  /** End the session before the INVITE is answered: CANCEL (UAC) or 480 (UAS). */
  protected abstract endUnanswered(): void;

  /** Send the ACK the application owes for a 2xx to an INVITE that carried no offer (its body is the answer). */
  ack(opts: RequestOptions = {}): boolean {
    const seq = this.ackOwed;
    if (seq === undefined || this.dialogState === undefined) return false;
    this.ackOwed = undefined;
    this.#outgoingOffer = false;
    this.sendAck(seq, opts);
    return true;
  }

  /**
   * Send a request inside the dialog (re-INVITE, UPDATE, INFO, ...). A
   * re-INVITE or UPDATE that meets 491 is sent again after the §14.1 delay
   * (up to 3 times), unless `onGlare: 'return'` asks for the 491 at once (a
   * relay). A 2xx to a re-INVITE with a body is ACKed at once; without one
   * (the offer is in the 2xx) the application calls ack() with its answer.
   */
  request(method: string, opts: RequestOptions & { onGlare?: 'retry' | 'return' } = {}): Promise<RequestOutcome> {
    if (method === 'ACK' || method === 'CANCEL' || method === 'BYE') {
      throw new SipError('SIP_ERR_INVALID_ARGUMENT', `${method} is not sent with request(): use ack(), cancel() or bye()`);
    }
    const d = this.dialogState;
    if (d === undefined) return Promise.resolve({ kind: 'notSent', reason: 'noDialog' });
    if (this.phase.kind === 'terminated' || d.kind === 'terminated') return Promise.resolve({ kind: 'notSent', reason: 'terminated' });
    const isOffer = method === 'INVITE' || (method === 'UPDATE' && hasBody(opts.body));
    // §14.1: no re-INVITE on an early dialog, nor while another offer is in progress in either direction.
    if (method === 'INVITE' && this.phase.kind !== 'confirmed') return Promise.resolve({ kind: 'notSent', reason: 'pending' });
    if (isOffer && (this.#outgoingOffer || this.#incomingOffer || this.ackOwed !== undefined || this.#rtx?.state.kind === 'waiting')) {
      return Promise.resolve({ kind: 'notSent', reason: 'pending' });
    }
    // onGlare 'return': a relay hands the 491 back at once and lets the endpoints' own §14.1 timers settle it.
    const maxTries = opts.onGlare === 'return' ? 0 : MAX_GLARE_RETRIES;
    return new Promise((resolve) => this.#attempt(method, opts, isOffer, maxTries, resolve));
  }

  #attempt(method: string, opts: RequestOptions, isOffer: boolean, triesLeft: number, resolve: (o: RequestOutcome) => void): void {
    if (this.dialogState === undefined || this.phase.kind === 'terminated') return resolve({ kind: 'notSent', reason: 'terminated' });
    const { state, request } = createRequest(this.dialogState, method, opts);
    this.dialogState = state;
    if (isOffer) this.#outgoingOffer = true;
    // Our last SDP (what an unattended refresh is answered with): an offer's body, not an INFO's.
    if (isOffer && hasBody(opts.body)) this.#lastLocalBody = { body: opts.body!, contentType: ownContentType(opts.contentType ?? SDP) };
    const seq = request.cseq.seq;
    let isDone = false;
    const finish = (o: RequestOutcome) => {
      if (isDone) return;
      isDone = true;
      resolve(o);
    };
    this.host.endpoint.request(request, this.destination(), {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (method === 'INVITE' && res.status < 300) {
          if (this.#sentAck(seq) !== undefined) return this.resendAck(seq);
          if (this.ackOwed === seq) return;
          if (this.dialogState !== undefined) this.applyDialog(stepDialog(this.dialogState, { type: 'response', res, method }));
          // §13.2.2.4: the UA core ACKs the 2xx; a delayed offer waits for the application's answer.
          if (hasBody(opts.body) || this.phase.kind === 'terminated') {
            this.#outgoingOffer = false;
            this.sendAck(seq, {});
          } else this.ackOwed = seq;
          return finish({ kind: 'response', response: res });
        }
        if (isDone) return;
        if (isOffer) this.#outgoingOffer = false;
        if (this.dialogState !== undefined) this.applyDialog(stepDialog(this.dialogState, { type: 'response', res, method }));
        // §14.1: 491 to our re-INVITE (RFC 3311 §5.1: or UPDATE): try again after a random delay.
        if (res.status === 491 && isOffer && triesLeft > 0 && this.phase.kind !== 'terminated') {
          const h = this.host.endpoint.clock.setTimeout(() => {
            this.#glareTimers?.delete(h);
            this.#attempt(method, opts, isOffer, triesLeft - 1, resolve);
          }, glareRetryDelay(this.role === 'uac', this.host.random));
          (this.#glareTimers ??= new Set()).add(h);
          return;
        }
        finish({ kind: 'response', response: res });
      },
      onTimeout: () => {
        if (isOffer) this.#outgoingOffer = false;
        if (this.dialogState !== undefined) this.applyDialog(stepDialog(this.dialogState, { type: 'noResponse', method }));
        finish({ kind: 'timeout' });
      },
      onTransportError: (error) => {
        if (isOffer) this.#outgoingOffer = false;
        finish({ kind: 'transportError', error });
      },
    });
  }

  // ---- from the user agent ----

  /** @internal An in-dialog request (not ACK, CANCEL) routed to this session. */
  receiveRequest(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialogState;
    if (d === undefined) {
      tx.respond(makeResponse(req, 481));
      return;
    }
    const rtx = this.#rtx;
    // A newer request from the peer proves our 2xx arrived; when its offer/answer is complete (the INVITE
    // had the offer), the lost ACK is not waited for (else the call would end at 64*T1 for a lost ACK).
    if (rtx !== undefined && rtx.state.kind === 'waiting' && rtx.hasOffer && req.cseq.seq > rtx.seq && d.kind !== 'terminated') this.#confirm(undefined);
    const isOffer = req.method === 'INVITE' || (req.method === 'UPDATE' && req.body.byteLength > 0);
    // §14.2 / RFC 3311 §5.2: an offer while ours is pending: 491; while theirs is pending: 500 + Retry-After.
    const isWaitingAck = this.#rtx?.state.kind === 'waiting';
    // Our offer is pending: our re-INVITE/UPDATE, an ACK we owe, or our 2xx that carried the offer (delayed offer).
    if (d.kind !== 'terminated' && isOffer && (this.#outgoingOffer || this.ackOwed !== undefined || (isWaitingAck && !this.#rtx!.hasOffer))) {
      tx.respond(makeResponse(req, 491));
      return;
    }
    if (d.kind !== 'terminated' && isOffer && (this.#incomingOffer || isWaitingAck || (req.method === 'INVITE' && d.kind === 'early'))) {
      tx.respond(makeResponse(req, 500, 'Server Internal Error', { headers: [['Retry-After', String(Math.floor(this.host.random() * 11))]] }));
      return;
    }
    const step = stepDialog(d, { type: 'request', req });
    for (const e of step.effects) {
      if (e.type === 'reject') {
        tx.respond(makeResponse(req, e.status, e.reason));
        return;
      }
    }
    this.dialogState = step.state;
    switch (req.method) {
      case 'BYE':
        tx.respond(makeResponse(req, 200));
        this.emit({ type: 'bye', bye: req });
        this.terminate({ kind: 'remoteBye' });
        return;
      case 'PRACK':
        // RFC 3262 §3: we never send reliable provisionals, so no PRACK matches one.
        tx.respond(makeResponse(req, 481));
        return;
    }
    if (isOffer) this.#incomingOffer = true;
    (this.#pending ??= new Map()).set(tx, req);
    let isAnswered = false;
    const request: IncomingDialogRequest = {
      request: req,
      respond: (status, opts = {}) => {
        if (isAnswered || status < 100) return;
        const isTargetRefresh = req.method === 'INVITE' || req.method === 'UPDATE';
        const res = this.answer(req, status, opts, isTargetRefresh && status < 300, undefined);
        tx.respond(res);
        if (status < 200) return;
        isAnswered = true;
        this.#pending?.delete(tx);
        if (isOffer) this.#incomingOffer = false;
        if (req.method === 'INVITE' && status < 300) this.start2xx(res, tx, req.cseq.seq);
      },
    };
    if (this.#listeners.length === 0) return this.#defaultAnswer(request);
    this.emit({ type: 'request', request });
  }

  /** No listener: refreshes (RFC 4028) must still succeed: UPDATE without body -> 200, re-INVITE -> 200 with our last SDP; others 501. */
  #defaultAnswer(r: IncomingDialogRequest): void {
    const m = r.request.method;
    if (m === 'UPDATE' && r.request.body.byteLength === 0) r.respond(200);
    else if (m === 'INVITE' || m === 'UPDATE') r.respond(200, this.#lastLocalBody ?? {});
    else r.respond(501);
  }

  /** @internal An ACK for this dialog (§13.3.1.4: it stops the 2xx retransmissions). */
  receiveAck(ack: SipRequest): void {
    const rtx = this.#rtx;
    if (rtx === undefined || rtx.seq !== ack.cseq.seq || rtx.state.kind !== 'waiting') return;
    this.#confirm(ack);
  }

  /** The ACK arrived (or a newer request proved the 2xx arrived): stop retransmitting, confirm. */
  #confirm(ack: SipRequest | undefined): void {
    this.#stepRtx({ type: 'ack' });
    const isInitial = this.phase.kind === 'accepted';
    if (isInitial) {
      this.setPhase({ kind: 'confirmed' }, ack === undefined ? 'implicitAck' : 'ack');
      this.settle();
    }
    if (ack !== undefined) this.emit({ type: 'ack', ack });
    if (isInitial) this.emit({ type: 'confirmed', isAckPending: false });
    if (this.#byeAfterAck && this.phase.kind === 'confirmed') this.bye();
  }

  #sentAck(seq: number): SentAck | undefined {
    return this.#acks.find((a) => a.seq === seq);
  }

  /** @internal A 2xx to an INVITE with no transaction left (after Timer M): resend its ACK. */
  receiveStray2xx(res: SipResponse): void {
    this.resendAck(res.cseq.seq);
  }

  /** @internal The user agent is closing: end without sending anything. */
  close(): void {
    this.terminate({ kind: 'closed' });
  }

  // ---- shared machinery ----

  protected emit(e: SessionEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.host.logger?.error({ err, event: e.type, callId: this.callId }, 'session listener threw');
      }
    }
  }

  protected setPhase(next: SessionState, event: string): void {
    const from = this.phase.kind;
    this.phase = next;
    if (from === next.kind) return;
    const info = { callId: this.callId, role: this.role, from, to: next.kind, event };
    this.host.logger?.debug(info, 'session state');
    if (stateChannel.hasSubscribers) stateChannel.publish(info);
  }

  protected applyDialog(step: DialogStep): void {
    this.dialogState = step.state;
    for (const e of step.effects) if (e.type === 'terminated' && this.phase.kind !== 'terminated') this.terminate(e.cause);
  }

  /**
   * The session is confirmed: from here on a call keeps nothing of the messages that set it up.
   * The dialog's values are copied out of them, the INVITE is compacted (a later read parses it
   * again), and the subclasses let go of the INVITE's transaction.
   */
  protected settle(...known: string[]): void {
    if (this.dialogState !== undefined) this.dialogState = ownDialogState(this.dialogState, [this.callId, this.contact(), ...known]);
    this.invite.compact();
  }

  /** Where in-dialog requests go: the next hop of §12.2.1.1 (over a connection-oriented transport, back on the UAS's connection). */
  protected destination(d: DialogState | undefined = this.dialogState): Destination {
    const fallback = this.fallbackDestination();
    if (d === undefined) return fallback;
    const t = requestTarget(d.dialog.routeSet, d.dialog.remoteTarget);
    return destinationOf(t.nextHop, fallback.protocol) ?? fallback;
  }

  /** Our Contact for this session's transport. */
  protected contact(): string {
    return this.host.contactFor(this.fallbackDestination().protocol);
  }

  /** The peer we talked to first: where requests go when the next hop is not an IP literal. */
  protected abstract fallbackDestination(): Destination;

  /** Build, remember and send the ACK for the 2xx to the INVITE with CSeq `seq`. */
  protected sendAck(seq: number, opts: RequestOptions): void {
    if (this.dialogState === undefined) return;
    const ack = createAck(this.dialogState, seq, opts);
    const dest = this.destination();
    const sent: SentAck = { seq, ack, dest };
    this.#acks = this.#acks.filter((a) => a.seq !== seq).concat(sent);
    // Kept for the whole call as its octets: compacted once the transport has written its Via.
    void this.host.endpoint.sendAck(ack, dest).then(() => ack.compact());
  }

  /** §13.2.2.4: a retransmitted 2xx gets the same ACK again. */
  protected resendAck(seq: number): void {
    const sent = this.#sentAck(seq);
    if (sent !== undefined) void this.host.endpoint.transport.sendRequest(sent.ack, sent.dest).then(() => sent.ack.compact());
  }

  protected sendBye(opts: RequestOptions): void {
    if (this.dialogState === undefined) return;
    const { state, request } = createRequest(this.dialogState, 'BYE', opts);
    this.dialogState = state;
    this.host.endpoint.request(request, this.destination(), {});
  }

  /** End the session: stop timers, 487 to what is pending (§15.1.2), tell the application. */
  protected terminate(cause: TerminationCause): void {
    if (this.phase.kind === 'terminated') return;
    this.setPhase({ kind: 'terminated', cause }, cause.kind);
    if (this.#rtx?.timer !== undefined) this.host.endpoint.clock.clearTimeout(this.#rtx.timer);
    if (this.#rtx?.state.kind === 'waiting') this.#rtx = { ...this.#rtx, state: { kind: 'expired' } };
    for (const h of this.#glareTimers ?? []) this.host.endpoint.clock.clearTimeout(h);
    this.#glareTimers = undefined;
    if (cause.kind !== 'closed') for (const [tx, req] of this.#pending ?? []) tx.respond(makeResponse(req, 487));
    this.#pending = undefined;
    if (this.dialogState !== undefined && this.dialogState.kind !== 'terminated') this.dialogState = stepDialog(this.dialogState, { type: 'terminate', cause }).state;
    this.emit({ type: 'terminated', cause });
    this.host.ended(this);
  }

  protected answer(req: SipRequest, status: number, opts: AnswerOptions, withContact: boolean, toTag: string | undefined): SipResponse {
    const headers: Array<readonly [string, string]> = [];
    const isDialogCreating = req === this.invite && status > 100 && status < 300;
    if (isDialogCreating) for (const rr of req.headers.getAll('record-route')) headers.push(['Record-Route', rr]);
    if (withContact || isDialogCreating) headers.push(['Contact', this.contact()]);
    if (req.method === 'INVITE' && status >= 200 && status < 300) headers.push(...this.host.capabilityHeaders);
    headers.splice(0, headers.length, ...withDefaults(headers, opts.headers ?? []));
    if (hasBody(opts.body)) {
      const contentType = opts.contentType ?? SDP;
      if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['Content-Type', contentType]);
      this.#lastLocalBody = { body: opts.body!, contentType: ownContentType(contentType) };
    }
    return makeResponse(req, status, opts.reason, { ...(toTag !== undefined ? { toTag } : {}), headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  }

  protected start2xx(res: SipResponse, tx: ServerTransaction, seq: number): void {
    const s = start2xxRetransmit(this.host.timers);
    this.#rtx = { res, tx, seq, hasOffer: tx.request.body.byteLength > 0, state: s.state };
    this.#runRtx(s.effects);
  }

  #stepRtx(e: { type: 'timerFired' } | { type: 'ack' }): void {
    if (this.#rtx === undefined) return;
    const s = step2xxRetransmit(this.#rtx.state, e, this.host.timers);
    this.#rtx = { ...this.#rtx, state: s.state };
    this.#runRtx(s.effects);
    // Confirmed or given up: nothing reads the 2xx or its transaction again; a long call should not keep them.
    if (this.#rtx?.state.kind !== 'waiting') this.#rtx = undefined;
  }

  #runRtx(effects: ReturnType<typeof start2xxRetransmit>['effects']): void {
    const rtx = this.#rtx;
    if (rtx === undefined) return;
    const clock = this.host.endpoint.clock;
    for (const e of effects) {
      switch (e.type) {
        case 'resend':
          // The IST in accepted passes the 2xx on (RFC 6026 §7.1); once it is gone, send it ourselves.
          if (!rtx.tx.respond(rtx.res)) void this.host.endpoint.sendStateless(rtx.res, rtx.tx.source);
          break;
        case 'startTimer':
          rtx.timer = clock.setTimeout(() => this.#stepRtx({ type: 'timerFired' }), e.ms);
          break;
        case 'cancelTimer':
          if (rtx.timer !== undefined) clock.clearTimeout(rtx.timer);
          break;
        case 'giveUp':
          // §13.3.1.4: no ACK within 64*T1: the session ends with a BYE.
          this.#incomingOffer = false;
          if (this.dialogState !== undefined && this.dialogState.kind !== 'terminated') this.sendBye({});
          this.terminate(this.#byeAfterAck ? { kind: 'localBye' } : { kind: 'ackTimeout' });
          break;
      }
    }
  }
}
