/**
 * INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1), pure steps:
 * - start: INVITE to TU, 200 ms Trying timer
 * - proceeding: 100 Trying sent by the machine when the TU has not answered in 200 ms (and not when it has),
 *   retransmitted INVITE -> last provisional resent, TU 1xx / 2xx / 300-699, transport error
 * - accepted: INVITE retransmissions absorbed, TU 2xx retransmissions sent, ACK to TU, L terminates
 * - completed: G doubles capped at T2 (UDP only), INVITE -> final resent, ACK -> confirmed, H times out
 * - confirmed: ACKs absorbed, I = T4 terminates (I = 0 over TCP)
 * - exact schedule: final at 0, resent at 500, 1500, 3500, 7500, 11500, ... 31500; H at 32000
 * - what each state keeps: accepted and confirmed nothing (the TU resends its own 2xx), completed the final and G
 */
import t from 'tap';
import { startIst, stepIst, type IstEvent, type IstState } from '../../src/transaction/ist.js';
import { CFG, TCP, UDP, request, response, summary, transportError } from './fixtures/messages.js';
import { runTimers } from './fixtures/schedule.js';

const invite = request('INVITE');
const ack = request('ACK', { toTag: 'totag' });
const proceeding = startIst(invite, UDP).state;
const tu = (status: number) => ({ type: 'tuResponse' as const, res: response(invite, status) });
const fire = (timer: 'G' | 'H' | 'I' | 'L' | 'Trying') => ({ type: 'timerFired' as const, timer });
const retrans: IstEvent = { type: 'request', req: invite };
const ackEv: IstEvent = { type: 'ack', ack };
const ringing = stepIst(proceeding, tu(180), CFG).state;
const accepted = stepIst(proceeding, tu(200), CFG).state;
const completed = stepIst(proceeding, tu(486), CFG).state;
const confirmed = stepIst(completed, ackEv, CFG).state;
const after100 = stepIst(proceeding, fire('Trying'), CFG).state;

t.test('start: the INVITE MUST be passed to the TU; the 200 ms Trying timer is armed', async (t) => {
  t.same(summary(startIst(invite, UDP).effects), ['deliver request', 'start Trying 200']);
});

const table: Array<[string, IstState, IstEvent, string, string[]]> = [
  ['proceeding: the TU has not answered in 200 ms -> the transaction MUST send 100 Trying', proceeding, fire('Trying'), 'proceeding', ['send 100']],
  ['proceeding: a retransmitted INVITE before any provisional sends nothing', proceeding, retrans, 'proceeding', []],
  ['proceeding: a retransmitted INVITE -> the last provisional is resent (the 100)', after100, retrans, 'proceeding', ['send 100']],
  ['proceeding: a retransmitted INVITE -> the last provisional is resent (the 180)', ringing, retrans, 'proceeding', ['send 180']],
  ['proceeding: the Trying timer after a TU provisional sends nothing', ringing, fire('Trying'), 'proceeding', []],
  ['proceeding: 1xx from TU -> sent, Trying timer stopped', proceeding, tu(180), 'proceeding', ['cancel Trying', 'send 180']],
  ['proceeding: 2xx from TU -> sent, accepted, Timer L = 64*T1', proceeding, tu(200), 'accepted', ['cancel Trying', 'send 200', 'start L 32000']],
  ['proceeding: 300-699 from TU -> sent, completed, G = T1, H = 64*T1', proceeding, tu(486), 'completed', ['cancel Trying', 'send 486', 'start G 500', 'start H 32000']],
  ['proceeding: transport error -> TU informed, terminated', ringing, { type: 'transportError', error: transportError() }, 'terminated', ['cancel Trying', 'deliver transportError', 'terminated transportError']],
  ['proceeding: an ACK is ignored', proceeding, ackEv, 'proceeding', []],
  ['accepted: a retransmitted INVITE MUST NOT be passed to the TU', accepted, retrans, 'accepted', []],
  ['accepted: a 2xx retransmission from the TU MUST be sent', accepted, tu(200), 'accepted', ['send 200']],
  ['accepted: a non-2xx from the TU is discarded', accepted, tu(500), 'accepted', []],
  ['accepted: a matching ACK goes to the TU', accepted, ackEv, 'accepted', ['deliver ack']],
  ['accepted: Timer L fires -> terminated', accepted, fire('L'), 'terminated', ['terminated final']],
  ['accepted: transport error -> TU informed, terminated', accepted, { type: 'transportError', error: transportError() }, 'terminated', ['cancel L', 'deliver transportError', 'terminated transportError']],
  ['completed: Timer G fires -> final resent, G = min(2G, T2)', completed, fire('G'), 'completed', ['send 486', 'start G 1000']],
  ['completed: a retransmitted INVITE -> final resent', completed, retrans, 'completed', ['send 486']],
  ['completed: ACK -> confirmed, G and H stop, Timer I = T4', completed, ackEv, 'confirmed', ['cancel G', 'cancel H', 'start I 5000']],
  ['completed: Timer H fires -> timeout to TU, terminated', completed, fire('H'), 'terminated', ['cancel G', 'deliver timeout', 'terminated timeout']],
  ['completed: further TU responses are discarded', completed, tu(500), 'completed', []],
  ['completed: transport error -> TU informed, terminated', completed, { type: 'transportError', error: transportError() }, 'terminated', ['cancel G', 'cancel H', 'deliver transportError', 'terminated transportError']],
  ['confirmed: ACK retransmissions are absorbed', confirmed, ackEv, 'confirmed', []],
  ['confirmed: a retransmitted INVITE is absorbed', confirmed, retrans, 'confirmed', []],
  ['confirmed: Timer I fires -> terminated', confirmed, fire('I'), 'terminated', ['terminated ack']],
  ['terminated: nothing is sent', { kind: 'terminated', why: 'final' }, retrans, 'terminated', []],
];
for (const [name, from, event, to, effects] of table) {
  t.test(name, async (t) => {
    const r = stepIst(from, event, CFG);
    t.equal(r.state.kind, to);
    t.same(summary(r.effects), effects);
  });
}

