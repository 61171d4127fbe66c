/**
 * The dialog layer / UA core (RFC 3261 §12-§15) on top of an Endpoint: it
 * takes over the Endpoint's INVITE, BYE, UPDATE, INFO and PRACK handlers and
 * its ACK, stray-response and CANCEL hooks, routes in-dialog messages to their
 * Session by dialog id, and answers 481 to requests that match no dialog.
 *
 *   request with To tag --> dialog known? --no--> 481         (§12.2.2)
 *   INVITE without To tag --> Require: 100rel? --yes--> 420   (RFC 3262 declined)
 *                         --> new Session (uas) --> onInvite handler (none: 480)
 *   ACK --> Session.receiveAck (stops the 2xx retransmission)
 *   2xx with no transaction --> Session (same ACK again; a fork's: ACK + BYE)
 *
 * Terminated sessions linger for 64*T1 so that retransmissions still find
 * their ACK or their 481, then every index entry and timer is gone.
 */
import type { TimerHandle } from '../clock.js';
import type { Endpoint } from '../endpoint.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { ownString } from '../message/own-string.js';
import type { ServerTransaction } from '../transaction/layer.js';
import { makeResponse, newTag } from '../transaction/messages.js';
import type { TransactionLogger } from '../transaction/types.js';
import type { TransportProtocol } from '../transport/transport.js';
import { type DialogId, dialogIdOfRequest, dialogIdOfResponse, dialogKey } from './dialog-id.js';
import type { Session } from './session.js';
import type { SessionHost } from './session-types.js';
import { type InviteOptions, UacSession } from './uac-session.js';
import { UasSession } from './uas-session.js';

export interface DialogUserAgentOptions {
  readonly endpoint: Endpoint;
  /** Our Contact header value, e.g. `<sip:ima@127.0.0.1:5060;transport=udp>`, or one per transport. */
  readonly contact: string | ((protocol: TransportProtocol) => string);
  /** Random numbers in [0, 1) for the §14.1 glare delays and Retry-After (injectable for tests). */
  readonly random?: () => number;
  readonly logger?: TransactionLogger;
}

/** Methods the UA core handles inside dialogs (Allow lists them, PRACK aside: RFC 3262 is declined). */
export const DIALOG_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'UPDATE', 'INFO', 'OPTIONS'] as const;

/** The dialog layer: creates Sessions for incoming INVITEs and for invite(). */
export class DialogUserAgent {
  readonly endpoint: Endpoint;
  readonly #host: SessionHost;
  readonly #byKey = new Map<string, Session>();
  /** UAC sessions by Call-ID and From tag: a 2xx from an unknown fork finds its session here. */
  readonly #byCall = new Map<string, UacSession>();
  readonly #pendingInvites = new Map<ServerTransaction, UasSession>();
  readonly #sessions = new Set<Session>();
  /** The dialog keys of each session, in arrays of exactly their length (most sessions have one). */
  readonly #keysOf = new Map<Session, readonly string[]>();
  readonly #lingering = new Map<Session, TimerHandle>();
  #onInvite: ((session: UasSession) => void) | undefined;

