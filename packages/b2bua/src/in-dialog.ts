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

/** The other leg, as far as relaying needs it (a sip-core Session). */
export interface RelayPeer {
  readonly state: { readonly kind: string };
  request(method: string, opts?: RequestOptions): Promise<RequestOutcome>;
}

/**
 * Relay `r` to `to` and answer `r` with what came back. Without a peer (a leg
 * that is not the one the caller talks to) the request gets 500; with a peer
 * whose dialog has ended, 481. `onSuccess` sees each 2xx (offer/answer tracking).
 */
export function relayInDialog(to: RelayPeer | undefined, r: IncomingDialogRequest, policy: HeaderPolicy, onSuccess: (res: SipResponse) => void): void {
  if (to === undefined) return r.respond(500);
  if (to.state.kind === 'terminated') return r.respond(481);
  void to.request(r.request.method, relayRequestOptions(r.request, policy)).then((o) => {
    switch (o.kind) {
      case 'response':
        if (o.response.status >= 200 && o.response.status < 300) onSuccess(o.response);
        return r.respond(o.response.status, relayAnswerOptions(o.response, policy));
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
