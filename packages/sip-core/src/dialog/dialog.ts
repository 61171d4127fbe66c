/**
 * One dialog (RFC 3261 §12) as a pure machine: its state (early, confirmed,
 * terminated), the transitions the messages of its INVITE usage cause, the
 * §12.2.2 CSeq rule, target refresh, and building requests inside it (§12.2.1.1).
 *
 *   1xx with To tag (received, UAC) / 1xx sent (UAS)
 *      |                   2xx received (UAC) / 2xx sent (UAS)
 *      v                  +--------------------------------------+
 *  +-------+  2xx         |                                      v
 *  | early |------------->+                               +-----------+
 *  +-------+                                              | confirmed |
 *      | non-2xx final to the INVITE, CANCEL,             +-----------+
 *      | BYE                          BYE sent/received,        |
 *      v                              481/408 to a request,     |
 *  +------------+ <------------------ no ACK (64*T1) ------------+
 *  | terminated |   (an in-dialog request now gets 481)
 *  +------------+
 */
import { formatNameAddr, ownNameAddr, withTag } from '../message/header-values.js';
import type { HeaderInit } from '../message/headers.js';
import { Headers } from '../message/headers.js';
import { SipRequest, type SipResponse } from '../message/message.js';
import { ownString } from '../message/own-string.js';
import { type Uri, ownUri } from '../message/uri.js';
import { assertNever } from '../transaction/types.js';
import type { DialogId } from './dialog-id.js';
import { withDefaults } from './headers.js';
import { type RouteSet, requestTarget, routeSetForUac, routeSetForUas } from './route-set.js';

/** Which side of the dialog we are: we sent the INVITE (uac) or answered it (uas). */
export type DialogRole = 'uac' | 'uas';

/** Why a dialog (and its session) ended. */
export type TerminationCause =
  /** We sent BYE (§15.1.1). */
  | { readonly kind: 'localBye' }
  /** The peer sent BYE (§15.1.2). */
  | { readonly kind: 'remoteBye' }
  /** The INVITE got a non-2xx final (sent by us as UAS, received as UAC: then `response` is that final, for its reason, Warning, Reason). */
  | { readonly kind: 'rejected'; readonly status: number; readonly response?: SipResponse }
  /** The INVITE was CANCELed (§9), including a 2xx that crossed our CANCEL (ACKed and BYEd). */
  | { readonly kind: 'cancelled' }
  /** The INVITE got no final response (Timer B: treated as 408). */
  | { readonly kind: 'timeout' }
  /** The INVITE could not be sent (§8.1.3.1: treated as 503). */
  | { readonly kind: 'transportError' }
  /** §13.3.1.4: our 2xx was never ACKed within 64*T1; BYE sent. */
  | { readonly kind: 'ackTimeout' }
  /** §12.2.1.2: an in-dialog request got 481 or 408 (or no response). */
  | { readonly kind: 'dialogGone'; readonly status: 408 | 481 }
  /** §13.2.2.4: a further 2xx from another fork: ACKed and BYEd. */
  | { readonly kind: 'forkReleased' }
  /** The user agent was closed. */
  | { readonly kind: 'closed' };

/** The dialog state of §12.1 (the values both sides keep). */
export interface DialogCore {
  readonly id: DialogId;
  readonly role: DialogRole;
  /** Our last CSeq number; undefined until we send a request (a UAS's, §12.1.1). */
  readonly localSeq: number | undefined;
  /** The peer's last CSeq number; undefined until it sends one (a UAC's, §12.1.2). */
  readonly remoteSeq: number | undefined;
  /** Our From (UAC) / To (UAS) header value, with our tag. */
  readonly localParty: string;
  /** The peer's header value, with its tag: the To of our requests. */
  readonly remoteParty: string;
  /** The peer's Contact URI: the Request-URI of our requests (§12.2.1.1). */
  readonly remoteTarget: Uri;
  /** Our Contact header value. */
  readonly localTarget: string;
  readonly routeSet: RouteSet;
}

