/**
 * The vocabulary of sessions: what the application sends (AnswerOptions,
 * RequestOptions), what it hears (SessionEvent), what a request it sent came
 * to (RequestOutcome), and what a Session needs from its user agent (SessionHost).
 */
import type { Endpoint } from '../endpoint.js';
import type { SipError } from '../errors.js';
import type { HeaderInit } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { ServerTransaction } from '../transaction/layer.js';
import type { TimerConfig, TransactionLogger } from '../transaction/types.js';
import type { TransportProtocol } from '../transport/transport.js';
import type { TerminationCause } from './dialog.js';
import type { DialogId } from './dialog-id.js';
import type { Session } from './session.js';

/** What the session needs from its user agent. */
export interface SessionHost {
  readonly endpoint: Endpoint;
  readonly timers: TimerConfig;
  readonly random: () => number;
  readonly logger: TransactionLogger | undefined;
  contactFor(protocol: TransportProtocol): string;
  /** Allow and Supported lines for INVITE requests and their 2xx. */
  readonly capabilityHeaders: ReadonlyArray<readonly [string, string]>;
  /** Route in-dialog messages with this id to the session. */
  index(id: DialogId, session: Session): void;
  unindex(id: DialogId): void;
  /** The initial INVITE of a UAS session has its final response (or the session ended): CANCEL no longer finds it. */
  settled(session: Session, inviteTx: ServerTransaction): void;
  /** The session has terminated: forget it after a while. */
  ended(session: Session): void;
}

/** The session's phase; `kind` follows the RFC's names for the INVITE's progress. */
export type SessionState =
  | { readonly kind: 'calling' }
  | { readonly kind: 'proceeding' }
  | { readonly kind: 'early' }
  /** UAS: 2xx sent, waiting for the ACK. */
  | { readonly kind: 'accepted' }
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'terminated'; readonly cause: TerminationCause };

/** Body and headers of a response the application sends. */
export interface AnswerOptions {
  readonly reason?: string;
  readonly headers?: HeaderInit;
  readonly body?: Uint8Array | string;
  /** Content-Type of the body (default application/sdp). */
  readonly contentType?: string;
}

/** Body and headers of a request (or ACK) the application sends in the dialog. */
export interface RequestOptions {
  readonly headers?: HeaderInit;
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
}

/** An in-dialog request (re-INVITE, UPDATE, INFO, ...) for the application to answer with respond(). */
export interface IncomingDialogRequest {
  readonly request: SipRequest;
  /** Answer it (once; later calls are ignored). A 2xx to a re-INVITE is retransmitted until its ACK. */
  respond(status: number, opts?: AnswerOptions): void;
}

/** How a request sent in the dialog ended. */
export type RequestOutcome =
  | { readonly kind: 'response'; readonly response: SipResponse }
  /** No final response: Timer B/F (treated as 408: the dialog has ended). */
  | { readonly kind: 'timeout' }
  /** §8.1.3.1: could not be sent (treated as 503; the dialog goes on). */
  | { readonly kind: 'transportError'; readonly error: SipError }
  /** Not sent: no dialog, dialog ended, or an offer/answer exchange is already in progress (§14.1). */
  | { readonly kind: 'notSent'; readonly reason: 'noDialog' | 'terminated' | 'pending' };

/** Typed events of a session for the application. */
export type SessionEvent =
  /** UAC: a provisional response to the INVITE. */
  | { readonly type: 'provisional'; readonly response: SipResponse }
  /** UAC: a 1xx with a new To tag created an early dialog (§12.1.2). */
  | { readonly type: 'early'; readonly response: SipResponse }
  /**
   * UAC: the 2xx. The ACK is sent already unless the INVITE had no body
   * (delayed offer): then isAckPending is true and the application calls ack({ body: answer }).
   * UAS: the ACK to our 2xx arrived (see also 'ack').
   */
  | { readonly type: 'confirmed'; readonly response?: SipResponse; readonly isAckPending: boolean }
  /** UAS: an ACK to a 2xx of ours (initial or re-INVITE); its body is the answer to an offer in our 2xx. */
  | { readonly type: 'ack'; readonly ack: SipRequest }
  /** An in-dialog request to answer (re-INVITE, UPDATE, INFO, ...). */
  | { readonly type: 'request'; readonly request: IncomingDialogRequest }
  /** The peer sent BYE (already answered with 200). */
  | { readonly type: 'bye'; readonly bye: SipRequest }
  | { readonly type: 'terminated'; readonly cause: TerminationCause };

export type SessionListener = (event: SessionEvent) => void;
