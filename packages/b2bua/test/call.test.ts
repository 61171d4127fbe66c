/**
 * Call over LoopbackNetwork on a ManualClock: caller A -> B2BUA X -> callees B, C, V.
 * - basic call: 180 and 200 relayed with the callee's SDP, ACK and BYE end to end; nothing left afterwards
 * - outbound INVITE: a new Call-ID, Max-Forwards one less, P-Asserted-Identity crosses, Authorization does not
 * - Max-Forwards: 0 -> 483 Too Many Hops, no outbound leg
 * - loop: a callee that sends our INVITE straight back to us (its Via on top) gets 482 Loop Detected and the looped
 *   copy never becomes a call; the callee's 482 then reaches the caller; nothing is left
 * - router rejects: the caller gets the status; no leg
 * - caller CANCEL while ringing reaches the callee (487 both ways)
 * - caller CANCEL during a parallel fork reaches every pending leg
 * - callee BYE ends the caller's dialog
 * - sequential: 486 from B, then C answers; the caller never sees the 486
 * - sequential: no-answer timer on B (CANCEL at 5 s), C answers
 * - sequential: B picks up as its no-answer time runs out; its 2xx crosses our CANCEL and still wins, C is CANCELed
 * - parallel: B and C ring, C answers, B is CANCELed; a 2xx from B crossing the CANCEL gets ACK + BYE; one answer reaches the caller
 * - a diverted leg's Diversion comes above the copied ones (RFC 5806)
 * - every target failed: the application is asked and sends the call to voicemail with a Diversion header
 * - every target failed, no hook: the caller gets the best status (486) with a Reason header (RFC 3326)
 * - delayed offer: INVITE without SDP; the callee's offer reaches the caller in the 2xx, the caller's answer the callee in the ACK
 * - 183 with SDP (early media) reaches the caller
 * - re-INVITE (hold) from the caller and from the callee, UPDATE and INFO relayed, each leg its own CSeq
 * - a failing callee leg (BYE answered 481) ends the call: the caller gets BYE with Reason
 * - retarget: the answered call moves from B to C; the caller is re-INVITEd with C's SDP, B gets BYE
 * - retarget with a delayed offer: C offers in its 2xx, the caller's answer goes in C's ACK
 * - hangup with a reason (RFC 3326): an answered call's BYEs carry it; a ringing call's callee gets CANCEL and
 *   the caller the status with the Reason and the extra headers (Retry-After), which BYEs never carry
 */
import t from 'tap';
import { SipRequest } from '@ima/sip-core';
import { SDP_A, SDP_B, SDP_C, callee, rig, trace, uriOf } from './fixtures/harness.js';

const routeTo = (...targets: Array<{ uri: string; noAnswerMs?: number }>) => ({ route: () => ({ targets, mode: 'sequential' as const }) });

t.test('basic call: 180 and 200 relayed with the callee SDP, ACK and BYE end to end; nothing is left', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  const bs = callee(r.callees.B, r.clock, { answerMs: 200 });
  const a = r.call({ headers: [['P-Asserted-Identity', '<sip:+391@pbx>'], ['Authorization', 'Digest username="x"']] });
  const at = trace(a);
  await r.run(1000);
  t.same(at, ['early', 'provisional 180', 'confirmed']);
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=b 1 1/, "the caller gets the callee's SDP");
  const out = r.wire().find((w) => w.dir === 'X>B' && w.line === 'INVITE')!.text;
  t.match(out, /Max-Forwards: 69/, 'Max-Forwards one less');
  t.notMatch(out, /Max-Forwards: 70/, 'and only that one');
  t.match(out, /P-Asserted-Identity: <sip:\+391@pbx>/, 'identity crosses');
  t.notMatch(out, /Authorization/, 'credentials do not cross');
  t.notMatch(out, new RegExp(`Call-ID: ${a.callId}`), 'the outbound leg has its own Call-ID');
  t.match(out, /o=a 1 1/, "the callee gets the caller's SDP");
  a.bye();
  await r.run(1000);
  t.same(bs.map((s) => s.state.kind), ['terminated']);
  t.same(r.lines('A>X'), ['INVITE', 'ACK', 'BYE']);
  t.same(r.lines('X>B'), ['INVITE', 'ACK', 'BYE']);
  t.same(r.events, ['created', 'ringing 1 180', 'answered 1', 'ended callerBye [1:ended 200]']);
  await r.drain();
  t.same(r.sizes(), {
    stats: { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0, total: 0 },
    caller: { sessions: 0, dialogs: 0, lingering: 0 },
    B: { sessions: 0, dialogs: 0, lingering: 0 },
    C: { sessions: 0, dialogs: 0, lingering: 0 },
    V: { sessions: 0, dialogs: 0, lingering: 0 },
    timers: 0,
  });
  await r.close();
});

