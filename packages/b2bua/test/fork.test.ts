/**
 * The fork machine:
 * - parallel: every target starts at once; the first 2xx wins, the others are CANCELed;
 *   a 2xx crossing that CANCEL gets ACK + BYE, and the caller is answered once
 * - sequential: next target on failure and on the no-answer timer; a late 2xx from a
 *   leg cancelled for no answer still wins while the caller waits
 * - every target failed: the application is asked (with the best status of §16.7),
 *   and may give new targets (voicemail) or a final response
 * - caller CANCEL reaches every pending leg; late answers get ACK + BYE
 * - provisional responses are relayed; 100 is not
 * - redirect (unanswered call sent elsewhere): live legs are CANCELed and their late 2xx get
 *   ACK + BYE, a leg cancelled for no answer no longer wins, the sequential queue and the old
 *   failures are dropped; from askingApplication too; ignored once the call is settled
 * - properties: whatever the order of leg events, the caller gets at most one answer,
 *   never both an answer and a rejection, every 2xx not relayed gets ACK + BYE, and no leg
 *   started before a redirect ever answers the caller
 */
import t from 'tap';
import fc from 'fast-check';
import { type ForkEffect, type ForkEvent, type ForkState, bestFailureStatus, initialForkState, stepFork } from '../src/fork.js';

function run(events: ForkEvent[], from: ForkState = initialForkState): { state: ForkState; effects: ForkEffect[] } {
  let state = from;
  const effects: ForkEffect[] = [];
  for (const e of events) {
    const s = stepFork(state, e);
    state = s.state;
    effects.push(...s.effects);
  }
  return { state, effects };
}
const types = (effects: readonly ForkEffect[]) => effects.map((e) => ('leg' in e ? `${e.type}:${e.leg}` : e.type));
const A = { uri: 'sip:2000@pbx' };
const B = { uri: 'sip:2001@pbx' };
const VM = { uri: 'sip:8000@pbx' };

t.test('parallel: all start; the first 2xx wins and the others are CANCELed', async (t) => {
  const r = run([
    { type: 'start', targets: [A, B], mode: 'parallel' },
    { type: 'provisional', leg: 1, status: 180 },
    { type: 'provisional', leg: 2, status: 100 },
    { type: 'answered', leg: 2 },
    { type: 'answered', leg: 1 },
  ]);
  t.same(types(r.effects), ['startLeg:1', 'startLeg:2', 'relayProvisional:1', 'stopNoAnswerTimer:2', 'stopNoAnswerTimer:1', 'cancelLeg:1', 'answerCaller:2', 'ackAndBye:1']);
  t.equal(r.state.kind, 'answered');
});

t.test('sequential: the next target on failure and on no answer', async (t) => {
  const r = run([
    { type: 'start', targets: [{ ...A, noAnswerMs: 5000 }, { ...B, noAnswerMs: 5000 }, VM], mode: 'sequential' },
    { type: 'failed', leg: 1, status: 486 },
    { type: 'noAnswer', leg: 2 },
    { type: 'failed', leg: 2, status: 487 },
  ]);
  t.same(types(r.effects), [
    'startLeg:1', 'startNoAnswerTimer:1', 'stopNoAnswerTimer:1', 'startLeg:2', 'startNoAnswerTimer:2', 'cancelLeg:2', 'startLeg:3', 'stopNoAnswerTimer:2',
  ]);
  t.equal(r.state.kind === 'trying' && r.state.failures.map((f) => f.cause).join(), 'busy,noAnswer', 'the 487 of our own CANCEL is not a second failure');
});

t.test('a 2xx from a leg cancelled for no answer wins while the caller waits', async (t) => {
  const r = run([
    { type: 'start', targets: [{ ...A, noAnswerMs: 100 }, B], mode: 'sequential' },
    { type: 'noAnswer', leg: 1 },
    { type: 'answered', leg: 1 },
  ]);
  t.same(types(r.effects).slice(-4), ['stopNoAnswerTimer:1', 'stopNoAnswerTimer:2', 'cancelLeg:2', 'answerCaller:1']);
});

