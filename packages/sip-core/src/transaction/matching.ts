/**
 * Which transaction a message belongs to: RFC 3261 §17.1.3 (responses to
 * client transactions), §17.2.3 (requests to server transactions, with the
 * RFC 2543 fallback when the branch lacks the magic cookie), §9.2 (the INVITE a
 * CANCEL cancels) and §8.2.2.2 (merged requests). Keys are plain strings so the
 * layer can index its transactions in Maps. Every function reads only headers
 * that parseMessage has already validated (top Via, From, To, Call-ID, CSeq).
 */
import type { Via } from '../message/header-values.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { MAGIC_COOKIE } from './messages.js';

/**
 * True when a branch was made by an RFC 3261 element: it starts with the magic
 * cookie and has something after it (RFC 4475 §3.2.1: a bare "z9hG4bK" is
 * treated as an RFC 2543 request).
 */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

/** §17.1.3: a client transaction is known by its branch and its CSeq method (a CANCEL has its own). */
export function clientTransactionKey(branch: string, method: string): string {
  return `c ${branch} ${method}`;
}

/** The client transaction key a response belongs to, or undefined when its top Via has no branch. */
export function clientKeyOfResponse(res: SipResponse): string | undefined {
  const branch = res.topVia?.branch;
  return branch === undefined ? undefined : clientTransactionKey(branch, res.cseq.method);
}

const sentBy = (v: Via): string => `${v.host.toLowerCase()}:${v.port ?? ''}`;
/** The parts of a Via that the sender wrote (received/rport are added by the receiver). */
const viaAsSent = (v: Via): string => `${v.transport} ${sentBy(v)} ${v.branch ?? ''}`;

/**
 * §17.2.3: the key of the server transaction a request belongs to. RFC 3261
 * branch: branch + sent-by + method (ACK looks for its INVITE). Otherwise the
 * RFC 2543 rule: Request-URI, To tag, From tag, Call-ID, CSeq and top Via; an ACK
 * carries the To tag of the response, so give `toTag` to look it up (the layer
 * also indexes an INVITE server transaction under the To tag of its final response).
 */
export function serverTransactionKey(req: SipRequest, opts: { method?: string; toTag?: string | undefined } = {}): string {
  const top = req.topVia;
  const method = opts.method ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  if (top !== undefined && isRfc3261Branch(top.branch)) return `s ${top.branch} ${sentBy(top)} ${method}`;
  const toTag = 'toTag' in opts ? opts.toTag : req.to.tag;
  return [
    's2543',
    req.uri.toString(),
    toTag ?? '',
    req.from.tag ?? '',
    req.callId,
    req.cseq.seq,
    method,
    top === undefined ? '' : viaAsSent(top),
  ].join('\n');
}

/**
 * §9.2: the key of the server transaction a CANCEL cancels: the §17.2.3 rules
 * with the method of the cancelled request (INVITE) in place of CANCEL.
 */
export function cancelTargetKey(cancel: SipRequest): string {
  return serverTransactionKey(cancel, { method: 'INVITE' });
}

/**
 * §8.2.2.2: requests without a To tag are checked for merging by From tag,
 * Call-ID and CSeq; undefined for requests that have a To tag (in-dialog) and ACK.
 */
export function mergeKey(req: SipRequest): string | undefined {
  if (req.method === 'ACK' || req.to.tag !== undefined) return undefined;
  return `${req.from.tag ?? ''}\n${req.callId}\n${req.cseq.seq} ${req.cseq.method}`;
}
