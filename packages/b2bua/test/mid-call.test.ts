/**
 * Mid-call behaviour of a Call over LoopbackNetwork on a ManualClock:
 * - re-INVITE (hold) from the caller is relayed to the callee with the callee leg's own CSeq; the callee's answer comes back
 * - re-INVITE from the callee reaches the caller; UPDATE and INFO are relayed both ways with their bodies
 * - a re-INVITE without SDP (offer in the 2xx) is relayed and the caller's answer reaches the callee in the ACK
 * - glare: caller and callee re-INVITE at once: the callee gets 491 while the caller's offer is in progress, the
 *   caller's re-INVITE completes (after the dialog layer's own §14.1 retry on the callee leg), the call stays up
 * - a failing callee leg (an INFO answered 481 ends it) ends the call: the caller gets BYE with a Reason header (RFC 3326)
 * - retarget: the answered call moves from B to C with the caller's SDP; the caller is re-INVITEd with C's SDP; B gets BYE
 * - retarget with a delayed offer: C offers in its 2xx, the caller answers in its 2xx, and that answer reaches C in the ACK
 * - retarget to a busy target: the call goes on with B
 * - retarget before the answer is a programmer error (B2BUA_ERR_INVALID_STATE)
 */
import t from 'tap';
import type { RequestOutcome } from '@ima/sip-core';
import { B2buaError, type Call } from '../src/index.js';
import { SDP_A, SDP_B, SDP_C, callee, rig, trace, uriOf } from './fixtures/harness.js';

const HOLD = SDP_A.replace('m=audio 4000 RTP/AVP 0\r\n', 'm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n');
const status = (o: RequestOutcome) => (o.kind === 'response' ? o.response.status : o.kind);
const cseq = (text: string | undefined) => /CSeq: (\d+ \w+)/.exec(text ?? '')?.[1];

async function answered(protocol: 'udp' | 'tcp' = 'udp') {
  let call: Call | undefined;
  const r = rig({ route: (_inv, c) => ((call = c), { targets: [{ uri: uriOf('B') }] }) }, { protocol });
  const bs = callee(r.callees.B, r.clock, { answerMs: 100 });
  const cs = callee(r.callees.C, r.clock, { answerMs: 100, sdp: SDP_C });
  const a = r.call();
  // The caller answers re-INVITEs like a phone: 200 with its SDP.
  a.on((e) => {
    if (e.type === 'request') e.request.respond(200, e.request.request.method === 'INFO' ? {} : { body: SDP_A });
  });
  await r.run(1000);
  return { r, a, b: bs[0]!, cs, call: call! };
}

