/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2), pure steps:
 * - start: request sent, E = T1 over UDP only, F = 64*T1
 * - trying: E doubles capped at T2, F times out, transport error, 1xx -> proceeding, final -> completed
 * - proceeding: E resets to T2, 1xx to TU, final -> completed, F times out
 * - completed: responses absorbed, K = T4 terminates (K = 0 over TCP: terminated at once)
 * - exact schedule: sends at 0, 500, 1500, 3500, 7500, 11500, ... 31500; F at 32000
 * - schedule after a 1xx at 600 ms: E keeps its pending due time, then fires every T2
 * - terminated: nothing in, nothing out
 */
import t from 'tap';
import { startNict, stepNict, type NictEvent, type NictState } from '../../src/transaction/nict.js';
import { CFG, TCP, UDP, request, response, summary, transportError } from './fixtures/messages.js';
import { runTimers } from './fixtures/schedule.js';

const options = request('OPTIONS');
const trying = startNict(options, UDP, CFG).state;
const res = (status: number) => ({ type: 'response' as const, res: response(options, status) });
const fire = (timer: 'E' | 'F' | 'K') => ({ type: 'timerFired' as const, timer });
const proceeding = stepNict(trying, res(100), CFG).state;
const completed = stepNict(trying, res(200), CFG).state;
const tryingAt4s: NictState = { kind: 'trying', ctx: { request: options, isReliable: false }, intervalE: 4000 };

t.test('start: the request MUST be sent, Timer E = T1 over UDP, Timer F = 64*T1', async (t) => {
  t.same(summary(startNict(options, UDP, CFG).effects), ['send OPTIONS', 'start E 500', 'start F 32000']);
});

t.test('start: over a reliable transport Timer E MUST NOT be set', async (t) => {
  t.same(summary(startNict(options, TCP, CFG).effects), ['send OPTIONS', 'start F 32000']);
});

const table: Array<[string, NictState, NictEvent, string, string[]]> = [
  ['trying: Timer E fires -> retransmit, E = min(2E, T2)', trying, fire('E'), 'trying', ['send OPTIONS', 'start E 1000']],
  ['trying: Timer E at T2 stays at T2', tryingAt4s, fire('E'), 'trying', ['send OPTIONS', 'start E 4000']],
  ['trying: Timer F fires -> timeout to TU, terminated', trying, fire('F'), 'terminated', ['cancel E', 'deliver timeout', 'terminated timeout']],
  ['trying: transport error -> TU informed, terminated', trying, { type: 'transportError', error: transportError() }, 'terminated', ['cancel E', 'cancel F', 'deliver transportError', 'terminated transportError']],
  ['trying: 1xx -> proceeding, to TU', trying, res(100), 'proceeding', ['deliver response 100']],
  ['trying: 200-699 -> completed, to TU, Timer K = T4', trying, res(200), 'completed', ['cancel E', 'cancel F', 'deliver response 200', 'start K 5000']],
  ['proceeding: Timer E fires -> retransmit, E reset to T2', proceeding, fire('E'), 'proceeding', ['send OPTIONS', 'start E 4000']],
  ['proceeding: 1xx -> to TU', proceeding, res(180), 'proceeding', ['deliver response 180']],
  ['proceeding: 200-699 -> completed, to TU', proceeding, res(404), 'completed', ['cancel E', 'cancel F', 'deliver response 404', 'start K 5000']],
  ['proceeding: Timer F fires -> timeout to TU', proceeding, fire('F'), 'terminated', ['cancel E', 'deliver timeout', 'terminated timeout']],
  ['proceeding: transport error -> TU informed', proceeding, { type: 'transportError', error: transportError() }, 'terminated', ['cancel E', 'cancel F', 'deliver transportError', 'terminated transportError']],
  ['completed: a retransmitted final is absorbed', completed, res(200), 'completed', []],
  ['completed: a 1xx is absorbed', completed, res(100), 'completed', []],
  ['completed: Timer K fires -> terminated', completed, fire('K'), 'terminated', ['terminated final']],
  ['completed: a stale Timer E does nothing', completed, fire('E'), 'completed', []],
  ['terminated: a response does nothing', { kind: 'terminated', why: 'final' }, res(200), 'terminated', []],
];
for (const [name, from, event, to, effects] of table) {
  t.test(name, async (t) => {
    const r = stepNict(from, event, CFG);
    t.equal(r.state.kind, to);
    t.same(summary(r.effects), effects);
  });
}

t.test('over TCP a final terminates at once (Timer K = 0)', async (t) => {
  const r = stepNict(startNict(options, TCP, CFG).state, res(200), CFG);
  t.equal(r.state.kind, 'terminated');
  t.same(summary(r.effects), ['cancel E', 'cancel F', 'deliver response 200', 'terminated final']);
});

t.test('Timer E schedule: doubling capped at T2 = 4 s; Timer F at 32 s', async (t) => {
  const trace = runTimers<NictState, NictEvent>(startNict(options, UDP, CFG), (s, e) => stepNict(s, e, CFG), (n) => fire(n as 'E' | 'F' | 'K'));
  t.same(trace.sends, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.same(trace.delivered, [{ at: 32000, kind: 'timeout' }]);
  t.equal(trace.state.kind, 'terminated');
});

t.test('Timer E schedule in proceeding: the pending E fires, then every T2', async (t) => {
  // 1xx at 600 ms (after the 500 ms retransmission, E pending at 1500).
  let s = startNict(options, UDP, CFG).state;
  s = stepNict(s, fire('E'), CFG).state; // at 500, E = 1000 -> due 1500
  const r = stepNict(s, res(100), CFG);
  t.same(summary(r.effects), ['deliver response 100'], 'the pending Timer E is kept');
  const e1 = stepNict(r.state, fire('E'), CFG); // at 1500
  t.same(summary(e1.effects), ['send OPTIONS', 'start E 4000']);
  const e2 = stepNict(e1.state, fire('E'), CFG); // at 5500
  t.same(summary(e2.effects), ['send OPTIONS', 'start E 4000']);
});

t.test('with T1 = 100 and T2 = 400 the cap follows the settings', async (t) => {
  const cfg = { T1: 100, T2: 400, T4: 1000 };
  const trace = runTimers<NictState, NictEvent>(startNict(options, UDP, cfg), (s, e) => stepNict(s, e, cfg), (n) => fire(n as 'E' | 'F' | 'K'));
  t.same(trace.sends.slice(0, 6), [0, 100, 300, 700, 1100, 1500]);
  t.equal(trace.end, 6400, 'F = 64*T1');
});
