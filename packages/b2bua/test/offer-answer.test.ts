/**
 * Offer/answer relay (RFC 3264, RFC 3261 §13.2.1):
 * - early offer: INVITE offer, 2xx answer
 * - delayed offer: INVITE without SDP, offer in the 2xx, answer in the ACK
 * - re-INVITE from the callee (hold) is an offer from the callee
 * - a body where none is due is kept as that side's latest, with no role
 * - only application/sdp bodies count; a malformed Content-Type is no SDP
 * - retarget offers the caller's current description
 */
import t from 'tap';
import { parseMessage } from '@ima/sip-core';
import { type SdpBody, initialOfferAnswer, onAck, onRequest, onSuccess, retargetOffer, sdpOf } from '../src/offer-answer.js';

const sdp = (tag: string): SdpBody => ({ contentType: 'application/sdp', bytes: Buffer.from(`v=0\r\no=${tag} 1 1 IN IP4 192.0.2.1\r\n`) });

t.test('early offer: the INVITE offers, the 2xx answers', async (t) => {
  let s = initialOfferAnswer;
  const a = onRequest(s, 'caller', sdp('caller'));
  t.equal(a.role, 'offer');
  s = a.state;
  const b = onSuccess(s, 'callee', sdp('callee'));
  t.equal(b.role, 'answer');
  t.equal(b.state.negotiation.kind, 'idle');
  t.equal(onAck(b.state, 'caller', undefined).role, 'none');
  t.equal(Buffer.from(retargetOffer(b.state)!.bytes).toString(), Buffer.from(sdp('caller').bytes).toString());
});

t.test('delayed offer: the 2xx offers, the ACK answers', async (t) => {
  const a = onRequest(initialOfferAnswer, 'caller', undefined);
  t.equal(a.role, 'none');
  t.equal(a.state.negotiation.kind, 'awaitingOffer');
  const b = onSuccess(a.state, 'callee', sdp('callee'));
  t.equal(b.role, 'offer');
  const c = onAck(b.state, 'caller', sdp('caller'));
  t.equal(c.role, 'answer');
  t.ok(c.state.caller && c.state.callee);
  t.equal(retargetOffer(onRequest(initialOfferAnswer, 'caller', undefined).state), undefined, 'nothing to offer yet: the new leg gets a delayed offer');
});

t.test('a re-INVITE from the callee is an offer from the callee; the caller answers', async (t) => {
  const est = onSuccess(onRequest(initialOfferAnswer, 'caller', sdp('c1')).state, 'callee', sdp('e1')).state;
  const hold = onRequest(est, 'callee', sdp('e2-sendonly'));
  t.equal(hold.role, 'offer');
  const ans = onSuccess(hold.state, 'caller', sdp('c2-recvonly'));
  t.equal(ans.role, 'answer');
  t.equal(Buffer.from(ans.state.caller!.bytes).toString().includes('c2'), true);
});

t.test('a body where none is due has no role but is remembered', async (t) => {
  const est = onSuccess(onRequest(initialOfferAnswer, 'caller', sdp('c1')).state, 'callee', sdp('e1')).state;
  const again = onSuccess(est, 'callee', sdp('e1-again'));
  t.equal(again.role, 'none');
  t.match(Buffer.from(again.state.callee!.bytes).toString(), /e1-again/);
  t.equal(onSuccess(est, 'callee', undefined).state, est);
});

t.test('sdpOf: only application/sdp bodies', async (t) => {
  const msg = (ct: string, body: string) =>
    parseMessage(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n${ct}Content-Length: ${body.length}\r\n\r\n${body}`);
  t.ok(sdpOf(msg('Content-Type: application/SDP\r\n', 'v=0\r\n')));
  t.equal(sdpOf(msg('Content-Type: text/plain\r\n', 'hello')), undefined);
  t.equal(sdpOf(msg('Content-Type: application/sdp\r\n', '')), undefined);
  t.equal(sdpOf(msg('Content-Type: ///\r\n', 'v=0\r\n')), undefined, 'a malformed Content-Type is no SDP');
});
