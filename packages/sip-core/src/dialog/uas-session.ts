/**
 * The UAS side of an INVITE session (RFC 3261 §13.3): provisionals that create
 * the early dialog (§12.1.1), the 2xx the Session retransmits until the ACK,
 * rejection, CANCEL (§9.2), and a BYE on the early dialog (§15.1.2: 487 for
 * the INVITE).
 *
 *  +------------+ 1xx (101-199) +-------+
 *  | proceeding |-------------->| early |
 *  +------------+               +-------+
 *        | 2xx                      | 2xx        +-----------+ ACK (or a newer request
 *        +--------------------------+----------->| accepted  |----------------------+
 *        | 3xx-6xx, CANCEL, BYE (early)          +-----------+                      v
 *        v                                             | no ACK in 64*T1: BYE  +-----------+
 *  +------------+ <------------------------------------+                       | confirmed |
 *  | terminated |                                                              +-----------+
 *  +------------+
 */
import type { SipRequest } from '../message/message.js';
import type { ServerTransaction } from '../transaction/layer.js';
import { makeResponse } from '../transaction/messages.js';
import type { Destination, Source } from '../transport/transport.js';
import { type DialogState, type TerminationCause, createUasDialog, stepDialog } from './dialog.js';
import { Session } from './session.js';
import type { AnswerOptions, SessionHost } from './session-types.js';

/** An incoming INVITE session, handed to the onInvite handler of DialogUserAgent. */
export class UasSession extends Session {
  /** The initial INVITE's server transaction, until the INVITE has its final response; where it came from. */
  #tx: ServerTransaction | undefined;
  readonly #source: Source;
  /** Our To tag, the same in every response (§12.1.1). */
  readonly #toTag: string;

  constructor(host: SessionHost, invite: SipRequest, tx: ServerTransaction, toTag: string) {
    super(host, 'uas', invite);
    this.#tx = tx;
    this.#source = tx.source;
    this.#toTag = toTag;
  }

  /** @internal The initial INVITE's server transaction, until it has its final response. */
  get serverTransaction(): ServerTransaction | undefined {
    return this.#tx;
  }

  get #isUnanswered(): boolean {
    return this.phase.kind === 'proceeding' || this.phase.kind === 'early';
  }

  /** Send a provisional (101-199 creates the early dialog, §12.1.1), with SDP for early media. */
  progress(status = 180, opts: AnswerOptions = {}): boolean {
    if (!this.#isUnanswered || status < 100 || status > 199) return false;
    const res = this.answer(this.invite, status, opts, true, this.#toTag);
    if (status > 100 && this.dialogState === undefined) {
      this.dialogState = this.#createDialog(status);
      this.setPhase({ kind: 'early' }, 'provisional');
    }
    return this.#tx!.respond(res);
  }

  /** Answer the INVITE with 2xx (retransmitted until the ACK, §13.3.1.4). False when it is too late (CANCELed, answered). */
  accept(opts: AnswerOptions & { status?: number } = {}): boolean {
    if (!this.#isUnanswered) return false;
    const res = this.answer(this.invite, opts.status ?? 200, opts, true, this.#toTag);
    const tx = this.#tx!;
    if (!tx.respond(res)) return false;
    this.#answered();
    if (this.dialogState === undefined) this.dialogState = this.#createDialog(200);
    else this.applyDialog(stepDialog(this.dialogState, { type: 'answered', status: 200 }));
    this.setPhase({ kind: 'accepted' }, '2xx');
    this.start2xx(res, tx, this.invite.cseq.seq);
    return true;
  }

  /** Answer the INVITE with a final non-2xx; the session ends (cause rejected). */
  reject(status = 486, opts: AnswerOptions = {}): boolean {
    if (!this.#isUnanswered || status < 300) return false;
    const sent = this.#tx!.respond(this.answer(this.invite, status, opts, false, this.#toTag));
    this.terminate({ kind: 'rejected', status });
    return sent;
  }

  /** @internal The transaction layer answered a CANCEL of our INVITE, and the INVITE with 487 (§9.2). */
  cancelled(): void {
    this.terminate({ kind: 'cancelled' });
  }

  protected override endUnanswered(): void {
    this.reject(480);
  }

  /** The INVITE's source: requests go there when the next hop is not an IP literal. */
  protected override fallbackDestination(): Destination {
    return { protocol: this.#source.protocol, host: this.#source.address, port: this.#source.port };
  }

  /** Over TCP/TLS without a route set, requests go back on the connection the INVITE came on. */
  protected override destination(d: DialogState | undefined = this.dialogState): Destination {
    if (this.#source.protocol !== 'udp' && (d === undefined || d.dialog.routeSet.length === 0)) return this.fallbackDestination();
    return super.destination(d);
  }

  protected override settle(): void {
    super.settle(this.#toTag);
  }

  protected override terminate(cause: TerminationCause): void {
    // §15.1.2: a BYE on the early dialog ends the INVITE too: 487 for it.
    if (this.#isUnanswered && cause.kind === 'remoteBye') this.#tx?.respond(makeResponse(this.invite, 487, undefined, { toTag: this.#toTag }));
    this.#answered();
    super.terminate(cause);
  }

  /** The INVITE has its final response (or the session ended): a CANCEL can no longer match it (§9.2). */
  #answered(): void {
    const tx = this.#tx;
    if (tx === undefined) return;
    this.#tx = undefined;
    this.host.settled(this, tx);
  }

  #createDialog(status: number): DialogState {
    const d = createUasDialog(this.invite, this.#toTag, this.contact(), status);
    this.host.index(d.dialog.id, this);
    return d;
  }
}