t.test('Max-Forwards: 0 -> 483 Too Many Hops; no outbound leg', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  const a = r.call({ headers: [['Max-Forwards', '0']] });
  const at = trace(a);
  await r.run(500);
  t.same(at, ['terminated rejected 483']);
  t.same(r.lines('X>B'), []);
  t.same(r.events, ['created', 'ended rejected 483 []']);
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('loop (RFC 3261 §16.3 step 4): our INVITE sent back to us gets 482; the caller gets the callee 482', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  r.callees.B.onInvite((s) => {
    // B is a misconfigured proxy: our INVITE goes straight back to us, B's Via on top of ours.
    const headers: Array<[string, string]> = [['Via', 'SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKloop1']];
    s.invite.headers.forEachLine((name, value) => headers.push([name, value]));
    void r.callees.B.endpoint.transport.sendRequest(new SipRequest({ method: 'INVITE', uri: s.invite.uri, headers }), { protocol: 'udp', host: '127.0.0.10', port: 5060 });
    r.clock.setTimeout(() => s.reject(482), 100);
  });
  const a = r.call();
  const at = trace(a);
  await r.run(1000);
  const looped = r.wire().filter((w) => w.dir === 'X>B' && w.line.startsWith('482'));
  // (resent on Timer G: B, playing the proxy by hand, never ACKs it)
  t.ok(looped.length > 0, 'the looped INVITE got 482 Loop Detected');
  t.match(looped[0]?.text, /branch=z9hG4bKloop1/);
  t.same(r.events, ['created', 'ended rejected 482 [1:failed 482]'], 'the looped copy never became a call');
  t.same(at, ['terminated rejected 482']);
  await r.drain();
  t.same(r.sizes(), { stats: { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0, total: 0 }, caller: { sessions: 0, dialogs: 0, lingering: 0 }, B: { sessions: 0, dialogs: 0, lingering: 0 }, C: { sessions: 0, dialogs: 0, lingering: 0 }, V: { sessions: 0, dialogs: 0, lingering: 0 }, timers: 0 });
  await r.close();
});

t.test('the router rejects: the caller gets its status, no leg is started', async (t) => {
  const r = rig({ route: () => ({ reject: 403, reason: 'Not Allowed' }) });
  const a = r.call();
  const at = trace(a);
  await r.run(500);
  t.same(at, ['terminated rejected 403']);
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('403'))?.line, '403 Not Allowed');
  t.same(r.lines('X>B'), []);
  await r.close();
});