  constructor(opts: DialogUserAgentOptions) {
    const ep = opts.endpoint;
    this.endpoint = ep;
    const contactOf = typeof opts.contact === 'string' ? ((c: string) => () => c)(opts.contact) : opts.contact;
    // Every dialog keeps our Contact: the same string for all of them, not a copy each (an application's
    // function may build a new one per call).
    const contacts = new Map<TransportProtocol, string>();
    const contactFor = (protocol: TransportProtocol): string => {
      const c = contactOf(protocol);
      const known = contacts.get(protocol);
      if (known === c) return known;
      const own = ownString(c);
      contacts.set(protocol, own);
      return own;
    };
    const supported = ep.supported.filter((t) => t !== '100rel');
    this.#host = {
      endpoint: ep,
      timers: ep.transactions.timers,
      random: opts.random ?? Math.random,
      logger: opts.logger,
      contactFor,
      capabilityHeaders: [['Allow', DIALOG_METHODS.join(', ')], ...(supported.length > 0 ? [['Supported', supported.join(', ')] as const] : [])],
      index: (id, session) => this.#index(id, session),
      unindex: (id) => this.#byKey.delete(dialogKey(id)),
      settled: (_session, tx) => this.#pendingInvites.delete(tx),
      ended: (session) => this.#ended(session),
    };
    ep.on('INVITE', (req, tx) => this.#onInviteRequest(req, tx));
    for (const m of ['BYE', 'UPDATE', 'INFO', 'PRACK']) ep.on(m, (req, tx) => this.#inDialog(req, tx));
    ep.onAck((ack) => this.#onAck(ack));
    ep.onStrayResponse((res) => this.#onStray(res));
    ep.onCancel((tx) => this.#pendingInvites.get(tx)?.cancelled());
  }

  /** Incoming INVITEs that create a dialog: answer with session.progress/accept/reject. Without a handler: 480. */
  onInvite(handler: (session: UasSession) => void): this {
    this.#onInvite = handler;
    return this;
  }

  /** Send an INVITE in a new session (UAC). */
  invite(opts: InviteOptions): UacSession {
    const s = new UacSession(this.#host, opts);
    this.#sessions.add(s);
    this.#byCall.set(ownString(`${s.callId}\n${s.localTag}`), s);
    s.start();
    return s;
  }

  /** Sessions not yet forgotten (live or lingering) and dialog ids indexed: both 0 when nothing leaks. */
  get size(): { sessions: number; dialogs: number; lingering: number } {
    return { sessions: this.#sessions.size, dialogs: this.#byKey.size, lingering: this.#lingering.size };
  }

  /** The live session of a dialog id, if any. */
  find(id: DialogId): Session | undefined {
    return this.#byKey.get(dialogKey(id));
  }

  /** End every session without sending anything, forget them, stop every timer. */
  close(): void {
    for (const s of [...this.#sessions]) s.close();
    for (const h of this.#lingering.values()) this.endpoint.clock.clearTimeout(h);
    this.#lingering.clear();
    this.#sessions.clear();
    this.#byKey.clear();
    this.#byCall.clear();
    this.#keysOf.clear();
    this.#pendingInvites.clear();
  }

  #index(id: DialogId, session: Session): void {
    // A key kept for the whole call: a copy, not a rope of strings cut from the messages.
    const key = ownString(dialogKey(id));
    this.#byKey.set(key, session);
    const keys = this.#keysOf.get(session) ?? [];
    if (!keys.includes(key)) this.#keysOf.set(session, keys.concat(key));
  }

  #ended(session: Session): void {
    if (this.#lingering.has(session) || !this.#sessions.has(session)) return;
    // Keep answering retransmissions (2xx -> same ACK, requests -> 481) for 64*T1, then forget.
    const h = this.endpoint.clock.setTimeout(() => this.#forget(session), 64 * this.#host.timers.T1);
    this.#lingering.set(session, h);
  }

  #forget(session: Session): void {
    this.#lingering.delete(session);
    this.#sessions.delete(session);
    for (const k of this.#keysOf.get(session) ?? []) if (this.#byKey.get(k) === session) this.#byKey.delete(k);
    this.#keysOf.delete(session);
    if (session instanceof UacSession) {
      const k = `${session.callId}\n${session.localTag}`;
      if (this.#byCall.get(k) === session) this.#byCall.delete(k);
    }
  }

  #onInviteRequest(req: SipRequest, tx: ServerTransaction): void {
    if (req.to.tag !== undefined) return this.#inDialog(req, tx);
    // RFC 3262 declined: an INVITE that requires 100rel gets 420 (the Endpoint does this too, unless told it supports 100rel).
    if (req.require.includes('100rel')) {
      tx.respond(makeResponse(req, 420, undefined, { headers: [['Unsupported', '100rel']] }));
      return;
    }
    if (req.from.tag === undefined) {
      tx.respond(makeResponse(req, 400, 'Bad Request - From tag required'));
      return;
    }
    const handler = this.#onInvite;
    if (handler === undefined) {
      tx.respond(makeResponse(req, 480));
      return;
    }
    const session = new UasSession(this.#host, req, tx, newTag());
    this.#sessions.add(session);
    this.#pendingInvites.set(tx, session);
    handler(session);
  }

  #inDialog(req: SipRequest, tx: ServerTransaction): void {
    const id = dialogIdOfRequest(req);
    const session = id === undefined ? undefined : this.#byKey.get(dialogKey(id));
    // §12.2.2: a request with a To tag that matches no dialog -> 481 (also BYE/UPDATE/INFO/PRACK without one).
    if (session === undefined) {
      tx.respond(makeResponse(req, 481));
      return;
    }
    session.receiveRequest(req, tx);
  }

  #onAck(ack: SipRequest): void {
    const id = dialogIdOfRequest(ack);
    if (id !== undefined) this.#byKey.get(dialogKey(id))?.receiveAck(ack);
  }

  #onStray(res: SipResponse): void {
    if (res.cseq.method !== 'INVITE' || res.status < 200 || res.status >= 300) return;
    const id = dialogIdOfResponse(res);
    const s = id === undefined ? undefined : this.#byKey.get(dialogKey(id));
    if (s instanceof UacSession) return s.receive2xx(res);
    if (s !== undefined) return s.receiveStray2xx(res);
    this.#byCall.get(`${res.callId}\n${res.from.tag ?? ''}`)?.receive2xx(res);
  }
}
