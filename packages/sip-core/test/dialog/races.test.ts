/**
 * DialogUserAgent over LoopbackNetwork on a ManualClock: races, forks, routing.
 * - glare (§14.1/§14.2): crossing re-INVITEs both get 491; the owner of the Call-ID retries after 2.1-4 s, the other after 0-2 s
 * - request(..., { onGlare: 'return' }): the 491 comes back at once (a relay), the other side's retry then succeeds
 * - BYE crossing a re-INVITE: 200 for the BYE, 481 for the re-INVITE; both sides end, nothing left
 * - CANCEL crossing a 200: the caller ACKs then BYEs (cause cancelled); the callee sees ACK then BYE;
 *   with cancel({ crossing2xx: 'keep' }) the crossing 200 answers the call instead
 * - the rejected cause carries the final response (reason phrase, Warning) for a B2BUA to relay
 * - a second 2xx from another fork (different To tag) gets ACK and BYE; its retransmission after Timer M gets the same ACK
 * - §12.2.2 over the wire: an in-dialog request with a lower CSeq gets 500
 * - Record-Route: the UAS keeps the order, the UAC reverses it; ACK and BYE follow the route set (loose routing)
 * - remote target refresh: after a re-INVITE with a new Contact, the next request goes to the new target
 * - session timers (RFC 4028): the endpoints' refresh re-INVITEs/UPDATEs are answered (no listener needed); we never refresh or end the call
 */
import t from 'tap';
import { SipRequest, type SipResponse } from '../../src/message/message.js';
import { parseUri } from '../../src/message/uri.js';
import { makeResponse } from '../../src/transaction/messages.js';
import type { RequestOutcome, Session } from '../../src/dialog/session.js';
import type { UasSession } from '../../src/dialog/uas-session.js';
import { A, B, SDP_A, SDP_B, events, fixedRandom, rig } from './fixtures/harness.js';

const answerAll = (s: Session, body = SDP_B) =>
  s.on((e) => {
    if (e.type === 'request') e.request.respond(200, { body });
  });

async function established(r: ReturnType<typeof rig>) {
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    answerAll(s);
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  answerAll(a, SDP_A);
  await r.run(200);
  return { a, b: b! };
}

const status = (o: RequestOutcome) => (o.kind === 'response' ? o.response.status : o.kind);

t.test('glare: crossing re-INVITEs get 491; the Call-ID owner retries after 2.1-4 s, the other after 0-2 s', async (t) => {
  const r = rig({ randomA: fixedRandom(0.5), randomB: fixedRandom(0.5) });
  r.net.setConditions(A, B, { delayMs: 20 });
  r.net.setConditions(B, A, { delayMs: 20 });
  const { a, b } = await established(r);
  const t0 = r.clock.now();
  const pa = a.request('INVITE', { body: SDP_A });
  const pb = b.request('INVITE', { body: SDP_B });
  await r.run(6000);
  t.equal(status(await pa), 200);
  t.equal(status(await pb), 200);
  const reinvites = (dir: string) => r.wire().filter((w) => w.dir === dir && w.line.startsWith('INVITE') && w.at >= t0).map((w) => w.at - t0);
  // 491 arrives 40 ms after sending; A (the UAC: owns the Call-ID) waits 2100 + 95*10 ms, B waits 100*10 ms.
  t.same(reinvites('A>B'), [0, 40 + 3050]);
  t.same(reinvites('B>A'), [0, 40 + 1000]);
  t.equal(r.wire().filter((w) => w.line.startsWith('SIP/2.0 491')).length, 2, 'one 491 each way');
  t.equal(a.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  await r.close();
});

t.test("onGlare: 'return': the 491 is handed back at once; the other side's retry succeeds", async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { delayMs: 20 });
  r.net.setConditions(B, A, { delayMs: 20 });
  const { a, b } = await established(r);
  const t0 = r.clock.now();
  let aDone = -1;
  const pa = a.request('INVITE', { body: SDP_A, onGlare: 'return' }).then((o) => {
    aDone = r.clock.now() - t0;
    return o;
  });
  const pb = b.request('INVITE', { body: SDP_B });
  await r.run(3000);
  t.equal(status(await pa), 491);
  t.equal(aDone, 40, 'at once, no retry timer');
  t.equal(status(await pb), 200, 'B retried after its 0-2 s and got through');
  t.equal(r.wire().filter((w) => w.dir === 'A>B' && w.line.startsWith('INVITE') && w.at >= t0).length, 1, 'A never re-sent');
  a.bye();
  await r.drain();
  await r.close();
});