t.test('the 100 Trying sent by the machine copies Via, From, To (no tag), Call-ID, CSeq', async (t) => {
  const r = stepIst(proceeding, fire('Trying'), CFG);
  const e = r.effects[0];
  if (e?.type !== 'send' || e.message.kind !== 'response') return t.fail('no 100');
  t.equal(e.message.status, 100);
  t.equal(e.message.topVia?.branch, invite.topVia?.branch);
  t.equal(e.message.to.tag, undefined);
  t.equal(e.message.callId, invite.callId);
  t.same(e.message.cseq, invite.cseq);
});

t.test('accepted and confirmed keep nothing, neither the INVITE nor the final; completed keeps the final it resends', async (t) => {
  t.same(accepted, { kind: 'accepted' });
  t.same(confirmed, { kind: 'confirmed' });
  t.same(Object.keys(completed).sort(), ['final', 'intervalG', 'isReliable', 'kind']);
});

t.test('over TCP: no Timer G; an ACK terminates at once (Timer I = 0)', async (t) => {
  const p = startIst(invite, TCP).state;
  const c = stepIst(p, tu(486), CFG);
  t.same(summary(c.effects), ['cancel Trying', 'send 486', 'start H 32000']);
  const a = stepIst(c.state, ackEv, CFG);
  t.equal(a.state.kind, 'terminated');
  t.same(summary(a.effects), ['cancel G', 'cancel H', 'terminated ack']);
});

t.test('Timer G schedule: final resent at 500, 1500, 3500, 7500, then every T2 until H at 32 s', async (t) => {
  const start = stepIst(proceeding, tu(486), CFG);
  const trace = runTimers<IstState, IstEvent>(start, (s, e) => stepIst(s, e, CFG), (n) => fire(n as 'G' | 'H'));
  t.same(trace.sends, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.same(trace.delivered, [{ at: 32000, kind: 'timeout' }]);
});

t.test('Trying timer: 100 Trying goes out at exactly 200 ms when the TU is silent', async (t) => {
  const trace = runTimers<IstState, IstEvent>(startIst(invite, UDP), (s, e) => stepIst(s, e, CFG), (n) => fire(n as 'Trying'));
  t.same(trace.sends, [200]);
  t.equal(trace.state.kind, 'proceeding', 'it waits for the TU');
});
