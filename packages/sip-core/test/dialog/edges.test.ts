/**
 * DialogUserAgent over LoopbackNetwork on a ManualClock: edges and cleanup.
 * - a lost ACK followed by the caller's re-INVITE: the newer request proves the 2xx arrived; retransmission stops, the re-INVITE is served
 * - a 2xx to a re-INVITE that is never ACKed (delayed offer, the application never answers): BYE at 64*T1 (ackTimeout)
 * - §14.2: a re-INVITE while the peer's previous one is unanswered -> 500 with Retry-After
 * - RFC 3311 §5.2: an UPDATE offer while our offer (in a 2xx of a delayed-offer INVITE) awaits its ACK -> 491
 * - §15.1.2: BYE on the early dialog: 200 for the BYE, 487 for the INVITE
 * - UAC causes: no answer at all (Timer B) -> timeout; connection refused -> transportError
 * - default Max-Forwards replaced by the application's (a B2BUA decrements it)
 * - an in-dialog request that gets no response at all (Timer F) ends the dialog like a 408 (§12.2.1.2)
 * - the callee's BYE on an early dialog at the caller: 200, and the INVITE is CANCELed
 * - a request on the dialog of a fork we released gets 481
 * - bye() while the application still owes the ACK of a delayed offer: ACK first, then BYE
 * - state changes are published on the sip:dialog:state diagnostics channel
 * - nothing leaks: 300 calls through every path (answered, BYE either side, rejected, cancelled, CANCEL crossing 200,
 *   forked, lost ACKs) leave no session, dialog id, transaction or timer
 */
import t from 'tap';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { SipRequest } from '../../src/message/message.js';
import { parseUri } from '../../src/message/uri.js';
import { makeResponse } from '../../src/transaction/messages.js';
import type { RequestOutcome } from '../../src/dialog/session.js';
import type { UasSession } from '../../src/dialog/uas-session.js';
import { A, B, SDP_A, SDP_B, events, rig } from './fixtures/harness.js';

const status = (o: RequestOutcome) => (o.kind === 'response' ? o.response.status : o.kind);

t.test('lost ACK, then a re-INVITE from the caller: the 2xx retransmission stops, the re-INVITE is answered', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { drop: (m) => m.kind === 'request' && m.method === 'ACK' && m.cseq.seq === 1 });
  let b: UasSession | undefined;
  let eb: string[] = [];
  r.uaB!.onInvite((s) => {
    b = s;
    eb = events(s);
    s.on((e) => e.type === 'request' && e.request.respond(200, { body: SDP_B }));
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  await r.run(100);
  t.equal(b?.state.kind, 'accepted', 'still waiting for the ACK');
  const re = a.request('INVITE', { body: SDP_A });
  await r.run(100);
  t.equal(status(await re), 200);
  t.equal(b?.state.kind, 'confirmed');
  t.same(eb, ['confirmed', 'request INVITE', 'ack']);
  await r.run(40_000);
  t.same(r.wire().filter((w) => w.dir === 'B>A' && /CSeq: 1 INVITE/.test(w.text)).map((w) => w.at), [0], 'no 2xx retransmission after the re-INVITE');
  t.equal(a.state.kind, 'confirmed', 'the call is up after 64*T1');
  a.bye();
  await r.drain();
  await r.close();
});

t.test('a 2xx to a delayed-offer re-INVITE never ACKed: BYE at 64*T1 (ackTimeout)', async (t) => {
  const r = rig();
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  a.on((e) => e.type === 'request' && e.request.respond(200, { body: SDP_A }));
  const ea = events(a);
  await r.run(100);
  const t0 = r.clock.now();
  const re = b!.request('INVITE');
  await r.run(100);
  const o = await re;
  t.equal(status(o), 200, 'the offer came in the 2xx; the application does not send ack()');
  await r.run(33_000);
  const byes = r.wire().filter((w) => w.dir === 'A>B' && w.line.startsWith('BYE'));
  t.same(byes.map((w) => w.at - t0), [32_000]);
  t.same(ea.slice(-1), ['terminated ackTimeout']);
  await r.drain();
  await r.close();
});

