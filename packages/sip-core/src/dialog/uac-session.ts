/**
 * The UAC side of an INVITE session (RFC 3261 §13.2): the initial INVITE, the
 * early dialogs its forks create (§12.1.2), the first 2xx that confirms one of
 * them, ACK and BYE for any further 2xx (§13.2.2.4), CANCEL (§9.1) and a 2xx
 * that crosses it (ACK, then BYE).
 *
 *            INVITE sent
 *                v
 *  +---------+ 1xx with To tag +-------+
 *  | calling |---------------->| early | (one early dialog per To tag)
 *  +---------+                 +-------+
 *       | 2xx                      | 2xx: ACK (unless delayed offer)
 *       v                          v            further 2xx (forks): ACK + BYE
 *  +-----------+ <-----------------+            2xx after CANCEL: ACK + BYE
 *  | confirmed |
 *  +-----------+   3xx-6xx, Timer B, transport error, CANCEL -> terminated
 */
import type { HeaderInit } from '../message/headers.js';
import { formatNameAddr, withTag } from '../message/header-values.js';
import { SipRequest, type SipResponse } from '../message/message.js';
import { ownString } from '../message/own-string.js';
import { type Uri, parseUri } from '../message/uri.js';
import type { ClientTransaction, ClientTransactionHandlers, ServerTransaction } from '../transaction/layer.js';
import { makeResponse, newTag } from '../transaction/messages.js';
import type { Destination } from '../transport/transport.js';
import { type DialogState, type TerminationCause, createAck, createRequest, createUacDialog, stepDialog } from './dialog.js';
import { dialogIdOfResponse } from './dialog-id.js';
import { withDefaults } from './headers.js';
import { Session } from './session.js';
import type { SessionHost, SessionListener } from './session-types.js';

/** What to send in a new INVITE. */
export interface InviteOptions {
  /** The Request-URI (and To, unless `to` is given). */
  readonly uri: Uri | string;
  /** The first hop (an outbound proxy, or the target itself). */
  readonly dest: Destination;
  /** From header value without tag (ours is added), e.g. `"Alice" <sip:alice@example.com>`. */
  readonly from: string;
  /** To header value (default: `<uri>`). */
  readonly to?: string;
  /** Call-ID (default: random). */
  readonly callId?: string;
  /** Extra headers (Route for a preloaded route set, P-Asserted-Identity, Session-Expires, ...). */
  readonly headers?: HeaderInit;
  /** The offer; without a body this is a delayed offer: the offer comes in the 2xx and the application answers with ack(). */
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  /** Listen from the start. */
  readonly onEvent?: SessionListener;
  /** A 1xx with a new To tag created an early dialog (§12.1.2); its body is early media SDP, if any. */
  readonly onEarly?: (response: SipResponse) => void;
  /** The 2xx arrived: ACKed already, or, delayed offer (no body in the INVITE), isAckPending: call ack({ body: answer }). */
  readonly onConfirmed?: (response: SipResponse, isAckPending: boolean) => void;
  /** The session ended (the final non-2xx, CANCEL, BYE ... as a cause). */
  readonly onTerminated?: (cause: TerminationCause) => void;
}

const hasBody = (b: Uint8Array | string | undefined): boolean => b !== undefined && (typeof b === 'string' ? b.length > 0 : b.byteLength > 0);

/** An outgoing INVITE session. */
export class UacSession extends Session {
  readonly #dest: Destination;
  /** The INVITE's client transaction, until the INVITE has its final response (then nothing cancels it). */
  #tx: ClientTransaction | undefined;
  /** Our From tag and the INVITE's CSeq number: read for every 2xx, without reading the (compacted) INVITE. */
  readonly #localTag: string;
  readonly #inviteSeq: number;
  /** Early dialogs by remote tag (forks), the primary one included; made with the first. */
  #early: Map<string, DialogState> | undefined;
  #confirmedTag: string | undefined;
  /** Dialogs from further 2xx (forks) we ACKed and BYEd, by remote tag: their ACK answers retransmissions. */
  #released: Map<string, { ack: SipRequest; dest: Destination }> | undefined;
  #isCancelRequested = false;
  /** What a 2xx that crosses our CANCEL gets (see cancel()). */
  #crossing2xx: 'release' | 'keep' = 'release';

