/**
 * Call.redirect: an unanswered call sent elsewhere, over LoopbackNetwork on a ManualClock
 * (caller A -> B2BUA X -> callees B, C, V):
 * - B rings, the call is redirected to V: B gets CANCEL (487), V an INVITE with the caller's SDP
 *   and a Diversion; the caller keeps ringing, never sees B's 487, and is answered with V's SDP
 * - B's 2xx crosses the CANCEL: B gets ACK + BYE, the caller only ever sees V's answer
 * - refused without sending anything: before the router has decided (routing), once answered
 *   (the first 2xx wins), once ended; an empty target list is a programmer error
 * - the new target fails too: the application is asked with the new failure only, and its
 *   voicemail answers
 * - a sequential decision: its queue is dropped (C is never called) and B's no-answer timer stopped
 * - from an observer of the call's own ringing event: the redirect runs once the event is
 *   handled; a second one in the same handler is a programmer error
 * - the caller CANCELs after the redirect: the new leg is CANCELed, nothing is left
 * - delayed offer: V's INVITE has no SDP, V's offer reaches the caller in the 2xx, the caller's
 *   answer V in the ACK
 */
import t from 'tap';
import { B2buaError, type Call, type CallRouter } from '../src/index.js';
import { SDP_A, SDP_C, callee, rig, trace, uriOf } from './fixtures/harness.js';

const SDP_V = 'v=0\r\no=v 1 1 IN IP4 127.0.0.4\r\ns=-\r\nc=IN IP4 127.0.0.4\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n';
const toB: CallRouter = { route: () => ({ targets: [{ uri: uriOf('B') }] }) };
const voicemail = { uri: uriOf('V'), label: 'voicemail', diversion: { number: '1000', host: 'pbx', reason: 'deflection' as const } };
const only = (r: ReturnType<typeof rig>): Call => [...r.b2bua.calls.values()][0]!;
const clean = { sessions: 0, dialogs: 0, lingering: 0 };

t.test('B rings, the call is redirected to V: B is CANCELed, the caller rings on and V answers', async (t) => {
  const r = rig(toB);
  const bs = callee(r.callees.B, r.clock);
  callee(r.callees.V, r.clock, { answerMs: 300, sdp: SDP_V });
  const a = r.call({ headers: [['P-Asserted-Identity', '<sip:+391@pbx>']] });
  const at = trace(a);
  await r.run(500);
  t.same(only(r).redirect(voicemail), { ok: true, leg: 2 }, 'the first new leg');
  await r.run(1000);
  t.same(r.lines('X>B'), ['INVITE', 'CANCEL', 'ACK'], 'B got CANCEL (and its 487 our ACK)');
  t.same(bs.map((s) => s.state), [{ kind: 'terminated', cause: { kind: 'cancelled' } }]);
  const invite = r.wire().find((w) => w.dir === 'X>V' && w.line === 'INVITE')!.text;
  t.match(invite, /Diversion: <sip:1000@pbx>;reason=deflection;counter=1;privacy=off/, 'V is told who diverted the call');
  t.match(invite, /P-Asserted-Identity: <sip:\+391@pbx>/, "the caller's identity crosses as on any leg");
  t.match(invite, /o=a 1 1/, "V gets the caller's offer");
  t.same(at, ['early', 'provisional 180', 'provisional 180', 'confirmed'], 'the caller heard B ring, then V, then the answer');
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1')), ['200 OK'], "B's 487 never reached the caller");
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=v 1 1/, "with V's SDP");
  t.same(r.events, ['created', 'ringing 1 180', 'redirected 1->2', 'ringing 2 180', 'answered 2']);
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:cancelled 487, 2:ended 200]');
  t.same(r.sizes(), { stats: { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0, total: 0 }, caller: clean, B: clean, C: clean, V: clean, timers: 0 });
  await r.close();
});