t.test('an offer while our own is pending: request() reports notSent/pending (§14.1)', async (t) => {
  const r = rig();
  const { a } = await established(r);
  const p1 = a.request('INVITE', { body: SDP_A });
  t.same(await a.request('UPDATE', { body: SDP_A }), { kind: 'notSent', reason: 'pending' });
  await r.run(50);
  t.equal(status(await p1), 200);
  a.bye();
  t.same(await a.request('INFO'), { kind: 'notSent', reason: 'terminated' });
  await r.drain();
  await r.close();
});

t.test('BYE crossing a re-INVITE: BYE gets 200, the re-INVITE 481; both end cleanly', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { delayMs: 20 });
  r.net.setConditions(B, A, { delayMs: 20 });
  const { a, b } = await established(r);
  const ea = events(a);
  const eb = events(b);
  const re = a.request('INVITE', { body: SDP_A });
  b.bye();
  await r.run(200);
  t.equal(status(await re), 481);
  t.same(ea, ['bye', 'terminated remoteBye']);
  t.same(eb, ['terminated localBye']);
  t.ok(r.wire().some((w) => w.dir === 'A>B' && w.line === 'SIP/2.0 200 OK' && /CSeq: \d+ BYE/.test(w.text)));
  await r.drain();
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.same(r.uaB!.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.equal(r.clock.pending, 0);
  await r.close();
});

t.test('CANCEL crossing a 200: the caller ACKs the 200 and sends BYE; the callee ends by that BYE', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { delayMs: 30 });
  r.net.setConditions(B, A, { delayMs: 30 });
  let eb: string[] = [];
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    eb = events(s);
    s.progress(180);
  });
  const a = r.call();
  const ea = events(a);
  await r.run(100);
  b!.accept({ body: SDP_B });
  t.ok(a.cancel(), 'the CANCEL goes out before the 200 arrives');
  await r.run(300);
  t.same(ea, ['early', 'provisional 180', 'terminated cancelled']);
  t.same(eb, ['ack', 'confirmed', 'bye', 'terminated remoteBye']);
  t.same(r.lines('A>B'), ['INVITE', 'CANCEL', 'ACK', 'BYE']);
  t.notOk(r.lines('B>A').includes('487 Request Terminated'), 'too late for 487');
  await r.drain();
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.same(r.uaB!.size, { sessions: 0, dialogs: 0, lingering: 0 });
  await r.close();
});

t.test("CANCEL crossing a 200 with crossing2xx: 'keep': the 200 answers the call", async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { delayMs: 30 });
  r.net.setConditions(B, A, { delayMs: 30 });
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.progress(180);
  });
  const a = r.call();
  const ea = events(a);
  await r.run(100);
  b!.accept({ body: SDP_B });
  t.ok(a.cancel({ crossing2xx: 'keep' }));
  await r.run(300);
  t.same(ea, ['early', 'provisional 180', 'confirmed']);
  t.equal(b!.state.kind, 'confirmed');
  t.same(r.lines('A>B'), ['INVITE', 'CANCEL', 'ACK']);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('the rejected cause carries the final response: reason phrase and headers to relay', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.reject(486, { reason: 'Busy Right Now', headers: [['Warning', '399 bob "in a meeting"'], ['Reason', 'SIP;cause=486']] }));
  const a = r.call();
  let cause: unknown;
  a.on((e) => e.type === 'terminated' && (cause = e.cause));
  await r.run(50);
  const c = cause as { kind: string; status: number; response?: SipResponse };
  t.equal(c.kind, 'rejected');
  t.equal(c.status, 486);
  t.equal(c.response?.reason, 'Busy Right Now');
  t.equal(c.response?.headers.get('warning'), '399 bob "in a meeting"');
  await r.drain();
  await r.close();
});