t.test('every target failed: the application is asked, and its new targets are tried', async (t) => {
  const r = run([
    { type: 'start', targets: [A, B], mode: 'parallel' },
    { type: 'failed', leg: 1, status: 486 },
    { type: 'failed', leg: 2, status: 480 },
  ]);
  const ask = r.effects.find((e) => e.type === 'askApplication');
  t.equal(ask?.type === 'askApplication' && ask.suggested, 486);
  t.equal(r.state.kind, 'askingApplication');
  const v = run([{ type: 'applicationTargets', targets: [VM], mode: 'sequential' }, { type: 'answered', leg: 3 }], r.state);
  t.same(types(v.effects), ['startLeg:3', 'stopNoAnswerTimer:3', 'answerCaller:3']);
  const no = run([{ type: 'applicationReject', status: 486, reason: 'all assistants busy' }], r.state);
  t.same(no.effects, [{ type: 'rejectCaller', status: 486, reason: 'all assistants busy' }]);
  t.equal(no.state.kind, 'rejected');
  const empty = run([{ type: 'applicationTargets', targets: [], mode: 'parallel' }], r.state);
  t.equal(empty.state.kind, 'askingApplication', 'an empty list asks again rather than leaving the caller with nothing');
});

t.test('caller CANCEL reaches every pending leg; a crossing 2xx gets ACK + BYE', async (t) => {
  const r = run([
    { type: 'start', targets: [A, B], mode: 'parallel' },
    { type: 'failed', leg: 1, status: 486 },
    { type: 'callerCancel' },
    { type: 'answered', leg: 2 },
  ]);
  t.same(types(r.effects).slice(2), ['stopNoAnswerTimer:1', 'stopNoAnswerTimer:2', 'cancelLeg:2', 'ackAndBye:2']);
  t.equal(r.state.kind, 'cancelled');
});

t.test('redirect: live legs are CANCELed, the new targets start; a 2xx from an old leg gets ACK + BYE', async (t) => {
  const r = run([
    { type: 'start', targets: [A, B], mode: 'parallel' },
    { type: 'provisional', leg: 1, status: 180 },
    { type: 'redirect', targets: [VM], mode: 'parallel' },
  ]);
  t.same(types(r.effects).slice(3), ['stopNoAnswerTimer:1', 'cancelLeg:1', 'stopNoAnswerTimer:2', 'cancelLeg:2', 'startLeg:3', 'reportRedirect']);
  t.same(r.effects.filter((e) => e.type === 'cancelLeg').map((e) => e.type === 'cancelLeg' && e.why), ['redirect', 'redirect']);
  t.same(r.effects.at(-1), { type: 'reportRedirect', from: [1, 2], to: 3 });
  const late = run([{ type: 'answered', leg: 1 }, { type: 'provisional', leg: 2, status: 180 }, { type: 'failed', leg: 2, status: 487 }, { type: 'answered', leg: 3 }], r.state);
  t.same(types(late.effects), ['ackAndBye:1', 'stopNoAnswerTimer:3', 'answerCaller:3'], 'the old 2xx is released, its 180 and 487 are nothing to the caller, the new leg answers');
});

t.test('redirect drops the sequential queue and the failures; a leg cancelled for no answer no longer wins', async (t) => {
  const r = run([
    { type: 'start', targets: [{ ...A, noAnswerMs: 100 }, B, { uri: 'sip:2002@pbx' }], mode: 'sequential' },
    { type: 'noAnswer', leg: 1 },
    { type: 'failed', leg: 2, status: 486 },
    { type: 'redirect', targets: [VM], mode: 'sequential' },
  ]);
  t.same(types(r.effects).slice(-2), ['startLeg:4', 'reportRedirect'], 'leg 3 (live) CANCELed, the queued 2002 never started');
  t.same(r.effects.at(-1), { type: 'reportRedirect', from: [1, 3], to: 4 }, 'leg 1 (cancelling) and leg 3 (live) are given up');
  t.equal(r.state.kind === 'trying' && r.state.queue.length, 0);
  const late = run([{ type: 'answered', leg: 1 }, { type: 'failed', leg: 4, status: 486 }], r.state);
  t.same(types(late.effects), ['ackAndBye:1', 'stopNoAnswerTimer:4', 'askApplication'], "leg 1's crossing 2xx no longer wins");
  const ask = late.effects.at(-1);
  t.same(ask?.type === 'askApplication' && ask.failures.map((f) => f.leg), [4], 'the application hears of the new failures only');
});