t.test('§14.2: a re-INVITE while the previous one is unanswered gets 500 with Retry-After', async (t) => {
  const r = rig();
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  await r.run(100);
  b!.on(() => undefined); // a listener that never answers
  const d = a.dialog!.dialog;
  const raw = (seq: number, method: string, body?: string) =>
    new SipRequest({
      method,
      uri: d.remoteTarget,
      headers: [['From', d.localParty], ['To', d.remoteParty], ['Call-ID', d.id.callId], ['CSeq', `${seq} ${method}`], ['Max-Forwards', '70'], ['Contact', d.localTarget], ...(body ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
      ...(body ? { body } : {}),
    });
  const got: string[] = [];
  r.epA.request(raw(10, 'INVITE', SDP_A), r.toB, { onResponse: (res) => res.status >= 200 && got.push(`first ${res.status}`) });
  await r.run(50);
  r.epA.request(raw(11, 'INVITE', SDP_A), r.toB, {
    onResponse: (res) => res.status >= 200 && got.push(`second ${res.status} ${res.headers.has('retry-after') ? 'Retry-After' : ''}`),
  });
  await r.run(50);
  t.same(got, ['second 500 Retry-After']);
  b!.bye();
  await r.run(50);
  t.same(got, ['second 500 Retry-After', 'first 487'], 'the pending re-INVITE gets 487 when the dialog ends');
  await r.drain();
  await r.close();
});

t.test('RFC 3311 §5.2: an UPDATE offer while our offer (in the 2xx of a delayed-offer INVITE) awaits its ACK -> 491', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call({ body: undefined });
  await r.run(50);
  const d = a.dialog!.dialog;
  const update = new SipRequest({
    method: 'UPDATE',
    uri: d.remoteTarget,
    headers: [['From', d.localParty], ['To', d.remoteParty], ['Call-ID', d.id.callId], ['CSeq', '2 UPDATE'], ['Max-Forwards', '70'], ['Contact', d.localTarget], ['Content-Type', 'application/sdp']],
    body: SDP_A,
  });
  const got: number[] = [];
  r.epA.request(update, r.toB, { onResponse: (res) => res.status >= 200 && got.push(res.status) });
  await r.run(50);
  t.same(got, [491]);
  a.ack({ body: SDP_A });
  a.bye();
  await r.drain();
  await r.close();
});

t.test('§15.1.2: BYE on the early dialog: 200 for the BYE, 487 for the INVITE', async (t) => {
  const r = rig();
  let eb: string[] = [];
  r.uaB!.onInvite((s) => {
    eb = events(s);
    s.progress(180);
  });
  const a = r.call();
  const ea = events(a);
  await r.run(50);
  const d = a.dialog!.dialog;
  const bye = new SipRequest({
    method: 'BYE',
    uri: d.remoteTarget,
    headers: [['From', d.localParty], ['To', d.remoteParty], ['Call-ID', d.id.callId], ['CSeq', '2 BYE'], ['Max-Forwards', '70']],
  });
  const got: number[] = [];
  r.epA.request(bye, r.toB, { onResponse: (res) => got.push(res.status) });
  await r.run(50);
  t.same(got, [200]);
  t.same(eb, ['bye', 'terminated remoteBye']);
  t.same(ea, ['early', 'provisional 180', 'terminated rejected 487']);
  await r.drain();
  await r.close();
});

t.test('UAC causes: Timer B -> timeout; a refused connection -> transportError', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { drop: () => true });
  const a = r.call();
  const ea = events(a);
  await r.run(33_000, 100);
  t.same(ea, ['terminated timeout']);
  await r.close();
  const r2 = rig({ protocol: 'tcp' });
  const lost = r2.uaA.invite({ uri: 'sip:x@127.0.0.9', dest: { protocol: 'tcp', host: '127.0.0.9', port: 5060 }, from: '<sip:a@127.0.0.1>', body: SDP_A });
  const e2 = events(lost);
  await r2.run(50);
  t.same(e2, ['terminated transportError']);
  await r2.drain();
  await r2.close();
});