  constructor(host: SessionHost, opts: InviteOptions) {
    const uri = typeof opts.uri === 'string' ? parseUri(opts.uri) : opts.uri;
    const from = parseFromValue(opts.from);
    const h: Array<readonly [string, string]> = [
      ['From', from],
      ['To', opts.to ?? `<${uri.toString()}>`],
      ['Call-ID', opts.callId ?? `${newTag()}${newTag()}`],
      ['CSeq', '1 INVITE'],
      // Defaults the application may replace (a B2BUA passes a decremented Max-Forwards, relayed Supported).
      ...withDefaults([['Max-Forwards', '70'], ['Contact', host.contactFor(opts.dest.protocol)], ...host.capabilityHeaders], opts.headers ?? []),
    ];
    if (hasBody(opts.body) && !h.some(([n]) => n.toLowerCase() === 'content-type')) h.push(['Content-Type', opts.contentType ?? 'application/sdp']);
    super(host, 'uac', new SipRequest({ method: 'INVITE', uri, headers: h, body: opts.body }));
    this.#dest = opts.dest;
    this.#localTag = ownString(this.invite.from.tag ?? '');
    this.#inviteSeq = this.invite.cseq.seq;
    if (opts.onEvent) this.on(opts.onEvent);
    const { onEarly, onConfirmed, onTerminated } = opts;
    if (onEarly || onConfirmed || onTerminated) {
      this.on((e) => {
        if (e.type === 'early') onEarly?.(e.response);
        else if (e.type === 'confirmed' && e.response !== undefined) onConfirmed?.(e.response, e.isAckPending);
        else if (e.type === 'terminated') onTerminated?.(e.cause);
      });
    }
  }

  /** @internal Send the INVITE (after the user agent has indexed the session). */
  start(): void {
    this.#tx = this.host.endpoint.request(this.invite, this.#dest, new UacSession.#InviteHandlers(this));
  }

  /** What the INVITE's transaction tells the session: one small object (it lives on until Timer M, RFC 6026). */
  static readonly #InviteHandlers = class implements ClientTransactionHandlers {
    constructor(readonly session: UacSession) {}
    onResponse(res: SipResponse): void {
      this.session.#onResponse(res);
    }
    onTimeout(): void {
      const s = this.session;
      s.terminate(s.#isCancelRequested ? { kind: 'cancelled' } : { kind: 'timeout' });
    }
    onTransportError(): void {
      this.session.terminate({ kind: 'transportError' });
    }
  };

  /** The local (From) tag. */
  get localTag(): string {
    return this.#localTag;
  }