t.test("B's 2xx crosses the CANCEL: B gets ACK + BYE, the caller sees V's answer only", async (t) => {
  const r = rig(toB);
  const bs = callee(r.callees.B, r.clock, { answerMs: 500 });
  callee(r.callees.V, r.clock, { answerMs: 300, sdp: SDP_V });
  // B's 200 leaves at 500 ms and reaches us 20 ms later: the redirect's CANCEL goes out meanwhile.
  r.net.setConditions('127.0.0.2:5070', '127.0.0.10:5060', { delayMs: 20 });
  const a = r.call();
  const at = trace(a);
  await r.run(500);
  t.ok(r.wire().some((w) => w.dir === 'B>X' && w.line === '200 OK'), 'B has answered');
  t.same(only(r).redirect(voicemail), { ok: true, leg: 2 });
  await r.run(1000);
  t.same(r.lines('X>B'), ['INVITE', 'CANCEL', 'ACK', 'BYE'], "B's crossing 2xx is ACKed and BYEd");
  t.equal(bs[0]!.state.kind, 'terminated');
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1')), ['200 OK'], 'one answer reaches the caller');
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=v 1 1/, "V's");
  t.equal(at.at(-1), 'confirmed');
  t.same(r.events.filter((e) => e.startsWith('answered')), ['answered 2']);
  a.bye();
  await r.drain();
  t.same(r.b2bua.stats, { ...r.b2bua.stats, calls: 0, sessions: 0, dialogs: 0, timers: 0, transactions: 0 });
  await r.close();
});

t.test('refused before the decision, once answered, once ended; nothing is sent', async (t) => {
  let decide: (() => void) | undefined;
  const r = rig({ route: () => new Promise((resolve) => (decide = () => resolve({ targets: [{ uri: uriOf('B') }] }))) });
  callee(r.callees.B, r.clock, { answerMs: 300 });
  const a = r.call();
  await r.run(100);
  const call = only(r);
  t.same(call.redirect(voicemail), { ok: false, reason: 'routing' }, 'the router has not decided yet');
  t.throws(() => call.redirect([]), new B2buaError('B2BUA_ERR_INVALID_ARGUMENT', 'redirect needs at least one target'));
  decide!();
  await r.run(1000);
  t.equal(a.state.kind, 'confirmed');
  t.same(call.redirect(voicemail), { ok: false, reason: 'answered' }, 'the first 2xx won');
  a.bye();
  await r.run(1000);
  t.same(call.redirect(voicemail), { ok: false, reason: 'ended' });
  t.same(r.lines('X>V'), [], 'V never heard of the call');
  t.same(r.lines('X>B'), ['INVITE', 'ACK', 'BYE']);
  await r.drain();
  await r.close();
});

t.test('the new target fails too: the application is asked with that failure only; its voicemail answers', async (t) => {
  const asked: string[] = [];
  const r = rig({
    route: () => ({ targets: [{ uri: uriOf('B') }] }),
    onAllFailed: (failures, suggested) => {
      asked.push(`${suggested} ${failures.map((f) => `${f.leg}:${f.status}`).join(',')}`);
      return { targets: [{ uri: uriOf('V') }] };
    },
  });
  callee(r.callees.B, r.clock);
  callee(r.callees.C, r.clock, { reject: 486 });
  callee(r.callees.V, r.clock, { answerMs: 100, sdp: SDP_V });
  const a = r.call();
  await r.run(500);
  t.same(only(r).redirect({ uri: uriOf('C') }), { ok: true, leg: 2 });
  await r.run(1000);
  t.same(asked, ['486 2:486'], "asked once, without B's 487 from our CANCEL");
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1')), ['200 OK'], 'no failure reached the caller');
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:cancelled 487, 2:failed 486, 3:ended 200]');
  await r.close();
});