/** A dialog's state; `kind` is the RFC 3261 §12 state name. */
export type DialogState =
  | { readonly kind: 'early'; readonly dialog: DialogCore }
  | { readonly kind: 'confirmed'; readonly dialog: DialogCore }
  | { readonly kind: 'terminated'; readonly dialog: DialogCore; readonly cause: TerminationCause };

/** What happens to a dialog. */
export type DialogEvent =
  /** An incoming request inside the dialog (not ACK, not CANCEL). */
  | { readonly type: 'request'; readonly req: SipRequest }
  /** A response to a request we sent inside the dialog (or, UAC early, to the INVITE). */
  | { readonly type: 'response'; readonly res: SipResponse; readonly method: string }
  /** A request we sent inside the dialog got no response (Timer F/B: §12.2.1.2 treats it as 408). */
  | { readonly type: 'noResponse'; readonly method: string }
  /** UAS: we sent this final status to the initial INVITE. */
  | { readonly type: 'answered'; readonly status: number }
  | { readonly type: 'terminate'; readonly cause: TerminationCause };

/** What the dialog decided (the runner carries it out). */
export type DialogEffect =
  | { readonly type: 'accept' }
  /** Answer the request with this status and do not pass it on (§12.2.2 out of order: 500; terminated: 481). */
  | { readonly type: 'reject'; readonly status: 481 | 500; readonly reason: string }
  | { readonly type: 'targetRefreshed'; readonly target: Uri }
  | { readonly type: 'confirmed' }
  | { readonly type: 'terminated'; readonly cause: TerminationCause };

export interface DialogStep {
  readonly state: DialogState;
  readonly effects: readonly DialogEffect[];
}

/**
 * The remote target a target refresh request or its 2xx brings (its Contact): a copy that holds
 * nothing of the message, or the current one when it is the same URI written the same way.
 */
function refreshedTarget(d: DialogCore, msg: SipRequest | SipResponse): Uri | undefined {
  const target = firstContact(msg);
  if (target === undefined) return undefined;
  return target.toString() === d.remoteTarget.toString() ? d.remoteTarget : ownUri(target);
}

/** Methods whose requests and 2xx responses replace the remote target (§12.2, RFC 3311 §5.1). */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE']);

function firstContact(msg: SipRequest | SipResponse): Uri | undefined {
  const c = msg.contact;
  return c === '*' ? undefined : c[0]?.uri;
}

/**
 * §12.1.2: the UAC's dialog from a 1xx with a To tag (early) or a 2xx
 * (confirmed) to its INVITE: route set = Record-Route reversed, remote target =
 * Contact, remote sequence number empty.
 */
export function createUacDialog(invite: SipRequest, res: SipResponse, localTarget: string, id: DialogId): DialogState {
  const dialog: DialogCore = {
    id,
    role: 'uac',
    localSeq: invite.cseq.seq,
    remoteSeq: undefined,
    localParty: invite.headers.get('from') ?? '',
    remoteParty: res.headers.get('to') ?? '',
    remoteTarget: firstContact(res) ?? invite.uri,
    localTarget,
    routeSet: routeSetForUac(res),
  };
  return res.status >= 200 ? { kind: 'confirmed', dialog } : { kind: 'early', dialog };
}

/**
 * §12.1.1: the UAS's dialog when it sends a 1xx (early) or 2xx (confirmed)
 * with To tag `localTag`: route set = Record-Route in order, remote target =
 * Contact of the INVITE, remote sequence number = its CSeq, local one empty.
 */