t.test('CANCEL while ringing: 487, cause cancelled on both sides', async (t) => {
  const r = rig();
  let eb: string[] = [];
  r.uaB!.onInvite((s) => {
    eb = events(s);
    s.progress(180);
  });
  const a = r.call();
  const ea = events(a);
  await r.run(50);
  a.cancel();
  await r.run(50);
  t.same(ea, ['early', 'provisional 180', 'terminated cancelled']);
  t.same(eb, ['terminated cancelled']);
  await r.drain();
  await r.close();
});

/** A by hand at B: answers INVITE with the given responses, BYE with 200, records ACKs. */
function rawCallee(r: ReturnType<typeof rig>, answer: (req: SipRequest, send: (res: SipResponse) => void) => void) {
  const acks: SipRequest[] = [];
  const byes: SipRequest[] = [];
  const invites: SipRequest[] = [];
  r.epB.on('INVITE', (req, tx) => {
    invites.push(req);
    answer(req, (res) => tx.respond(res));
  });
  r.epB.on('BYE', (req, tx) => {
    byes.push(req);
    tx.respond(makeResponse(req, 200));
  });
  r.epB.on('INFO', (req, tx) => tx.respond(makeResponse(req, 200)));
  r.epB.onAck((ack) => acks.push(ack));
  return { acks, byes, invites };
}

const ok2xx = (req: SipRequest, tag: string, contact = '<sip:bob@127.0.0.2:5070>', extra: Array<[string, string]> = []) =>
  makeResponse(req, 200, undefined, { toTag: tag, headers: [['Contact', contact], ['Content-Type', 'application/sdp'], ...extra], body: SDP_B });

t.test('a second 2xx from another fork (other To tag) gets ACK and BYE; its retransmission after Timer M the same ACK', async (t) => {
  const r = rig({ rawB: true });
  const peer = rawCallee(r, (req, send) => {
    send(makeResponse(req, 180, undefined, { toTag: 'fork1' }));
    send(makeResponse(req, 180, undefined, { toTag: 'fork2' }));
    send(ok2xx(req, 'fork1'));
    send(ok2xx(req, 'fork2'));
  });
  const a = r.call();
  const ea = events(a);
  await r.run(100);
  t.same(ea, ['early', 'provisional 180', 'early', 'provisional 180', 'confirmed']);
  t.equal(a.dialog?.dialog.id.remoteTag, 'fork1', 'the first 2xx wins');
  t.same(peer.acks.map((x) => x.to.tag), ['fork1', 'fork2']);
  t.same(peer.byes.map((x) => x.to.tag), ['fork2'], 'BYE for the other fork only');
  // After Timer M (64*T1) the fork's 2xx is a stray: the same ACK again.
  await r.run(40_000);
  void r.epB.sendStateless(ok2xx(peer.invites[0]!, 'fork2'));
  await r.run(50);
  t.equal(peer.acks.length, 3);
  t.equal(peer.acks[2]!.topVia?.branch, peer.acks[1]!.topVia?.branch, 'the same ACK');
  t.equal(a.state.kind, 'confirmed', 'the call goes on');
  a.bye();
  await r.drain();
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  await r.close();
});

t.test('§12.2.2 over the wire: a request with a lower CSeq than the last one gets 500', async (t) => {
  const r = rig();
  const { a, b } = await established(r);
  void a;
  const codes: number[] = [];
  const info = (seq: number) => {
    const d = b.dialog!.dialog;
    const req = new SipRequest({
      method: 'INFO',
      uri: d.remoteTarget,
      headers: [['From', d.localParty], ['To', d.remoteParty], ['Call-ID', d.id.callId], ['CSeq', `${seq} INFO`], ['Max-Forwards', '70']],
    });
    r.epB.request(req, { protocol: 'udp', host: '127.0.0.1', port: 5060 }, { onResponse: (res) => res.status >= 200 && codes.push(res.status) });
  };
  info(5);
  await r.run(50);
  info(3);
  await r.run(50);
  info(6);
  await r.run(50);
  t.same(codes, [200, 500, 200]);
  await r.drain();
  await r.close();
});

