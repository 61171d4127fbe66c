/**
 * In-dialog requests end to end (RFC 3261 §12.2, RFC 3311, RFC 6086): a
 * re-INVITE, UPDATE or INFO from one leg goes to the other leg as a new request
 * there (that leg's own CSeq), with the same body and the headers the policy
 * lets cross; its final response comes back the same way.
 *
 *   from leg: request ──▶ other leg: request(method, body) ──▶ outcome
 *   from leg: response ◀── status, reason, body   (timeout 408, transport 503, glare 491, no dialog 481)
 */
import type { IncomingDialogRequest, RequestOptions, RequestOutcome, SipResponse } from '@ima/sip-core';
import { assertNever } from './assert-never.js';
import { relayAnswerOptions, relayRequestOptions } from './call-leg.js';
import type { HeaderPolicy } from './header-policy.js';
import { type SdpBody, sdpBody } from './offer-answer.js';

/** The other leg, as far as relaying needs it (a sip-core Session). */
export interface RelayPeer {
  readonly state: { readonly kind: string };
  request(method: string, opts?: RequestOptions): Promise<RequestOutcome>;
}

/**
 * Relay `r` to `to` and answer `r` with what came back. Without a peer (a leg
 * that is not the one the caller talks to) the request gets 500; with a peer
 * whose dialog has ended, 481. `onSuccess` sees each 2xx (offer/answer tracking)
 * and may return the SDP to answer with (the same, in bytes of its own); `offer`
 * likewise stands for the request's SDP.
 */
export function relayInDialog(
  to: RelayPeer | undefined,
  r: IncomingDialogRequest,
  policy: HeaderPolicy,
  onSuccess: (res: SipResponse) => SdpBody | undefined | void,
  offer?: SdpBody,
): void {
  if (to === undefined) return r.respond(500);
  if (to.state.kind === 'terminated') return r.respond(481);
  void to.request(r.request.method, { ...relayRequestOptions(r.request, policy), ...sdpBody(offer) }).then((o) => {
    switch (o.kind) {
      case 'response': {
        const answer = o.response.status >= 200 && o.response.status < 300 ? onSuccess(o.response) : undefined;
        return r.respond(o.response.status, { ...relayAnswerOptions(o.response, policy), ...sdpBody(answer ?? undefined) });
      }
      case 'timeout':
        return r.respond(408);
      case 'transportError':
        return r.respond(503);
      case 'notSent':
        // §14.1: an offer crossing one in progress on the other leg is glare there: 491 here.
        return r.respond(o.reason === 'pending' ? 491 : 481);
      default:
        return assertNever(o);
    }
  });
}