export function createUasDialog(invite: SipRequest, localTag: string, localTarget: string, status: number): DialogState {
  const remoteTag = invite.from.tag ?? '';
  const dialog: DialogCore = {
    id: { callId: invite.callId, localTag, remoteTag },
    role: 'uas',
    localSeq: undefined,
    remoteSeq: invite.cseq.seq,
    localParty: formatNameAddr(withTag(invite.to, localTag)),
    remoteParty: invite.headers.get('from') ?? '',
    remoteTarget: firstContact(invite) ?? invite.uri,
    localTarget,
    routeSet: routeSetForUas(invite),
  };
  return status >= 200 ? { kind: 'confirmed', dialog } : { kind: 'early', dialog };
}

/**
 * The dialog with every value copied out of the messages it was read from:
 * a confirmed call keeps its dialog for its whole length, and a value cut
 * from a message (a tag, the remote target) would keep that message's whole
 * header text alive.
 */
export function ownDialogState(s: DialogState, known: readonly string[] = []): DialogState {
  const d = s.dialog;
  // A value equal to one the session keeps already (its Call-ID, tags, our Contact) is shared, not copied again.
  const own = (v: string): string => known.find((k) => k === v) ?? ownString(v);
  const dialog: DialogCore = {
    ...d,
    id: { callId: own(d.id.callId), localTag: own(d.id.localTag), remoteTag: own(d.id.remoteTag) },
    localParty: own(d.localParty),
    remoteParty: own(d.remoteParty),
    remoteTarget: ownUri(d.remoteTarget),
    localTarget: own(d.localTarget),
    routeSet: d.routeSet.map(ownNameAddr),
  };
  return { ...s, dialog };
}

const terminated = (dialog: DialogCore, cause: TerminationCause): DialogStep => ({
  state: { kind: 'terminated', dialog, cause },
  effects: [{ type: 'terminated', cause }],
});

/** The pure transition of one dialog. */
export function stepDialog(s: DialogState, e: DialogEvent): DialogStep {
  const d = s.dialog;
  if (s.kind === 'terminated') {
    // §12.2.2 / §15.1.2: a request for a dialog that has ended matches no dialog.
    return e.type === 'request' ? { state: s, effects: [{ type: 'reject', status: 481, reason: 'Call/Transaction Does Not Exist' }] } : { state: s, effects: [] };
  }
  switch (e.type) {
    case 'request': {
      const seq = e.req.cseq.seq;
      // §12.2.2: lower than the remote sequence number: out of order -> 500.
      if (d.remoteSeq !== undefined && seq < d.remoteSeq) {
        return { state: s, effects: [{ type: 'reject', status: 500, reason: 'Server Internal Error - CSeq out of order' }] };
      }
      let next: DialogCore = { ...d, remoteSeq: seq };
      const effects: DialogEffect[] = [{ type: 'accept' }];
      const target = TARGET_REFRESH_METHODS.has(e.req.method) ? refreshedTarget(d, e.req) : undefined;
      // §12.2.2: a target refresh request replaces the remote target with its Contact.
      if (target !== undefined) {
        next = { ...next, remoteTarget: target };
        effects.push({ type: 'targetRefreshed', target });
      }
      if (e.req.method === 'BYE') {
        effects.push({ type: 'terminated', cause: { kind: 'remoteBye' } });
        return { state: { kind: 'terminated', dialog: next, cause: { kind: 'remoteBye' } }, effects };
      }
      return { state: { kind: s.kind, dialog: next }, effects };
    }
    case 'response': {
      const status = e.res.status;
      const isInitial = d.role === 'uac' && s.kind === 'early' && e.method === 'INVITE';
      if (isInitial) {
        if (status >= 300) return terminated(d, { kind: 'rejected', status });
        const target = firstContact(e.res) ?? d.remoteTarget;
        if (status < 200) return { state: { kind: 'early', dialog: { ...d, remoteTarget: target } }, effects: [] };
        // §13.2.2.4: 2xx on an early dialog: confirmed, route set recomputed from the 2xx.
        const dialog: DialogCore = { ...d, remoteTarget: target, routeSet: routeSetForUac(e.res), remoteParty: e.res.headers.get('to') ?? d.remoteParty };
        return { state: { kind: 'confirmed', dialog }, effects: [{ type: 'confirmed' }] };
      }
      // §12.2.1.2: 481 or 408 to a request inside the dialog ends it.
      if (status === 481 || status === 408) return terminated(d, { kind: 'dialogGone', status });
      if (status >= 200 && status < 300 && TARGET_REFRESH_METHODS.has(e.method)) {
        const target = refreshedTarget(d, e.res);
        // §12.2.1.2: a 2xx to a target refresh request replaces the remote target.
        if (target !== undefined) return { state: { kind: s.kind, dialog: { ...d, remoteTarget: target } }, effects: [{ type: 'targetRefreshed', target }] };
      }
      return { state: s, effects: [] };
    }
    case 'noResponse':
      // §12.2.1.2: no response at all is treated like a 408.
      return terminated(d, { kind: 'dialogGone', status: 408 });
    case 'answered':
      if (e.status >= 300) return terminated(d, { kind: 'rejected', status: e.status });
      if (e.status >= 200 && s.kind === 'early') return { state: { kind: 'confirmed', dialog: d }, effects: [{ type: 'confirmed' }] };
      return { state: s, effects: [] };
    case 'terminate':
      return terminated(d, e.cause);
    default:
      return assertNever(e);
  }
}