t.test('re-INVITE (hold) from the caller reaches the callee with its own CSeq; the answer comes back', async (t) => {
  const { r, a, b } = await answered();
  const bt = trace(b);
  const o = r.run(1000);
  const res = await Promise.all([a.request('INVITE', { body: HOLD }), o]);
  t.equal(status(res[0]), 200);
  t.same(bt, ['request INVITE', 'ack']);
  const relayed = r.wire().filter((w) => w.dir === 'X>B' && w.line === 'INVITE');
  t.equal(relayed.length, 2);
  t.match(relayed[1]!.text, /a=sendonly/, 'the hold SDP crosses untouched');
  t.equal(cseq(relayed[1]!.text), '2 INVITE', "the callee leg's own CSeq");
  t.match(r.wire().filter((w) => w.dir === 'X>A' && w.line === '200 OK').at(-1)?.text, /o=b 1 1/);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('re-INVITE from the callee, UPDATE and INFO are relayed both ways', async (t) => {
  const { r, a, b } = await answered();
  const at = trace(a);
  const p1 = b.request('INVITE', { body: SDP_B });
  await r.run(500);
  t.equal(status(await p1), 200);
  const p2 = b.request('UPDATE', { body: SDP_B });
  await r.run(500);
  t.equal(status(await p2), 200);
  const p3 = a.request('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
  await r.run(500);
  t.equal(status(await p3), 200);
  t.same(at, ['request INVITE', 'ack', 'request UPDATE']);
  const info = r.wire().find((w) => w.dir === 'X>B' && w.line === 'INFO')?.text;
  t.match(info, /Content-Type: application\/dtmf-relay/);
  t.match(info, /Signal=5/);
  t.same(r.lines('X>A').filter((l) => !/^\d/.test(l)), ['INVITE', 'ACK', 'UPDATE']);
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test("a re-INVITE without SDP: the callee's offer in the 2xx, the caller's answer in the ACK", async (t) => {
  const { r, a, b } = await answered();
  let ackBody = '';
  b.on((e) => {
    if (e.type === 'ack') ackBody = Buffer.from(e.ack.body).toString();
  });
  const p = a.request('INVITE', {});
  await r.run(500);
  const o = await p;
  t.equal(status(o), 200);
  t.match(o.kind === 'response' ? Buffer.from(o.response.body).toString() : '', /o=b 1 1/, "the callee's offer reaches the caller");
  t.ok(a.ack({ body: HOLD }));
  await r.run(500);
  t.equal(ackBody, HOLD, "the caller's answer reaches the callee in the ACK");
  a.bye();
  await r.drain();
  await r.close();
});

t.test("glare: caller and callee re-INVITE at once: 491 to the callee, the caller's re-INVITE completes", async (t) => {
  const { r, a, b } = await answered();
  const pa = a.request('INVITE', { body: HOLD });
  const pb = b.request('INVITE', { body: SDP_B });
  await r.run(10_000);
  t.equal(status(await pa), 200, "the caller's re-INVITE completes");
  t.equal(status(await pb), 491, "the callee's offer met the caller's in progress every time it tried (§14.1)");
  t.ok(r.lines('X>B').includes('491 Request Pending'), 'X answered the crossing re-INVITE with 491');
  t.match(r.wire().filter((w) => w.dir === 'X>B' && w.line === 'INVITE').at(-1)?.text, /a=sendonly/, "the caller's hold reached the callee");
  t.equal(a.state.kind, 'confirmed');
  t.equal(b.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('a failing callee leg (481 to a relayed INFO) ends the call: the caller gets BYE with a Reason', async (t) => {
  const { r, a } = await answered();
  // The callee forgets the dialog: it answers the next request 481 and sends nothing more.
  r.callees.B.close();
  const at = trace(a);
  const p = a.request('INFO', { body: 'x', contentType: 'text/plain' });
  await r.run(2000);
  t.equal(status(await p), 487, 'the pending INFO ends with the dialog (§15.1.2)');
  t.same(at, ['bye', 'terminated remoteBye']);
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === 'BYE')?.text, /Reason: SIP;cause=481;text="Call\/Transaction Does Not Exist"/);
  t.same(r.events.at(-1), 'ended failed 481 [1:ended 200]');
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test("retarget: the answered call moves to C with the caller's SDP; the caller is re-INVITEd with C's SDP; B gets BYE", async (t) => {
  const { r, a, b, cs, call } = await answered();
  const at = trace(a);
  const bt = trace(b);
  const p = call.retarget({ uri: uriOf('C') });
  await r.run(1000);
  t.same(await p, { ok: true, leg: 2 });
  t.match(r.wire().find((w) => w.dir === 'X>C' && w.line === 'INVITE')?.text, /o=a 1 1/, "C gets the caller's current SDP");
  t.match(r.wire().filter((w) => w.dir === 'X>A' && w.line === 'INVITE').at(-1)?.text, /o=c 1 1/, "the caller is re-INVITEd with C's SDP");
  t.same(at, ['request INVITE', 'ack']);
  t.same(bt, ['bye', 'terminated remoteBye']);
  t.match(r.wire().find((w) => w.dir === 'X>B' && w.line === 'BYE')?.text, /Reason: SIP;cause=200;text="Call retargeted"/);
  t.equal(a.state.kind, 'confirmed', 'the caller stays on the line');
  t.equal(call.answeredLeg?.id, 2);
  t.same(r.events.filter((e) => e.startsWith('retargeted')), ['retargeted 1->2']);
  // The new callee's BYE now ends the call.
  cs[0]!.bye();
  await r.run(1000);
  t.equal(a.state.kind, 'terminated');
  t.same(r.events.at(-1), 'ended calleeBye [1:ended 200, 2:ended 200]');
  await r.drain();
  t.same(r.b2bua.stats, { ...r.b2bua.stats, calls: 0, sessions: 0, dialogs: 0, timers: 0, transactions: 0 });
  await r.close();
});

t.test("retarget with a delayed offer: C offers in its 2xx, the caller's answer reaches C in the ACK", async (t) => {
  const { r, a, cs, call } = await answered();
  let ackBody = '';
  r.callees.C.onInvite((s) => {
    cs.push(s);
    s.on((e) => {
      if (e.type === 'ack') ackBody = Buffer.from(e.ack.body).toString();
    });
    s.accept({ body: SDP_C });
  });
  const p = call.retarget({ uri: uriOf('C') }, { offer: 'delayed' });
  await r.run(1000);
  t.same(await p, { ok: true, leg: 2 });
  t.notMatch(r.wire().find((w) => w.dir === 'X>C' && w.line === 'INVITE')?.text, /v=0/, 'C is invited without SDP');
  t.equal(ackBody, SDP_A, "the caller's answer in C's ACK");
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('retarget to a busy target: the call goes on with B', async (t) => {
  const { r, a, b, call } = await answered();
  r.callees.C.onInvite((s) => s.reject(486));
  const p = call.retarget({ uri: uriOf('C') });
  await r.run(1000);
  t.same(await p, { ok: false, status: 486 });
  t.equal(b.state.kind, 'confirmed');
  t.equal(call.answeredLeg?.id, 1);
  a.bye();
  await r.drain();
  t.equal(b.state.kind, 'terminated');
  t.same(r.events.at(-1), 'ended callerBye [1:ended 200, 2:failed 486]');
  await r.close();
});

t.test('retarget before the answer throws B2BUA_ERR_INVALID_STATE', async (t) => {
  let call: Call | undefined;
  const r = rig({ route: (_i, c) => ((call = c), { targets: [{ uri: uriOf('B') }] }) });
  callee(r.callees.B, r.clock);
  const a = r.call();
  await r.run(200);
  let code = '';
  try {
    void call!.retarget({ uri: uriOf('C') });
  } catch (e) {
    if (e instanceof B2buaError) code = e.code;
  }
  t.equal(code, 'B2BUA_ERR_INVALID_STATE');
  a.cancel();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});
