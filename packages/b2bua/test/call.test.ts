/**
 * Call over LoopbackNetwork on a ManualClock: caller A -> B2BUA X -> callees B, C, V.
 * - basic call: 180 and 200 relayed with the callee's SDP, ACK and BYE end to end; nothing left afterwards
 * - outbound INVITE: a new Call-ID, Max-Forwards one less, P-Asserted-Identity crosses, Authorization does not
 * - Max-Forwards: 0 -> 483 Too Many Hops, no outbound leg
 * - router rejects: the caller gets the status; no leg
 * - caller CANCEL while ringing reaches the callee (487 both ways)
 * - callee BYE ends the caller's dialog
 * - sequential: 486 from B, then C answers; the caller never sees the 486
 * - sequential: no-answer timer on B (CANCEL at 5 s), C answers
 * - parallel: B and C ring, C answers, B is CANCELed; a 2xx from B crossing the CANCEL gets ACK + BYE; one answer reaches the caller
 * - every target failed: the application is asked and sends the call to voicemail with a Diversion header
 * - every target failed, no hook: the caller gets the best status (486) with a Reason header (RFC 3326)
 * - delayed offer: INVITE without SDP; the callee's offer reaches the caller in the 2xx, the caller's answer the callee in the ACK
 * - 183 with SDP (early media) reaches the caller
 * - re-INVITE (hold) from the caller and from the callee, UPDATE and INFO relayed, each leg its own CSeq
 * - a failing callee leg (BYE answered 481) ends the call: the caller gets BYE with Reason
 * - retarget: the answered call moves from B to C; the caller is re-INVITEd with C's SDP, B gets BYE
 * - retarget with a delayed offer: C offers in its 2xx, the caller's answer goes in C's ACK
 */
import t from 'tap';
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
    stats: { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0, hopLimits: 0, total: 0 },
    caller: { sessions: 0, dialogs: 0, lingering: 0 },
    B: { sessions: 0, dialogs: 0, lingering: 0 },
    C: { sessions: 0, dialogs: 0, lingering: 0 },
    V: { sessions: 0, dialogs: 0, lingering: 0 },
    timers: 0,
  });
  await r.close();
});