/** What an in-dialog request carries besides what the dialog dictates. */
export interface DialogRequestOptions {
  readonly headers?: HeaderInit;
  readonly body?: Uint8Array | string;
  /** Content-Type of the body (default application/sdp when there is a body). */
  readonly contentType?: string;
}

/**
 * §12.2.1.1: a request inside the dialog. To = remote party, From = local
 * party, Call-ID, CSeq = local sequence number + 1 (or 1 when empty), the
 * Request-URI and Route from the route set and remote target, Contact for
 * target refresh methods. Returns the dialog with its new local sequence number.
 */
export function createRequest(s: DialogState, method: string, opts: DialogRequestOptions = {}): { state: DialogState; request: SipRequest } {
  const d = s.dialog;
  const seq = (d.localSeq ?? 0) + 1;
  const request = buildRequest(d, method, seq, opts);
  const dialog: DialogCore = { ...d, localSeq: seq };
  return { state: s.kind === 'terminated' ? { ...s, dialog } : { kind: s.kind, dialog }, request };
}

/** §13.2.2.4: the ACK for a 2xx to the INVITE with CSeq number `inviteSeq`, built like any in-dialog request. */
export function createAck(s: DialogState, inviteSeq: number, opts: DialogRequestOptions = {}): SipRequest {
  return buildRequest(s.dialog, 'ACK', inviteSeq, opts);
}

function buildRequest(d: DialogCore, method: string, seq: number, opts: DialogRequestOptions): SipRequest {
  const target = requestTarget(d.routeSet, d.remoteTarget);
  const h = new Headers();
  for (const r of target.routes) h.append('Route', r);
  h.append('From', d.localParty);
  h.append('To', d.remoteParty);
  h.append('Call-ID', d.id.callId);
  h.append('CSeq', `${seq} ${method}`);
  // Max-Forwards and Contact are defaults: a Contact of the caller's replaces ours (moving our target).
  const defaults: Array<readonly [string, string]> = [['Max-Forwards', '70']];
  if (TARGET_REFRESH_METHODS.has(method)) defaults.push(['Contact', d.localTarget]);
  for (const [n, v] of withDefaults(defaults, opts.headers ?? [])) h.append(n, v);
  const hasBody = opts.body !== undefined && (typeof opts.body === 'string' ? opts.body.length > 0 : opts.body.byteLength > 0);
  if (hasBody && !h.has('content-type')) h.append('Content-Type', opts.contentType ?? 'application/sdp');
  return new SipRequest({ method, uri: target.uri, headers: h, body: opts.body });
}
