/**
 * Offer/answer (RFC 3264) as a B2BUA relays it: the SDP is never changed, only
 * carried to the other leg in the message that plays the same role there.
 *
 *   early offer:   caller INVITE(offer) -> callee INVITE(offer); callee 2xx(answer) -> caller 2xx(answer)
 *   delayed offer: caller INVITE()      -> callee INVITE();      callee 2xx(offer)  -> caller 2xx(offer);
 *                  caller ACK(answer)   -> callee ACK(answer)
 *
 * The tracker remembers each side's last session description, so that a call
 * can be retargeted: the new leg gets the caller's current SDP as its offer.
 */
import { type SipMessage, ownString } from '@ima/sip-core';

export interface SdpBody {
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export type Side = 'caller' | 'callee';

/** Where the current INVITE exchange is in its offer/answer. */
export type Negotiation =
  | { readonly kind: 'idle' }
  /** An offer is out, from this side, waiting for its answer. */
  | { readonly kind: 'offered'; readonly by: Side }
  /** An INVITE without SDP: the offer will come in the 2xx (RFC 3261 §13.2.1). */
  | { readonly kind: 'awaitingOffer' };

export interface OfferAnswerState {
  readonly negotiation: Negotiation;
  /** Each side's last session description (offer or answer). */
  readonly caller: SdpBody | undefined;
  readonly callee: SdpBody | undefined;
}

export const initialOfferAnswer: OfferAnswerState = { negotiation: { kind: 'idle' }, caller: undefined, callee: undefined };

const SDP = 'application/sdp';

/**
 * The message's session description, if it carries one (a body with application/sdp).
 * Its bytes are the message's own: see ownSdp for one the call keeps.
 */
export function sdpOf(msg: SipMessage): SdpBody | undefined {
  if (msg.body.byteLength === 0) return undefined;
  let type: string | undefined;
  try {
    type = msg.contentType?.mediaType;
  } catch {
    return undefined;
  }
  if (type !== SDP) return undefined;
  const contentType = msg.headers.get('content-type')!;
  // The Content-Type is kept as long as the SDP: the usual one is a constant, not a slice of the message's text.
  return { contentType: contentType === SDP ? SDP : ownString(contentType), bytes: msg.body };
}

/**
 * A session description the call keeps (each side's latest, for a retarget) in bytes of its own:
 * a message's body is a view into the datagram it came in, which it would keep whole.
 */
export function ownSdp(sdp: SdpBody | undefined): SdpBody | undefined {
  return sdp === undefined ? undefined : { contentType: sdp.contentType, bytes: new Uint8Array(sdp.bytes) };
}

/** A session description as the body of a message to send (nothing when there is none). */
export function sdpBody(sdp: SdpBody | undefined): { body?: Uint8Array; contentType?: string } {
  return sdp === undefined ? {} : { body: sdp.bytes, contentType: sdp.contentType };
}

/** The role a body plays, so that the relay can check nothing is lost or duplicated. */
export type SdpRole = 'offer' | 'answer' | 'none';

/**
 * An INVITE (or re-INVITE / UPDATE) from `side`: with SDP it is an offer;
 * without, a re-INVITE asks the other side for an offer in its 2xx.
 */
export function onRequest(s: OfferAnswerState, side: Side, body: SdpBody | undefined): { state: OfferAnswerState; role: SdpRole } {
  if (body === undefined) return { state: { ...s, negotiation: { kind: 'awaitingOffer' } }, role: 'none' };
  return { state: { ...s, [side]: body, negotiation: { kind: 'offered', by: side } }, role: 'offer' };
}

/** A 2xx (or reliable 183) from `side` answering the other side's request. */
export function onSuccess(s: OfferAnswerState, side: Side, body: SdpBody | undefined): { state: OfferAnswerState; role: SdpRole } {
  const n = s.negotiation;
  if (body === undefined) return { state: s, role: 'none' };
  if (n.kind === 'offered' && n.by !== side) return { state: { ...s, [side]: body, negotiation: { kind: 'idle' } }, role: 'answer' };
  if (n.kind === 'awaitingOffer') return { state: { ...s, [side]: body, negotiation: { kind: 'offered', by: side } }, role: 'offer' };
  // A body where none was due (e.g. the same answer repeated in a 2xx after an early 183): keep it as this side's latest.
  return { state: { ...s, [side]: body }, role: 'none' };
}

/** An ACK from `side`: carries the answer when the offer came in the 2xx (delayed offer). */
export function onAck(s: OfferAnswerState, side: Side, body: SdpBody | undefined): { state: OfferAnswerState; role: SdpRole } {
  const n = s.negotiation;
  if (body !== undefined && n.kind === 'offered' && n.by !== side) {
    return { state: { ...s, [side]: body, negotiation: { kind: 'idle' } }, role: 'answer' };
  }
  return { state: s, role: 'none' };
}

/** The offer for a new outbound leg when the call is retargeted: the caller's current description, or none (delayed offer). */
export function retargetOffer(s: OfferAnswerState): SdpBody | undefined {
  return s.caller;
}