t.test("the application's Max-Forwards replaces the default (a B2BUA decrements it)", async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.reject(486));
  r.call({ body: SDP_A, headers: [['Max-Forwards', '41']] });
  await r.run(50);
  const invite = r.wire().find((w) => w.line.startsWith('INVITE'))!.text;
  t.match(invite, /Max-Forwards: 41\r\n/);
  t.equal(invite.match(/Max-Forwards/g)?.length, 1);
  await r.drain();
  await r.close();
});

t.test('§12.2.1.2: an in-dialog request with no response at all ends the dialog (dialogGone 408)', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call();
  const ea = events(a);
  await r.run(50);
  r.net.setConditions(A, B, { drop: () => true });
  const o = a.request('INFO');
  await r.run(33_000, 100);
  t.same(await o, { kind: 'timeout' });
  t.same(ea.slice(-1), ['terminated dialogGone 408']);
  r.uaB!.close();
  await r.close();
});

t.test("the callee's BYE on an early dialog: 200, and the caller CANCELs its INVITE", async (t) => {
  const r = rig({ rawB: true });
  let invite: SipRequest | undefined;
  r.epB.on('INVITE', (req, tx) => {
    invite = req;
    tx.respond(makeResponse(req, 180, undefined, { toTag: 'e1', headers: [['Contact', '<sip:bob@127.0.0.2:5070>']] }));
  });
  const a = r.call();
  const ea = events(a);
  await r.run(50);
  const bye = new SipRequest({
    method: 'BYE',
    uri: invite!.contact === '*' ? invite!.uri : invite!.contact[0]!.uri,
    headers: [['From', '<sip:bob@127.0.0.2>;tag=e1'], ['To', invite!.headers.get('from')!], ['Call-ID', invite!.callId], ['CSeq', '1 BYE'], ['Max-Forwards', '70']],
  });
  const got: number[] = [];
  r.epB.request(bye, { protocol: 'udp', host: '127.0.0.1', port: 5060 }, { onResponse: (res) => got.push(res.status) });
  await r.run(100);
  t.same(got, [200]);
  t.ok(r.lines('A>B').includes('CANCEL'), 'the INVITE is cancelled');
  t.same(ea, ['early', 'provisional 180', 'bye', 'terminated remoteBye']);
  await r.drain();
  await r.close();
});