t.test('an async router: the call waits for its decision', async (t) => {
  const r = rig({ route: () => new Promise((res) => setImmediate(() => res({ targets: [{ uri: uriOf('B') }] }))) });
  callee(r.callees.B, r.clock, { answerMs: 100 });
  const a = r.call();
  await r.run(1000);
  t.equal(a.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('caller CANCEL while ringing reaches the callee; 487 on both legs', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  const bs = callee(r.callees.B, r.clock);
  const a = r.call();
  const at = trace(a);
  await r.run(500);
  t.ok(a.cancel());
  await r.run(500);
  t.same(at, ['early', 'provisional 180', 'terminated cancelled']);
  t.same(bs.map((s) => s.state), [{ kind: 'terminated', cause: { kind: 'cancelled' } }]);
  t.same(r.lines('X>B'), ['INVITE', 'CANCEL', 'ACK']);
  t.same(r.lines('B>X'), ['180 Ringing', '200 OK', '487 Request Terminated']);
  t.same(r.events, ['created', 'ringing 1 180', 'ended callerCancel [1:cancelled]']);
  await r.drain();
  t.same(r.b2bua.stats, { ...r.b2bua.stats, calls: 0, sessions: 0, dialogs: 0, timers: 0, transactions: 0 });
  await r.close();
});

t.test('caller CANCEL during a parallel fork reaches every pending leg', async (t) => {
  const r = rig({ route: () => ({ targets: [{ uri: uriOf('B') }, { uri: uriOf('C') }], mode: 'parallel' }) });
  const bs = callee(r.callees.B, r.clock);
  const cs = callee(r.callees.C, r.clock);
  const a = r.call();
  await r.run(500);
  a.cancel();
  await r.run(500);
  t.same([...bs, ...cs].map((s) => s.state.kind), ['terminated', 'terminated']);
  t.same(r.lines('X>B').slice(0, 2), ['INVITE', 'CANCEL']);
  t.same(r.lines('X>C').slice(0, 2), ['INVITE', 'CANCEL']);
  t.same(r.events.at(-1), 'ended callerCancel [1:cancelled, 2:cancelled]');
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test("callee BYE ends the caller's dialog", async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  const bs = callee(r.callees.B, r.clock, { answerMs: 100 });
  const a = r.call();
  const at = trace(a);
  await r.run(1000);
  bs[0]!.bye();
  await r.run(1000);
  t.same(at, ['early', 'provisional 180', 'confirmed', 'bye', 'terminated remoteBye']);
  t.same(r.events.at(-1), 'ended calleeBye [1:ended 200]');
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('sequential: 486 from B, then C answers; the caller never sees the 486', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }, { uri: uriOf('C') }));
  callee(r.callees.B, r.clock, { reject: 486 });
  callee(r.callees.C, r.clock, { answerMs: 300, sdp: SDP_C });
  const a = r.call();
  const at = trace(a);
  await r.run(2000);
  t.same(at, ['early', 'provisional 180', 'provisional 180', 'confirmed'], 'B rang, then C');
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1')), ['200 OK']);
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=c 1 1/);
  t.same(r.events, ['created', 'ringing 1 180', 'ringing 2 180', 'answered 2']);
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:failed 486, 2:ended 200]');
  await r.close();
});

t.test('sequential: no answer from B within 5 s: CANCEL, then C answers', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B'), noAnswerMs: 5000 }, { uri: uriOf('C') }));
  callee(r.callees.B, r.clock);
  callee(r.callees.C, r.clock, { answerMs: 1000 });
  const a = r.call();
  await r.run(4990);
  t.same(r.lines('X>C'), [], 'C not called before the timer');
  await r.run(20);
  t.same(r.lines('X>B').slice(0, 2), ['INVITE', 'CANCEL']);
  t.same(r.lines('X>C'), ['INVITE']);
  t.equal(r.b2bua.stats.timers, 0);
  await r.run(2000);
  t.equal(a.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:cancelled 487, 2:ended 200]');
  t.equal(r.clock.pending, 0);
  await r.close();
});