  /**
   * Cancel the INVITE (§9.1): sent once a provisional has arrived. A 2xx that
   * crosses the CANCEL gets ACK and BYE (`crossing2xx: 'release'`, the default)
   * or answers the call as if no CANCEL had been sent (`'keep'`).
   */
  cancel(opts: { crossing2xx?: 'release' | 'keep' } = {}): boolean {
    if ((this.phase.kind !== 'calling' && this.phase.kind !== 'early') || this.#isCancelRequested || this.#tx === undefined) return false;
    this.#isCancelRequested = true;
    this.#crossing2xx = opts.crossing2xx ?? 'release';
    this.#tx.cancel();
    return true;
  }

  protected override endUnanswered(): void {
    this.cancel();
  }

  protected override fallbackDestination(): Destination {
    return this.#dest;
  }

  #onResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300) return this.receive2xx(res);
    const isPending = this.phase.kind === 'calling' || this.phase.kind === 'early';
    if (!isPending) return;
    if (res.status < 200) {
      const tag = res.to.tag;
      if (res.status > 100 && tag !== undefined) this.#onEarly(res, tag);
      this.emit({ type: 'provisional', response: res });
      return;
    }
    this.#forgetEarly();
    this.terminate(res.status === 487 && this.#isCancelRequested ? { kind: 'cancelled' } : { kind: 'rejected', status: res.status, response: res });
  }

  /** §12.1.2: a 1xx with a To tag creates an early dialog (one per fork) or updates it. */
  #onEarly(res: SipResponse, tag: string): void {
    const id = dialogIdOfResponse(res);
    if (id === undefined) return;
    const current = this.dialogState;
    const early = (this.#early ??= new Map());
    if (current !== undefined) early.set(current.dialog.id.remoteTag, current);
    const known = early.get(tag);
    const isNew = known === undefined;
    this.dialogState = known === undefined ? createUacDialog(this.invite, res, this.contact(), id) : stepDialog(known, { type: 'response', res, method: 'INVITE' }).state;
    early.set(tag, this.dialogState);
    if (isNew) this.host.index(id, this);
    this.setPhase({ kind: 'early' }, '1xx');
    if (isNew) this.emit({ type: 'early', response: res });
  }

  #forgetEarly(): void {
    for (const d of this.#early?.values() ?? []) if (d.dialog.id.remoteTag !== this.#confirmedTag) this.host.unindex(d.dialog.id);
    this.#early = undefined;
  }

  /** @internal A 2xx to an INVITE of this session, from its transaction or a stray (after Timer M). */
  receive2xx(res: SipResponse): void {
    const seq = res.cseq.seq;
    if (seq !== this.#inviteSeq) return this.receiveStray2xx(res);
    const tag = res.to.tag;
    const id = dialogIdOfResponse(res);
    if (tag === undefined || id === undefined) return;
    const isPending = this.phase.kind === 'calling' || this.phase.kind === 'early';
    if (this.#confirmedTag === undefined && isPending) {
      this.#confirmedTag = ownString(tag);
      const known = this.#early?.get(tag) ?? (this.dialogState?.dialog.id.remoteTag === tag ? this.dialogState : undefined);
      this.dialogState = known !== undefined ? stepDialog(known, { type: 'response', res, method: 'INVITE' }).state : createUacDialog(this.invite, res, this.contact(), id);
      this.#forgetEarly();
      this.host.index(id, this);
      if (this.#isCancelRequested && this.#crossing2xx === 'release') {
        // The 2xx crossed our CANCEL: the call was not wanted any more: ACK, then BYE.
        this.sendAck(seq, {});
        this.sendBye({});
        this.terminate({ kind: 'cancelled' });
        return;
      }
      this.setPhase({ kind: 'confirmed' }, '2xx');
      if (hasBody(this.invite.body)) this.sendAck(seq, {});
      else this.ackOwed = seq;
      this.settle();
      this.emit({ type: 'confirmed', response: res, isAckPending: this.ackOwed !== undefined });
      return;
    }
    if (tag === this.#confirmedTag) {
      // §13.2.2.4: a retransmission: the same ACK again (none yet when the application still owes it).
      if (this.ackOwed !== seq) this.resendAck(seq);
      return;
    }
    this.#releaseFork(res, tag, id);
  }

  /** §13.2.2.4: a 2xx from another fork (or after we gave up): ACK it, then BYE. */
  #releaseFork(res: SipResponse, tag: string, id: NonNullable<ReturnType<typeof dialogIdOfResponse>>): void {
    const known = this.#released?.get(tag);
    if (known !== undefined) {
      void this.host.endpoint.transport.sendRequest(known.ack, known.dest);
      return;
    }
    const d = createUacDialog(this.invite, res, this.contact(), id);
    const ack = createAck(d, res.cseq.seq);
    const dest = this.destination(d);
    (this.#released ??= new Map()).set(tag, { ack, dest });
    this.host.index(id, this);
    void this.host.endpoint.sendAck(ack, dest).then(() => ack.compact());
    this.host.endpoint.request(createRequest(d, 'BYE').request, dest, {});
    this.host.logger?.debug({ callId: this.callId, tag }, 'forked 2xx released with ACK and BYE');
  }

  /** @internal Requests for a fork we released, or an early dialog that is not the primary one. */
  override receiveRequest(req: SipRequest, tx: ServerTransaction): void {
    const tag = req.from.tag;
    const primary = this.dialogState?.dialog.id.remoteTag;
    if (tag !== undefined && tag !== primary) {
      const early = this.#early?.get(tag);
      if (early === undefined || this.phase.kind !== 'early') {
        tx.respond(makeResponse(req, 481));
        return;
      }
      if (this.dialogState !== undefined && primary !== undefined) this.#early!.set(primary, this.dialogState);
      this.dialogState = early;
    }
    super.receiveRequest(req, tx);
  }

  protected override terminate(cause: TerminationCause): void {
    const was = this.phase.kind;
    super.terminate(cause);
    // A BYE on an early dialog (§15): the INVITE is not wanted any more either.
    if ((was === 'calling' || was === 'early') && cause.kind === 'remoteBye' && !this.#isCancelRequested) {
      this.#isCancelRequested = true;
      this.#tx?.cancel();
    }
    this.#tx = undefined;
  }

  protected override settle(): void {
    super.settle(this.#localTag, ...(this.#confirmedTag === undefined ? [] : [this.#confirmedTag]));
    // Answered: nothing cancels the INVITE now; its transaction lives on alone until Timer M (RFC 6026).
    this.#tx = undefined;
  }
}

/** Add a fresh tag to a From value. */
function parseFromValue(from: string): string {
  const probe = new SipRequest({ method: 'X', uri: parseUri('sip:x'), headers: [['From', from]] });
  return formatNameAddr(withTag(probe.from, newTag()));
}