t.test("a sequential decision: its queue is dropped and B's no-answer timer stopped", async (t) => {
  const r = rig({ route: () => ({ targets: [{ uri: uriOf('B'), noAnswerMs: 5000 }, { uri: uriOf('C') }], mode: 'sequential' }) });
  callee(r.callees.B, r.clock);
  callee(r.callees.C, r.clock, { answerMs: 100 });
  callee(r.callees.V, r.clock, { answerMs: 6000, sdp: SDP_V });
  const a = r.call();
  await r.run(500);
  t.equal(r.b2bua.stats.timers, 1, "B's no-answer timer runs");
  t.same(only(r).redirect(voicemail), { ok: true, leg: 2 }, 'the first new leg takes the id C would have had');
  t.equal(r.b2bua.stats.timers, 0, 'and is stopped');
  await r.run(7000);
  t.same(r.lines('X>C'), [], 'C, queued behind B, is never called');
  t.equal(a.state.kind, 'confirmed', 'V answers, however long it takes');
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:cancelled 487, 2:ended 200]');
  await r.close();
});

t.test("from an observer of the call's ringing event: it runs once the event is handled", async (t) => {
  const r = rig(toB);
  callee(r.callees.B, r.clock);
  callee(r.callees.V, r.clock, { answerMs: 100, sdp: SDP_V });
  const results: unknown[] = [];
  r.b2bua.on((e) => {
    if (e.type !== 'ringing' || e.leg !== 1) return;
    results.push(e.call.redirect(voicemail));
    try {
      e.call.redirect({ uri: uriOf('C') });
    } catch (err) {
      results.push((err as B2buaError).code);
    }
  });
  const a = r.call();
  await r.run(1000);
  t.same(results, [{ ok: true, leg: 2 }, 'B2BUA_ERR_INVALID_STATE'], 'the first is taken, a second in the same handler throws');
  t.same(r.lines('X>C'), []);
  t.equal(a.state.kind, 'confirmed');
  t.same(r.events.slice(0, 4), ['created', 'ringing 1 180', 'redirected 1->2', 'ringing 2 180']);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('the caller CANCELs after the redirect: the new leg is CANCELed, nothing is left', async (t) => {
  const r = rig(toB);
  callee(r.callees.B, r.clock);
  const vs = callee(r.callees.V, r.clock);
  const a = r.call();
  const at = trace(a);
  await r.run(500);
  only(r).redirect(voicemail);
  await r.run(500);
  t.ok(a.cancel());
  await r.run(1000);
  t.same(r.lines('X>V'), ['INVITE', 'CANCEL', 'ACK']);
  t.equal(vs[0]!.state.kind, 'terminated');
  t.same(at.at(-1), 'terminated cancelled');
  t.same(r.lines('X>A').filter((l) => !l.startsWith('1') && !l.startsWith('200')), ['487 Request Terminated'], 'one final response, to its CANCEL');
  t.same(r.events.at(-1), 'ended callerCancel [1:cancelled 487, 2:cancelled]');
  await r.drain();
  t.same(r.sizes(), { stats: { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0, total: 0 }, caller: clean, B: clean, C: clean, V: clean, timers: 0 });
  await r.close();
});

t.test("delayed offer: V's offer reaches the caller in the 2xx, the caller's answer V in the ACK", async (t) => {
  const r = rig(toB);
  callee(r.callees.B, r.clock);
  let ackBody = '';
  r.callees.V.onInvite((s) => {
    s.on((e) => {
      if (e.type === 'ack') ackBody = Buffer.from(e.ack.body).toString();
    });
    s.progress(180);
    r.clock.setTimeout(() => s.accept({ body: SDP_C }), 100);
  });
  const a = r.call({ body: undefined });
  a.on((e) => {
    if (e.type === 'confirmed' && e.isAckPending) a.ack({ body: SDP_A });
  });
  await r.run(500);
  only(r).redirect(voicemail);
  await r.run(1000);
  t.notMatch(r.wire().find((w) => w.dir === 'X>V' && w.line === 'INVITE')?.text, /v=0/, "V's INVITE has no SDP either");
  t.match(r.wire().find((w) => w.dir === 'X>A' && w.line === '200 OK')?.text, /o=c 1 1/, "V's offer in the caller's 2xx");
  t.equal(ackBody, SDP_A, "the caller's answer in V's ACK");
  a.bye();
  await r.drain();
  t.equal(r.b2bua.stats.calls, 0);
  await r.close();
});