t.test('sequential: a 2xx crossing the no-answer CANCEL still wins while the caller waits; C is CANCELed', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B'), noAnswerMs: 5000 }, { uri: uriOf('C') }));
  callee(r.callees.B, r.clock, { answerMs: 5000 });
  const cs = callee(r.callees.C, r.clock);
  // B's 200 leaves at 5000 ms, just after our CANCEL, and reaches us 5 ms later.
  r.net.setConditions('127.0.0.2:5070', '127.0.0.10:5060', { delayMs: 5 });
  const a = r.call();
  const at = trace(a);
  await r.run(6000);
  t.same(r.lines('X>B').slice(0, 2), ['INVITE', 'CANCEL'], 'B was CANCELed for no answer');
  t.equal(at.at(-1), 'confirmed', 'the caller is answered');
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=b 1 1/, "with B's SDP");
  t.same(r.lines('X>C').slice(0, 2), ['INVITE', 'CANCEL'], 'C, started meanwhile, is CANCELed');
  t.equal(cs[0]!.state.kind, 'terminated');
  t.same(r.events.filter((e) => e.startsWith('answered')), ['answered 1']);
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:ended 200, 2:cancelled 487]');
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('parallel: C answers first, B is CANCELed; a 2xx from B crossing the CANCEL gets ACK + BYE; one answer to the caller', async (t) => {
  const r = rig({ route: () => ({ targets: [{ uri: uriOf('B') }, { uri: uriOf('C') }], mode: 'parallel' }) });
  // B answers at the very moment the B2BUA's CANCEL is on its way.
  const bs = callee(r.callees.B, r.clock, { answerMs: 300 });
  callee(r.callees.C, r.clock, { answerMs: 300, sdp: SDP_C });
  r.net.setConditions('127.0.0.3:5070', '127.0.0.10:5060', { delayMs: 0 });
  r.net.setConditions('127.0.0.2:5070', '127.0.0.10:5060', { delayMs: 5 });
  const a = r.call();
  const at = trace(a);
  await r.run(2000);
  t.same(at, ['early', 'provisional 180', 'provisional 180', 'confirmed']);
  t.same(r.lines('X>A').filter((l) => l.startsWith('2')), ['200 OK'], 'the caller sees one answer');
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=c 1 1/);
  t.same(r.lines('X>B'), ['INVITE', 'CANCEL', 'ACK', 'BYE'], "B's crossing 2xx is ACKed and BYEd");
  t.equal(bs[0]!.state.kind, 'terminated');
  a.bye();
  await r.drain();
  t.same(r.events.filter((e) => e.startsWith('answered')), ['answered 2']);
  t.same(r.b2bua.stats, { ...r.b2bua.stats, calls: 0, sessions: 0, dialogs: 0, timers: 0, transactions: 0 });
  await r.close();
});

t.test("a diverted leg's own Diversion comes first, above the ones copied from upstream (RFC 5806)", async (t) => {
  const r = rig({ route: () => ({ targets: [{ uri: uriOf('V'), diversion: { number: '1000', host: 'pbx', reason: 'unconditional' } }] }) });
  callee(r.callees.V, r.clock, { answerMs: 100 });
  const a = r.call({ headers: [['Diversion', '<sip:1099@pbx>;reason=user-busy;counter=1']] });
  await r.run(500);
  const text = r.wire().find((w) => w.dir === 'X>V' && w.line === 'INVITE')?.text ?? '';
  const diversions = text.split('\r\n').filter((l) => /^diversion:/i.test(l));
  t.same(diversions, ['Diversion: <sip:1000@pbx>;reason=unconditional;counter=2;privacy=off', 'Diversion: <sip:1099@pbx>;reason=user-busy;counter=1']);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('every target failed: the application is asked; voicemail with a Diversion header answers', async (t) => {
  const asked: number[] = [];
  const r = rig({
    route: () => ({ targets: [{ uri: uriOf('B') }, { uri: uriOf('C') }], mode: 'parallel' }),
    onAllFailed: (failures, suggested) => {
      asked.push(suggested, ...failures.map((f) => f.status));
      return { targets: [{ uri: uriOf('V'), diversion: { number: '1000', host: 'pbx', reason: 'no-answer' } }] };
    },
  });
  callee(r.callees.B, r.clock, { reject: 486 });
  callee(r.callees.C, r.clock, { reject: 480, ringMs: 200 });
  callee(r.callees.V, r.clock, { answerMs: 100 });
  const a = r.call();
  await r.run(2000);
  t.same(asked, [486, 486, 480], 'asked once, with the failures and the best status');
  t.equal(a.state.kind, 'confirmed');
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1')), ['200 OK'], 'no final failure reached the caller');
  t.match(r.wire().find((w) => w.dir === 'X>V' && w.line === 'INVITE')?.text, /Diversion: <sip:1000@pbx>;reason=no-answer;counter=1;privacy=off/);
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:failed 486, 2:failed 480, 3:ended 200]');
  await r.close();
});

t.test('every target failed, no hook: the caller gets the best status (486) with a Reason header', async (t) => {
  const r = rig({ route: () => ({ targets: [{ uri: uriOf('B') }, { uri: uriOf('C') }], mode: 'parallel' }) });
  callee(r.callees.B, r.clock, { reject: 486 });
  callee(r.callees.C, r.clock, { reject: 404 });
  const a = r.call();
  const at = trace(a);
  await r.run(2000);
  t.same(at.at(-1), 'terminated rejected 486');
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('486'))?.text, /Reason: SIP;cause=486;text="Busy Here"/);
  t.equal(r.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('486'))?.line, '486 Busy Here', "the callee's own reason phrase");
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test("delayed offer: the callee's offer reaches the caller in the 2xx, the caller's answer reaches the callee in the ACK", async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  const bs = callee(r.callees.B, r.clock, { answerMs: 100 });
  let ackBody = '';
  r.callees.B.onInvite((s) => {
    bs.push(s);
    s.on((e) => {
      if (e.type === 'ack') ackBody = Buffer.from(e.ack.body).toString();
    });
    s.accept({ body: SDP_B });
  });
  const a = r.call({ body: undefined });
  a.on((e) => {
    if (e.type === 'confirmed' && e.isAckPending) a.ack({ body: SDP_A });
  });
  await r.run(1000);
  t.notMatch(r.wire().find((w) => w.dir === 'X>B' && w.line === 'INVITE')?.text, /v=0/, 'the outbound INVITE has no SDP either');
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=b 1 1/, "the callee's offer in the caller's 2xx");
  t.equal(ackBody, SDP_A, "the caller's answer in the callee's ACK");
  t.equal(bs.at(-1)!.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});

