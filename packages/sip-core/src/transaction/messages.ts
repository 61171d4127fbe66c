/**
 * Messages the transaction layer builds itself: the ACK for a non-2xx final
 * (RFC 3261 §17.1.1.3), CANCEL (§9.1), responses (§8.2.6), branches and tags.
 */
import { randomBytes } from 'node:crypto';
import { formatNameAddr, withTag } from '../message/header-values.js';
import { Headers } from '../message/headers.js';
import { SipRequest, SipResponse } from '../message/message.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** A fresh branch: the magic cookie and 96 random bits (token characters only). */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(12).toString('base64url');
}

/** A fresh From/To tag (RFC 3261 §19.3: at least 32 bits of randomness). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/**
 * The ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI,
 * Call-ID, From, CSeq number and top Via (so the same branch) as the INVITE,
 * the To of the response, the INVITE's Route set, and no body.
 */
export function buildAckForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new Headers();
  const topVia = invite.headers.get('via');
  if (topVia !== undefined) h.append('Via', topVia);
  h.append('Max-Forwards', '70');
  for (const r of invite.headers.getAll('route')) h.append('Route', r);
  h.append('From', invite.headers.get('from') ?? '');
  h.append('To', res.headers.get('to') ?? '');
  h.append('Call-ID', invite.headers.get('call-id') ?? '');
  h.append('CSeq', `${invite.cseq.seq} ACK`);
  return new SipRequest({ method: 'ACK', uri: invite.uri, headers: h });
}

/**
 * The CANCEL for a request (RFC 3261 §9.1): same Request-URI, Call-ID, To, From,
 * CSeq number and top Via (so the same branch) as the request, CSeq method
 * CANCEL, the request's Route set, no body.
 */
export function buildCancel(req: SipRequest): SipRequest {
  const h = new Headers();
  const topVia = req.headers.get('via');
  if (topVia !== undefined) h.append('Via', topVia);
  h.append('Max-Forwards', '70');
  for (const r of req.headers.getAll('route')) h.append('Route', r);
  h.append('From', req.headers.get('from') ?? '');
  h.append('To', req.headers.get('to') ?? '');
  h.append('Call-ID', req.headers.get('call-id') ?? '');
  h.append('CSeq', `${req.cseq.seq} CANCEL`);
  return new SipRequest({ method: 'CANCEL', uri: req.uri, headers: h });
}

/** Options of makeResponse. */
export interface MakeResponseOptions {
  /** The To tag to add when the request's To has none and status > 100; random when absent. */
  readonly toTag?: string;
  /** Extra header lines appended after the copied ones. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Uint8Array | string;
}

/**
 * A response to a request per RFC 3261 §8.2.6.2: Via (all, in order), From,
 * To (with a tag added when status > 100 and the request had none), Call-ID
 * and CSeq copied from the request. Timestamp handling and Contact are the TU's.
 */
export function makeResponse(req: SipRequest, status: number, reason?: string, opts: MakeResponseOptions = {}): SipResponse {
  const h = new Headers();
  for (const [name, value] of req.headers.entries()) {
    const key = name.toLowerCase();
    if (key === 'via' || key === 'v') h.append('Via', value);
  }
  h.append('From', req.headers.get('from') ?? '');
  const toLine = req.headers.get('to') ?? '';
  // §8.2.6.2: a UAS adds a To tag to every response but 100 when the request had none.
  if (status > 100 && req.to.tag === undefined) h.append('To', formatNameAddr(withTag(req.to, opts.toTag ?? newTag())));
  else h.append('To', toLine);
  h.append('Call-ID', req.headers.get('call-id') ?? '');
  h.append('CSeq', req.headers.get('cseq') ?? '');
  for (const [n, v] of opts.headers ?? []) h.append(n, v);
  return new SipResponse(reason === undefined ? { status, headers: h, body: opts.body } : { status, reason, headers: h, body: opts.body });
}