t.test('redirect while the application is asked: the new targets start; settled calls ignore it', async (t) => {
  const asking = run([{ type: 'start', targets: [A], mode: 'parallel' }, { type: 'failed', leg: 1, status: 486 }]);
  t.equal(asking.state.kind, 'askingApplication');
  const r = run([{ type: 'redirect', targets: [VM, B], mode: 'parallel' }, { type: 'applicationTargets', targets: [A], mode: 'parallel' }], asking.state);
  t.same(types(r.effects), ['startLeg:2', 'startLeg:3', 'reportRedirect'], "the application's late answer is ignored");
  t.same(r.effects.at(-1), { type: 'reportRedirect', from: [], to: 2 });
  const settled = [
    initialForkState,
    run([{ type: 'start', targets: [A], mode: 'parallel' }, { type: 'answered', leg: 1 }]).state,
    run([{ type: 'start', targets: [A], mode: 'parallel' }, { type: 'callerCancel' }]).state,
    run([{ type: 'applicationReject', status: 480 }], asking.state).state,
  ];
  for (const s of settled) {
    const n = stepFork(s, { type: 'redirect', targets: [VM], mode: 'parallel' });
    t.same([n.state, n.effects], [s, []], `${s.kind}: nothing happens`);
  }
});

t.test('bestFailureStatus follows RFC 3261 §16.7', async (t) => {
  const f = (status: number, cause: 'busy' | 'rejected' | 'noAnswer' | 'cancelled' = 'rejected') => ({ leg: 1, target: A, status, cause });
  t.equal(bestFailureStatus([f(503), f(603)]), 603, 'a 6xx wins');
  t.equal(bestFailureStatus([f(503), f(404)]), 404, 'the lowest class');
  t.equal(bestFailureStatus([f(404), f(486, 'busy')]), 486, 'busy is the most telling 4xx');
  t.equal(bestFailureStatus([f(408, 'noAnswer')]), 480, 'no answer reads as Temporarily Unavailable');
  t.equal(bestFailureStatus([f(408, 'noAnswer'), f(503)]), 503, 'a real answer beats our own bookkeeping');
  t.equal(bestFailureStatus([]), 480);
});

t.test('properties: one answer at most, never answer and reject, unwanted 2xx get ACK + BYE', async (t) => {
  const legEvent = fc.oneof(
    fc.record({ type: fc.constant('provisional' as const), leg: fc.integer({ min: 1, max: 8 }), status: fc.constantFrom(100, 180, 183) }),
    fc.record({ type: fc.constant('answered' as const), leg: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ type: fc.constant('failed' as const), leg: fc.integer({ min: 1, max: 8 }), status: fc.constantFrom(404, 408, 480, 486, 487, 503, 603) }),
    fc.record({ type: fc.constant('noAnswer' as const), leg: fc.integer({ min: 1, max: 8 }) }),
    fc.constant({ type: 'callerCancel' as const }),
    fc.record({ type: fc.constant('applicationTargets' as const), targets: fc.constant([VM]), mode: fc.constant('sequential' as const) }),
    fc.record({ type: fc.constant('applicationReject' as const), status: fc.constant(480) }),
    fc.record({ type: fc.constant('redirect' as const), targets: fc.constant([VM]), mode: fc.constantFrom('parallel' as const, 'sequential' as const) }),
  );
  fc.assert(
    fc.property(fc.constantFrom('parallel' as const, 'sequential' as const), fc.array(legEvent, { maxLength: 25 }), (mode, events) => {
      let state = stepFork(initialForkState, { type: 'start', targets: [{ ...A, noAnswerMs: 10 }, B, { uri: 'sip:2002@pbx' }], mode }).state;
      let answers = 0;
      let rejects = 0;
      // Legs below this id were started before the last redirect that took effect.
      let firstAfterRedirect = 0;
      for (const e of events) {
        const wasWinner = state.kind === 'answered' && e.type === 'answered' && state.winner === e.leg;
        const step = stepFork(state, e);
        answers += step.effects.filter((x) => x.type === 'answerCaller').length;
        if (step.effects.some((x) => x.type === 'answerCaller' && x.leg < firstAfterRedirect)) return false;
        const report = step.effects.find((x) => x.type === 'reportRedirect');
        if (report?.type === 'reportRedirect') firstAfterRedirect = report.to;
        rejects += step.effects.filter((x) => x.type === 'rejectCaller').length;
        if (e.type === 'answered' && !wasWinner) {
          // Each 2xx is either the one the caller gets, or ACKed and ended: never both, never neither.
          const n = step.effects.filter((x) => x.type === 'answerCaller' || (x.type === 'ackAndBye' && x.leg === e.leg)).length;
          if (n !== 1) return false;
        }
        state = step.state;
      }
      return answers <= 1 && answers + rejects <= 1;
    }),
    { numRuns: 2000 },
  );
});