t.test('183 with SDP (early media) reaches the caller with the SDP', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  callee(r.callees.B, r.clock, { early183: SDP_B, answerMs: 1000 });
  const a = r.call();
  const at = trace(a);
  await r.run(500);
  t.same(at, ['early', 'provisional 183']);
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('183'))?.text, /o=b 1 1/);
  await r.run(1000);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('hangup with a reason: BYEs carry it; a ringing call gets CANCEL and the status with Reason and Retry-After', async (t) => {
  const r = rig(routeTo({ uri: uriOf('B') }));
  callee(r.callees.B, r.clock, { answerMs: 200 });
  const a = r.call();
  await r.run(1000);
  [...r.b2bua.calls.values()][0]!.hangup(503, { reason: 'IMA is shutting down', headers: [['Retry-After', '30']] });
  await r.run(1000);
  const text = (dir: string, line: string) => r.wire().find((w) => w.dir === dir && w.line === line)?.text;
  for (const dir of ['X>A', 'X>B']) {
    t.match(text(dir, 'BYE'), /\r\nReason: SIP;cause=503;text="IMA is shutting down"\r\n/, `${dir}: the BYE says why`);
    t.notMatch(text(dir, 'BYE'), /Retry-After/, `${dir}: the extra headers are for the final response only`);
  }
  t.equal(a.state.kind, 'terminated');

  const r2 = rig(routeTo({ uri: uriOf('B') }));
  callee(r2.callees.B, r2.clock, {});
  const ringing = r2.call();
  await r2.run(1000);
  [...r2.b2bua.calls.values()][0]!.hangup(503, { reason: 'IMA is shutting down', headers: [['Retry-After', '30']] });
  await r2.run(1000);
  t.same(r2.lines('X>B'), ['INVITE', 'CANCEL', 'ACK'], 'the ringing phone gets CANCEL (and its 487 an ACK)');
  const final = r2.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('503'))?.text;
  t.match(final, /\r\nReason: SIP;cause=503;text="IMA is shutting down"\r\n/, 'the caller is told why');
  t.match(final, /\r\nRetry-After: 30\r\n/, 'and when to try again');
  t.equal(ringing.state.kind, 'terminated');

  const r3 = rig(routeTo({ uri: uriOf('B') }));
  callee(r3.callees.B, r3.clock, {});
  r3.call();
  await r3.run(1000);
  [...r3.b2bua.calls.values()][0]!.hangup();
  await r3.run(1000);
  const plain = r3.wire().find((w) => w.dir === 'X>A' && w.line.startsWith('480'))?.text;
  t.ok(plain, 'without arguments: 480');
  t.notMatch(plain, /Reason:/, 'and no Reason');
  for (const rr of [r, r2, r3]) {
    await rr.drain();
    await rr.close();
  }
});
