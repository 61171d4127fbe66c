/**
 * INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §8.4), pure steps:
 * - start: INVITE sent, A = T1 over UDP only, B = 64*T1
 * - calling: A retransmits and doubles (no cap), B times out, transport error, 1xx, 2xx, 300-699
 * - proceeding: 1xx to TU, 2xx -> accepted, 300-699 -> completed with ACK, no retransmission
 * - accepted: every 2xx to TU, others absorbed, M terminates
 * - completed: retransmitted final -> ACK resent, D terminates, D = 0 over TCP
 * - the ACK for a non-2xx: same branch, Request-URI, From, Call-ID, CSeq number; To from the response; Route from the INVITE
 * - exact schedule: sends at 0, 500, 1500, 3500, 7500, 15500, 31500 and timeout at 32000
 * - terminated: nothing in, nothing out
 * - what each state keeps: accepted nothing (the TU has the INVITE), completed only the ACK
 */
import t from 'tap';
import { startIct, stepIct, type IctEvent, type IctState } from '../../src/transaction/ict.js';
import type { Effect } from '../../src/transaction/types.js';
import { CFG, TCP, UDP, request, response, summary, transportError } from './fixtures/messages.js';

const invite = request('INVITE', { routes: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'] });
const calling = startIct(invite, UDP, CFG).state;
const stepAll = (s: IctState, events: IctEvent[]): { state: IctState; effects: Effect[] } => {
  const effects: Effect[] = [];
  for (const e of events) {
    const r = stepIct(s, e, CFG);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
};
const res = (status: number) => ({ type: 'response' as const, res: response(invite, status) });
const fire = (timer: 'A' | 'B' | 'D' | 'M') => ({ type: 'timerFired' as const, timer });
const proceeding = stepIct(calling, res(180), CFG).state;
const accepted = stepIct(calling, res(200), CFG).state;
const completed = stepIct(calling, res(486), CFG).state;

t.test('start: the INVITE MUST be sent, Timer A = T1 over UDP, Timer B = 64*T1', async (t) => {
  t.same(summary(startIct(invite, UDP, CFG).effects), ['send INVITE', 'start A 500', 'start B 32000']);
});

t.test('start: over a reliable transport Timer A MUST NOT be set', async (t) => {
  t.same(summary(startIct(invite, TCP, CFG).effects), ['send INVITE', 'start B 32000']);
});

const table: Array<[string, IctState, IctEvent, string, string[]]> = [
  ['calling: Timer A fires -> retransmit, A doubled', calling, fire('A'), 'calling', ['send INVITE', 'start A 1000']],
  ['calling: Timer B fires -> timeout to TU, terminated', calling, fire('B'), 'terminated', ['cancel A', 'deliver timeout', 'terminated timeout']],
  ['calling: transport error -> TU informed, terminated', calling, { type: 'transportError', error: transportError() }, 'terminated', ['cancel A', 'cancel B', 'deliver transportError', 'terminated transportError']],
  ['calling: 1xx -> proceeding, retransmissions stop, 1xx to TU', calling, res(100), 'proceeding', ['cancel A', 'cancel B', 'deliver response 100']],
  ['calling: 2xx -> accepted, to TU, Timer M = 64*T1', calling, res(200), 'accepted', ['cancel A', 'cancel B', 'deliver response 200', 'start M 32000']],
  ['calling: 300-699 -> ACK sent, to TU, completed, Timer D = 32 s', calling, res(486), 'completed', ['cancel A', 'cancel B', 'send ACK', 'deliver response 486', 'start D 32000']],
  ['proceeding: 1xx -> to TU', proceeding, res(183), 'proceeding', ['deliver response 183']],
  ['proceeding: Timer A no longer retransmits', proceeding, fire('A'), 'proceeding', []],
  ['proceeding: 2xx -> accepted, to TU', proceeding, res(200), 'accepted', ['deliver response 200', 'start M 32000']],
  ['proceeding: 300-699 -> ACK, to TU, completed', proceeding, res(603), 'completed', ['send ACK', 'deliver response 603', 'start D 32000']],
  ['accepted: a 2xx retransmission MUST be passed to the TU', accepted, res(200), 'accepted', ['deliver response 200']],
  ['accepted: 1xx is absorbed', accepted, res(180), 'accepted', []],
  ['accepted: 300-699 is absorbed', accepted, res(500), 'accepted', []],
  ['accepted: Timer M fires -> terminated', accepted, fire('M'), 'terminated', ['terminated final']],
  ['completed: a retransmitted final MUST cause the ACK to be resent, not passed to TU', completed, res(486), 'completed', ['send ACK']],
  ['completed: 2xx is absorbed', completed, res(200), 'completed', []],
  ['completed: Timer D fires -> terminated', completed, fire('D'), 'terminated', ['terminated final']],
  ['completed: transport error -> terminated (TU already has its final)', completed, { type: 'transportError', error: transportError() }, 'terminated', ['cancel D', 'terminated transportError']],
  ['terminated: a response does nothing', { kind: 'terminated', why: 'final' }, res(200), 'terminated', []],
  ['terminated: a timer does nothing', { kind: 'terminated', why: 'final' }, fire('A'), 'terminated', []],
];
for (const [name, from, event, to, effects] of table) {
  t.test(name, async (t) => {
    const r = stepIct(from, event, CFG);
    t.equal(r.state.kind, to);
    t.same(summary(r.effects), effects);
  });
}

t.test('accepted keeps nothing (the TU has the INVITE); completed keeps only the ACK it resends', async (t) => {
  t.same(accepted, { kind: 'accepted' });
  t.same(Object.keys(completed), ['kind', 'ack']);
});

t.test('over TCP, a 300-699 sends the ACK and terminates at once (Timer D = 0)', async (t) => {
  const r = stepIct(startIct(invite, TCP, CFG).state, res(404), CFG);
  t.equal(r.state.kind, 'terminated');
  t.same(summary(r.effects), ['cancel A', 'cancel B', 'send ACK', 'deliver response 404', 'terminated final']);
});

t.test('the ACK for a non-2xx MUST copy branch, Request-URI, From, Call-ID, CSeq number and Route; To comes from the response', async (t) => {
  const r = stepIct(calling, res(486), CFG);
  const send = r.effects.find((e) => e.type === 'send');
  if (send?.type !== 'send' || send.message.kind !== 'request') return t.fail('no ACK');
  const ack = send.message;
  t.equal(ack.method, 'ACK');
  t.equal(ack.uri.toString(), invite.uri.toString());
  t.equal(ack.via.length, 1, 'only the top Via');
  t.equal(ack.topVia?.branch, invite.topVia?.branch);
  t.equal(ack.headers.get('from'), invite.headers.get('from'));
  t.equal(ack.to.tag, 'totag');
  t.equal(ack.callId, invite.callId);
  t.same(ack.cseq, { seq: invite.cseq.seq, method: 'ACK' });
  t.same(ack.headers.getAll('route'), invite.headers.getAll('route'));
  t.equal(ack.body.byteLength, 0);
});

t.test('Timer A schedule: retransmissions at 0, 500, 1500, 3500, 7500, 15500, 31500; Timer B at 32000', async (t) => {
  // A tiny virtual-time runner over the pure step: timers are (name, due) pairs.
  let now = 0;
  const sends: number[] = [];
  const timers = new Map<string, number>();
  const apply = (effects: readonly Effect[]) => {
    for (const e of effects) {
      if (e.type === 'send') sends.push(now);
      else if (e.type === 'startTimer') timers.set(e.timer, now + e.ms);
      else if (e.type === 'cancelTimer') timers.delete(e.timer);
      else if (e.type === 'deliver') t.equal(e.delivery.kind, 'timeout');
    }
  };
  const start = startIct(invite, UDP, CFG);
  let s = start.state;
  apply(start.effects);
  while (s.kind !== 'terminated') {
    const [name, due] = [...timers].sort((a, b) => a[1] - b[1])[0]!;
    timers.delete(name);
    now = due;
    const r = stepIct(s, fire(name as 'A' | 'B'), CFG);
    s = r.state;
    apply(r.effects);
  }
  t.same(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.equal(now, 32000);
  t.equal(s.kind === 'terminated' && s.why, 'timeout');
});

t.test('accepted absorbs everything but 2xx, and forks\' 2xx (other To tags) reach the TU', async (t) => {
  const fork = { type: 'response' as const, res: response(invite, 200, 'othertag') };
  const r = stepAll(accepted, [res(200), fork, res(180), res(404)]);
  t.same(summary(r.effects), ['deliver response 200', 'deliver response 200']);
});
