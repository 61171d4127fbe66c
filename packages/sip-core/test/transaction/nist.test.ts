/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2), pure steps:
 * - start: request to TU, trying
 * - trying: retransmissions discarded, TU 1xx -> proceeding, TU final -> completed with J = 64*T1
 * - proceeding: retransmission -> last provisional resent, TU 1xx, TU final, transport error
 * - completed: retransmission -> final resent, other TU responses discarded, J terminates
 * - over TCP: J = 0, terminated as soon as the final is sent
 */
import t from 'tap';
import { startNist, stepNist, type NistEvent, type NistState } from '../../src/transaction/nist.js';
import { CFG, TCP, UDP, request, response, summary, transportError } from './fixtures/messages.js';

const bye = request('BYE', { toTag: 'totag' });
const trying = startNist(bye, UDP).state;
const tu = (status: number) => ({ type: 'tuResponse' as const, res: response(bye, status) });
const retrans: NistEvent = { type: 'request', req: bye };
const proceeding = stepNist(trying, tu(100), CFG).state;
const completed = stepNist(trying, tu(200), CFG).state;

t.test('start: the request MUST be passed to the TU', async (t) => {
  t.same(summary(startNist(bye, UDP).effects), ['deliver request']);
});

const table: Array<[string, NistState, NistEvent, string, string[]]> = [
  ['trying: a retransmitted request is discarded', trying, retrans, 'trying', []],
  ['trying: 1xx from TU -> sent, proceeding', trying, tu(100), 'proceeding', ['send 100']],
  ['trying: final from TU -> sent, completed, Timer J = 64*T1', trying, tu(200), 'completed', ['send 200', 'start J 32000']],
  ['proceeding: a retransmitted request -> the last provisional is resent', proceeding, retrans, 'proceeding', ['send 100']],
  ['proceeding: 1xx from TU -> sent', proceeding, tu(180), 'proceeding', ['send 180']],
  ['proceeding: final from TU -> sent, completed', proceeding, tu(481), 'completed', ['send 481', 'start J 32000']],
  ['proceeding: transport error -> TU informed, terminated', proceeding, { type: 'transportError', error: transportError() }, 'terminated', ['deliver transportError', 'terminated transportError']],
  ['completed: a retransmitted request -> the final is resent', completed, retrans, 'completed', ['send 200']],
  ['completed: any other final from the TU MUST be discarded', completed, tu(500), 'completed', []],
  ['completed: Timer J fires -> terminated', completed, { type: 'timerFired', timer: 'J' }, 'terminated', ['terminated final']],
  ['completed: transport error -> terminated', completed, { type: 'transportError', error: transportError() }, 'terminated', ['cancel J', 'deliver transportError', 'terminated transportError']],
  ['terminated: nothing is sent', { kind: 'terminated', why: 'final' }, retrans, 'terminated', []],
];
for (const [name, from, event, to, effects] of table) {
  t.test(name, async (t) => {
    const r = stepNist(from, event, CFG);
    t.equal(r.state.kind, to);
    t.same(summary(r.effects), effects);
  });
}

t.test('over TCP a final terminates at once (Timer J = 0)', async (t) => {
  const r = stepNist(startNist(bye, TCP).state, tu(200), CFG);
  t.equal(r.state.kind, 'terminated');
  t.same(summary(r.effects), ['send 200', 'terminated final']);
});
