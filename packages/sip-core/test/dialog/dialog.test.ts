/**
 * The pure dialog machine (RFC 3261 §12), its route set and its timers:
 * - UAC dialog from 1xx with To tag (early) / 2xx (confirmed): route set = Record-Route reversed, remote target = Contact
 * - UAS dialog: route set = Record-Route in order, remote seq = INVITE's CSeq, local seq empty (first request uses 1)
 * - §12.2.2 CSeq: lower remote CSeq -> 500, equal or higher accepted and remembered
 * - target refresh: INVITE/UPDATE requests and their 2xx replace the remote target; INFO does not
 * - early -> confirmed on 2xx with the route set recomputed; non-2xx final -> terminated
 * - §12.2.1.2: 481 / 408 / no response to an in-dialog request terminates; a terminated dialog answers 481
 * - §12.2.1.1 request building: loose route (lr) vs strict route, CSeq +1, Contact on target refresh, ACK with the INVITE's CSeq
 * - §13.3.1.4 2xx retransmission machine: T1 doubling to T2, give-up at exactly 64*T1, ACK stops it
 * - §14.1 glare delay ranges
 */
import t from 'tap';
import { parseMessage } from '../../src/message/parse.js';
import type { SipRequest, SipResponse } from '../../src/message/message.js';
import { createAck, createRequest, createUacDialog, createUasDialog, stepDialog, type DialogState } from '../../src/dialog/dialog.js';
import { dialogIdOfRequest, dialogIdOfResponse, dialogKey } from '../../src/dialog/dialog-id.js';
import { destinationOf, requestTarget } from '../../src/dialog/route-set.js';
import { glareRetryDelay, start2xxRetransmit, step2xxRetransmit, type Retransmit2xxState } from '../../src/dialog/timers.js';
import { parseUri } from '../../src/message/uri.js';
import { DEFAULT_TIMERS } from '../../src/transaction/timers.js';