t.test('Record-Route: ACK and BYE follow the route set, reversed at the UAC, in order at the UAS', async (t) => {
  const r = rig();
  const p1 = r.net.createTransport({ host: '127.0.0.3', port: 5080 });
  const p2 = r.net.createTransport({ host: '127.0.0.4', port: 5090 });
  const seen: string[] = [];
  p1.onMessage(({ message }) => message.kind === 'request' && seen.push(`p1 ${message.method} ${message.uri} ${message.headers.getAll('route').join(',')}`));
  p2.onMessage(({ message }) => message.kind === 'request' && seen.push(`p2 ${message.method} ${message.uri} ${message.headers.getAll('route').join(',')}`));
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.accept({ body: SDP_B });
  });
  // As if two proxies (p1 next to A, p2 next to B) had record-routed the INVITE.
  const a = r.call({ body: SDP_A, headers: [['Record-Route', '<sip:127.0.0.4:5090;lr>'], ['Record-Route', '<sip:127.0.0.3:5080;lr>']] });
  await r.run(50);
  t.same(b!.dialog!.dialog.routeSet.map((x) => x.uri.toString()), ['sip:127.0.0.4:5090;lr', 'sip:127.0.0.3:5080;lr']);
  t.same(a.dialog!.dialog.routeSet.map((x) => x.uri.toString()), ['sip:127.0.0.3:5080;lr', 'sip:127.0.0.4:5090;lr']);
  t.same(seen, ['p1 ACK sip:bob@127.0.0.2:5070;transport=udp <sip:127.0.0.3:5080;lr>,<sip:127.0.0.4:5090;lr>']);
  seen.length = 0;
  a.bye();
  await r.run(50);
  t.same(seen, ['p1 BYE sip:bob@127.0.0.2:5070;transport=udp <sip:127.0.0.3:5080;lr>,<sip:127.0.0.4:5090;lr>']);
  await p1.close();
  await p2.close();
  r.uaB!.close();
  await r.close();
});

t.test('remote target refresh: after a re-INVITE with a new Contact the next request goes there', async (t) => {
  const r = rig();
  const moved = r.net.createTransport({ host: '127.0.0.2', port: 5071 });
  const seen: string[] = [];
  moved.onMessage(({ message }) => message.kind === 'request' && seen.push(`${message.method} ${message.uri}`));
  const { a, b } = await established(r);
  const re = b.request('INVITE', { body: SDP_B, headers: [['Contact', '<sip:bob@127.0.0.2:5071>']] });
  await r.run(50);
  t.equal(status(await re), 200);
  t.equal(a.dialog!.dialog.remoteTarget.toString(), 'sip:bob@127.0.0.2:5071');
  void a.request('INFO');
  await r.run(50);
  t.same(seen, ['INFO sip:bob@127.0.0.2:5071']);
  await moved.close();
  r.uaA.close();
  r.uaB!.close();
  await r.close();
});

t.test('session timers (RFC 4028): refreshes from the endpoints are answered; we never refresh nor end the call', async (t) => {
  const r = rig();
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.accept({ body: SDP_B, headers: [['Session-Expires', '90;refresher=uac'], ['Require', 'timer']] });
  });
  const a = r.call({ body: SDP_A, headers: [['Session-Expires', '90'], ['Supported', 'timer']] });
  await r.run(50);
  const results: Array<number | string> = [];
  for (let i = 0; i < 4; i++) {
    await r.run(45_000);
    const o = a.request(i % 2 ? 'UPDATE' : 'INVITE', i % 2 ? { headers: [['Session-Expires', '90;refresher=uac']] } : { body: SDP_A, headers: [['Session-Expires', '90;refresher=uac']] });
    await r.run(50);
    results.push(status(await o));
  }
  t.same(results, [200, 200, 200, 200], 'no listener on B: re-INVITE answered with its last SDP, UPDATE with 200');
  const reinvite200 = r.wire().filter((w) => w.dir === 'B>A' && /CSeq: 2 INVITE/.test(w.text))[0]!.text;
  t.match(reinvite200, /o=b/, 'the refresh re-INVITE got our last SDP');
  t.equal(a.state.kind, 'confirmed');
  t.equal(b!.state.kind, 'confirmed');
  t.equal(r.wire().filter((w) => w.dir === 'B>A' && /^(INVITE|UPDATE|BYE)/.test(w.line)).length, 0, 'B never refreshed nor hung up');
  void parseUri;
  a.bye();
  await r.drain();
  await r.close();
});