t.test('a request on the dialog of a released fork gets 481', async (t) => {
  const r = rig({ rawB: true });
  r.epB.on('INVITE', (req, tx) => {
    for (const tag of ['k1', 'k2']) {
      tx.respond(makeResponse(req, 200, undefined, { toTag: tag, headers: [['Contact', '<sip:bob@127.0.0.2:5070>'], ['Content-Type', 'application/sdp']], body: SDP_B }));
    }
  });
  r.epB.on('BYE', (req, tx) => tx.respond(makeResponse(req, 200)));
  const a = r.call();
  await r.run(50);
  t.equal(a.dialog?.dialog.id.remoteTag, 'k1');
  const info = new SipRequest({
    method: 'INFO',
    uri: parseUri('sip:alice@127.0.0.1:5060'),
    headers: [['From', '<sip:bob@127.0.0.2>;tag=k2'], ['To', a.invite.headers.get('from')!], ['Call-ID', a.callId], ['CSeq', '5 INFO'], ['Max-Forwards', '70']],
  });
  const got: number[] = [];
  r.epB.request(info, { protocol: 'udp', host: '127.0.0.1', port: 5060 }, { onResponse: (res) => got.push(res.status) });
  await r.run(50);
  t.same(got, [481]);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('bye() while the ACK of a delayed offer is still owed: ACK first, then BYE', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call({ body: undefined });
  await r.run(50);
  a.bye();
  await r.run(50);
  t.same(r.lines('A>B'), ['INVITE', 'ACK', 'BYE']);
  await r.drain();
  await r.close();
});

t.test('state changes are published on sip:dialog:state', async (t) => {
  const seen: string[] = [];
  const onMessage = (m: unknown) => {
    const x = m as { role: string; from: string; to: string };
    seen.push(`${x.role} ${x.from}>${x.to}`);
  };
  subscribe('sip:dialog:state', onMessage);
  t.teardown(() => unsubscribe('sip:dialog:state', onMessage));
  const r = rig();
  r.uaB!.onInvite((s) => {
    s.progress(180);
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  await r.run(50);
  a.bye();
  await r.run(50);
  t.same(seen, ['uas proceeding>early', 'uas early>accepted', 'uac calling>early', 'uac early>confirmed', 'uas accepted>confirmed', 'uac confirmed>terminated', 'uas confirmed>terminated']);
  await r.drain();
  await r.close();
});

t.test('nothing leaks: 300 calls through every path leave no session, dialog, transaction or timer', async (t) => {
  const r = rig();
  // Every 7th ACK is lost; the 2xx retransmission and re-ACK must still clean up.
  r.net.setConditions(A, B, { drop: (m, i) => m.kind === 'request' && m.method === 'ACK' && i % 7 === 3 });
  const kinds = ['answered-caller-bye', 'answered-callee-bye', 'rejected', 'cancelled', 'cancel-crosses-200', 'reinvite'] as const;
  let n = 0;
  r.uaB!.onInvite((s) => {
    const kind = kinds[Number(s.invite.headers.get('x-kind'))]!;
    s.on((e) => e.type === 'request' && e.request.respond(200, { body: SDP_B }));
    s.progress(180);
    if (kind === 'rejected') s.reject(486);
    else if (kind === 'cancel-crosses-200') r.clock.setTimeout(() => s.accept({ body: SDP_B }), 40);
    else if (kind !== 'cancelled') s.accept({ body: SDP_B });
    if (kind === 'answered-callee-bye') r.clock.setTimeout(() => s.bye(), 300);
  });
  const ended: string[] = [];
  for (let i = 0; i < 300; i++) {
    const k = i % kinds.length;
    const a = r.call({ body: SDP_A, headers: [['X-Kind', String(k)]] });
    a.on((e) => {
      if (e.type === 'terminated') ended.push(e.cause.kind);
      if (e.type === 'confirmed' && kinds[k] === 'reinvite') void a.request('INVITE', { body: SDP_A }).then(() => a.bye());
      if (e.type === 'confirmed' && kinds[k] === 'answered-caller-bye') r.clock.setTimeout(() => a.bye(), 200);
    });
    if (kinds[k] === 'cancelled') r.clock.setTimeout(() => a.cancel(), 20);
    if (kinds[k] === 'cancel-crosses-200') {
      r.net.setConditions(B, A, { delayMs: 30 });
      r.clock.setTimeout(() => a.cancel(), 45);
    }
    await r.run(200);
    r.net.setConditions(B, A, {});
    n++;
  }
  await r.drain(300_000);
  t.equal(n, 300);
  t.equal(ended.length, 300, 'every call ended');
  const count = (k: string) => ended.filter((x) => x === k).length;
  t.same({ localBye: count('localBye'), remoteBye: count('remoteBye'), rejected: count('rejected'), cancelled: count('cancelled') }, { localBye: 100, remoteBye: 50, rejected: 50, cancelled: 100 });
  t.ok(r.net.log.filter((w) => w.fate === 'dropped').length >= 20, 'ACKs were lost on the way');
  const callIds487 = new Set(r.net.log.filter((w) => w.line.startsWith('SIP/2.0 487')).map((w) => /Call-ID: (\S+)/.exec(w.bytes.toString())?.[1]));
  t.equal(callIds487.size, 50, 'CANCEL: 487 for the ringing calls only, not for those whose 200 crossed it');
  t.equal(new Set(r.net.log.filter((w) => w.line.startsWith('CANCEL')).map((w) => /Call-ID: (\S+)/.exec(w.bytes.toString())?.[1])).size, 100);
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.same(r.uaB!.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.same(r.epA.transactions.size, { client: 0, server: 0 });
  t.same(r.epB.transactions.size, { client: 0, server: 0 });
  t.equal(r.clock.pending, 0, 'no timer left');
  await r.close();
});