const CRLF = '\r\n';
function req(method: string, extra: string[] = [], first = `${method} sip:bob@127.0.0.2:5070 SIP/2.0`): SipRequest {
  const m = parseMessage(
    [first, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc', 'Max-Forwards: 70', 'From: <sip:alice@a.example>;tag=fa', 'To: <sip:bob@b.example>', 'Call-ID: c1', `CSeq: 1 ${method}`, ...extra, 'Content-Length: 0', '', ''].join(CRLF),
  );
  return m as SipRequest;
}
function inDialog(method: string, seq: number, extra: string[] = []): SipRequest {
  return parseMessage(
    [`${method} sip:bob@127.0.0.2:5070 SIP/2.0`, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx' + seq, 'Max-Forwards: 70', 'From: <sip:alice@a.example>;tag=fa', 'To: <sip:bob@b.example>;tag=tb', 'Call-ID: c1', `CSeq: ${seq} ${method}`, ...extra, 'Content-Length: 0', '', ''].join(CRLF),
  ) as SipRequest;
}
function res(status: number, method: string, extra: string[] = [], seq = 1): SipResponse {
  return parseMessage(
    [`SIP/2.0 ${status} X`, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc', 'From: <sip:alice@a.example>;tag=fa', 'To: <sip:bob@b.example>;tag=tb', 'Call-ID: c1', `CSeq: ${seq} ${method}`, ...extra, 'Content-Length: 0', '', ''].join(CRLF),
  ) as SipResponse;
}

const RR = ['Record-Route: <sip:p1.example;lr>', 'Record-Route: <sip:p2.example;lr>'];
const invite = req('INVITE', ['Contact: <sip:alice@127.0.0.1:5060>', ...RR]);
const uacEarly = () => createUacDialog(invite, res(180, 'INVITE', ['Contact: <sip:bob@127.0.0.2:5070>', ...RR]), '<sip:alice@127.0.0.1:5060>', dialogIdOfResponse(res(180, 'INVITE'))!);
const uasConfirmed = () => createUasDialog(invite, 'tb', '<sip:bob@127.0.0.2:5070>', 200);

t.test('dialog id: UAS local tag = To tag of the request, UAC local tag = From tag of the response', async (t) => {
  t.same(dialogIdOfRequest(inDialog('BYE', 2)), { callId: 'c1', localTag: 'tb', remoteTag: 'fa' });
  t.same(dialogIdOfResponse(res(200, 'INVITE')), { callId: 'c1', localTag: 'fa', remoteTag: 'tb' });
  t.equal(dialogIdOfRequest(req('INVITE')), undefined, 'no To tag: outside any dialog');
  t.not(dialogKey({ callId: 'a', localTag: 'b', remoteTag: 'c' }), dialogKey({ callId: 'a', localTag: 'c', remoteTag: 'b' }));
});

t.test('UAC: a 1xx with To tag creates an early dialog; route set is Record-Route reversed; remote target = Contact', async (t) => {
  const s = uacEarly();
  t.equal(s.kind, 'early');
  t.same(s.dialog.routeSet.map((r) => r.uri.toString()), ['sip:p2.example;lr', 'sip:p1.example;lr']);
  t.equal(s.dialog.remoteTarget.toString(), 'sip:bob@127.0.0.2:5070');
  t.equal(s.dialog.localSeq, 1);
  t.equal(s.dialog.remoteSeq, undefined, 'a UAC remote sequence number starts empty');
  t.equal(createUacDialog(invite, res(200, 'INVITE'), '<sip:a@x>', dialogIdOfResponse(res(200, 'INVITE'))!).kind, 'confirmed', 'a 2xx creates it confirmed');
});

t.test('UAC early -> confirmed on 2xx, route set recomputed from the 2xx (§13.2.2.4); non-2xx final -> terminated', async (t) => {
  const ok = stepDialog(uacEarly(), { type: 'response', res: res(200, 'INVITE', ['Contact: <sip:bob@127.0.0.9:5999>', 'Record-Route: <sip:p3.example;lr>']), method: 'INVITE' });
  t.equal(ok.state.kind, 'confirmed');
  t.same(ok.effects, [{ type: 'confirmed' }]);
  t.same(ok.state.dialog.routeSet.map((r) => r.uri.toString()), ['sip:p3.example;lr']);
  t.equal(ok.state.dialog.remoteTarget.toString(), 'sip:bob@127.0.0.9:5999');
  const no = stepDialog(uacEarly(), { type: 'response', res: res(486, 'INVITE'), method: 'INVITE' });
  t.same(no.state, { kind: 'terminated', dialog: uacEarly().dialog, cause: { kind: 'rejected', status: 486 } });
});

t.test('UAS: route set = Record-Route in order, remote seq = INVITE CSeq, local seq empty; first request uses CSeq 1', async (t) => {
  const s = uasConfirmed();
  t.same(s.dialog.routeSet.map((r) => r.uri.toString()), ['sip:p1.example;lr', 'sip:p2.example;lr']);
  t.equal(s.dialog.remoteSeq, 1);
  t.equal(s.dialog.localSeq, undefined);
  t.equal(s.dialog.remoteTarget.toString(), 'sip:alice@127.0.0.1:5060');
  const { state, request } = createRequest(s, 'BYE');
  t.equal(request.cseq.seq, 1);
  t.equal(state.dialog.localSeq, 1);
  t.equal(request.to.tag, 'fa', 'To = remote party with its tag');
  t.equal(request.from.tag, 'tb', 'From = local party with our tag');
  t.equal(createRequest(state, 'INFO').request.cseq.seq, 2, 'each new request: local seq + 1');
});

t.test('§12.2.2: a request with a CSeq lower than the remote sequence number MUST be rejected with 500', async (t) => {
  let s: DialogState = uasConfirmed();
  const r5 = stepDialog(s, { type: 'request', req: inDialog('INFO', 5) });
  t.same(r5.effects, [{ type: 'accept' }]);
  s = r5.state;
  t.equal(s.dialog.remoteSeq, 5);
  const r3 = stepDialog(s, { type: 'request', req: inDialog('INFO', 3) });
  t.same(r3.effects.map((e) => e.type === 'reject' && e.status), [500]);
  t.equal(r3.state.dialog.remoteSeq, 5, 'an out-of-order request does not move the remote seq');
  t.same(stepDialog(s, { type: 'request', req: inDialog('INFO', 6) }).effects, [{ type: 'accept' }], 'higher: in order');
});

t.test('target refresh: INVITE and UPDATE with Contact MUST replace the remote target; INFO does not', async (t) => {
  const s = uasConfirmed();
  const re = stepDialog(s, { type: 'request', req: inDialog('INVITE', 2, ['Contact: <sip:alice@127.0.0.7:7000>']) });
  t.equal(re.state.dialog.remoteTarget.toString(), 'sip:alice@127.0.0.7:7000');
  t.ok(re.effects.some((e) => e.type === 'targetRefreshed'));
  const up = stepDialog(s, { type: 'request', req: inDialog('UPDATE', 2, ['Contact: <sip:alice@127.0.0.8:8000>']) });
  t.equal(up.state.dialog.remoteTarget.toString(), 'sip:alice@127.0.0.8:8000');
  const info = stepDialog(s, { type: 'request', req: inDialog('INFO', 2, ['Contact: <sip:alice@127.0.0.9:9000>']) });
  t.equal(info.state.dialog.remoteTarget.toString(), 'sip:alice@127.0.0.1:5060');
  const ok = stepDialog(uasConfirmed(), { type: 'response', res: res(200, 'UPDATE', ['Contact: <sip:alice@127.0.0.6:6000>'], 1), method: 'UPDATE' });
  t.equal(ok.state.dialog.remoteTarget.toString(), 'sip:alice@127.0.0.6:6000', 'a 2xx to a target refresh request replaces it too');
});

t.test('§12.2.1.2: 481 or 408 (or no response) to an in-dialog request terminates the dialog; others do not', async (t) => {
  for (const status of [481, 408] as const) {
    const r = stepDialog(uasConfirmed(), { type: 'response', res: res(status, 'INFO'), method: 'INFO' });
    t.same(r.state.kind === 'terminated' && r.state.cause, { kind: 'dialogGone', status });
  }
  t.equal(stepDialog(uasConfirmed(), { type: 'noResponse', method: 'INFO' }).state.kind, 'terminated');
  for (const status of [422, 488, 491, 500]) t.equal(stepDialog(uasConfirmed(), { type: 'response', res: res(status, 'INVITE'), method: 'INVITE' }).state.kind, 'confirmed', `${status} keeps it`);
});

t.test('BYE received terminates (remoteBye); a terminated dialog answers every request with 481', async (t) => {
  const bye = stepDialog(uasConfirmed(), { type: 'request', req: inDialog('BYE', 2) });
  t.equal(bye.state.kind, 'terminated');
  t.same(bye.effects.at(-1), { type: 'terminated', cause: { kind: 'remoteBye' } });
  t.same(stepDialog(bye.state, { type: 'request', req: inDialog('INFO', 3) }).effects.map((e) => e.type === 'reject' && e.status), [481]);
});

t.test('UAS answered: 2xx confirms an early dialog, 3xx-6xx terminates it', async (t) => {
  const early = createUasDialog(invite, 'tb', '<sip:b@x>', 180);
  t.equal(early.kind, 'early');
  t.equal(stepDialog(early, { type: 'answered', status: 200 }).state.kind, 'confirmed');
  t.equal(stepDialog(early, { type: 'answered', status: 603 }).state.kind, 'terminated');
});

t.test('§12.2.1.1: loose route: Request-URI = remote target, Route = route set; strict route: Request-URI = first route', async (t) => {
  const target = parseUri('sip:bob@127.0.0.2:5070');
  const loose = requestTarget(uacEarly().dialog.routeSet, target);
  t.equal(loose.uri.toString(), 'sip:bob@127.0.0.2:5070');
  t.same(loose.routes, ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  t.equal(loose.nextHop.toString(), 'sip:p2.example;lr');
  const strictSet = createUacDialog(invite, res(200, 'INVITE', ['Record-Route: <sip:10.0.0.1:5080>']), '<sip:a@x>', dialogIdOfResponse(res(200, 'INVITE'))!).dialog.routeSet;
  const strict = requestTarget(strictSet, target);
  t.equal(strict.uri.toString(), 'sip:10.0.0.1:5080');
  t.same(strict.routes, ['<sip:bob@127.0.0.2:5070>'], 'the remote target goes last in Route');
  t.same(requestTarget([], target), { uri: target, routes: [], nextHop: target });
  const { request } = createRequest(uacEarly(), 'UPDATE', { body: 'v=0\r\n' });
  t.same(request.headers.getAll('route'), ['<sip:p2.example;lr>', '<sip:p1.example;lr>']);
  t.equal(request.cseq.seq, 2);
  t.equal(request.headers.get('contact'), '<sip:alice@127.0.0.1:5060>', 'Contact on a target refresh request');
  t.equal(request.headers.get('content-type'), 'application/sdp');
  t.equal(createRequest(uacEarly(), 'INFO').request.headers.get('contact'), undefined);
  const ack = createAck(uacEarly(), 1);
  t.equal(ack.cseq.seq, 1, 'the ACK carries the CSeq number of its INVITE');
  t.equal(ack.cseq.method, 'ACK');
});

t.test('destination of a URI: IP host, port default, transport parameter; undefined for names', async (t) => {
  t.same(destinationOf(parseUri('sip:10.0.0.1;transport=tcp'), 'udp'), { protocol: 'tcp', host: '10.0.0.1', port: 5060 });
  t.same(destinationOf(parseUri('sip:[::1]:5070'), 'udp'), { protocol: 'udp', host: '::1', port: 5070 });
  t.same(destinationOf(parseUri('sips:10.0.0.1'), 'udp'), { protocol: 'tls', host: '10.0.0.1', port: 5061 });
  t.equal(destinationOf(parseUri('sip:proxy.example.com'), 'udp'), undefined);
});

t.test('§13.3.1.4: 2xx resent at T1 doubling up to T2; give-up at exactly 64*T1; ACK stops it', async (t) => {
  const cfg = DEFAULT_TIMERS;
  let step = start2xxRetransmit(cfg);
  let s: Retransmit2xxState = step.state;
  let now = 0;
  const resends: number[] = [];
  let gaveUp = -1;
  let wait = (step.effects[0] as { ms: number }).ms;
  for (let i = 0; i < 30 && gaveUp < 0; i++) {
    now += wait;
    step = step2xxRetransmit(s, { type: 'timerFired' }, cfg);
    s = step.state;
    for (const e of step.effects) {
      if (e.type === 'resend') resends.push(now);
      if (e.type === 'startTimer') wait = e.ms;
      if (e.type === 'giveUp') gaveUp = now;
    }
  }
  t.same(resends, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.equal(gaveUp, 32000);
  const acked = step2xxRetransmit(start2xxRetransmit(cfg).state, { type: 'ack' }, cfg);
  t.same(acked, { state: { kind: 'confirmed' }, effects: [{ type: 'cancelTimer' }] });
  t.same(step2xxRetransmit(acked.state, { type: 'timerFired' }, cfg).effects, []);
});

t.test('§14.1: glare retry 2.1-4 s in 10 ms units when we own the Call-ID, 0-2 s otherwise', async (t) => {
  t.equal(glareRetryDelay(true, () => 0), 2100);
  t.equal(glareRetryDelay(true, () => 0.999999), 4000);
  t.equal(glareRetryDelay(false, () => 0), 0);
  t.equal(glareRetryDelay(false, () => 0.999999), 2000);
  for (let i = 0; i < 200; i++) {
    const a = glareRetryDelay(true, Math.random);
    const b = glareRetryDelay(false, Math.random);
    t.ok(a >= 2100 && a <= 4000 && a % 10 === 0 && b >= 0 && b <= 2000 && b % 10 === 0);
  }
});
