/**
 * Properties of the four machines (fast-check), for any order, duplication and
 * loss of the messages a transaction can see, interleaved with its timers
 * firing (always earliest first, as time would) and transport errors, over UDP or TCP:
 * - it ends in terminated once the peer's (or its TU's) final eventually comes and its timers run out
 * - the client TU gets exactly one outcome: one final response, one timeout or one transport error
 *   (ICT: after the first 2xx only 2xx retransmissions/forks follow, RFC 6026); provisionals only before it
 * - the server TU gets the request exactly once and at most one timeout or transport error
 * - nothing at all is emitted after the terminated effect, and a terminated machine ignores every event
 * - over a reliable transport no retransmission timer (A, E, G) is ever started
 */
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { startIct, stepIct, type IctEvent } from '../../src/transaction/ict.js';
import { startIst, stepIst, type IstEvent } from '../../src/transaction/ist.js';
import { startNict, stepNict, type NictEvent } from '../../src/transaction/nict.js';
import { startNist, stepNist, type NistEvent } from '../../src/transaction/nist.js';
import type { Delivery, Effect, Step, TimerName } from '../../src/transaction/types.js';
import { CFG, request, response, transportError } from './fixtures/messages.js';

type Act = { kind: 'msg'; i: number } | { kind: 'timer' } | { kind: 'transportError' };
const acts = (catalogSize: number) =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: catalogSize - 1 }).map((i): Act => ({ kind: 'msg', i })) },
      { weight: 4, arbitrary: fc.constant<Act>({ kind: 'timer' }) },
      { weight: 1, arbitrary: fc.constant<Act>({ kind: 'transportError' }) },
    ),
    { maxLength: 30 },
  );

interface Outcome {
  state: { kind: string };
  deliveries: Delivery[];
  effects: Effect[];
  afterTerminated: number;
  terminatedIgnores: boolean;
}

/** Run start, the generated acts, the tail events, then every timer until none is left. */
function drive<S extends { kind: string }, E>(
  start: Step<S>,
  step: (s: S, e: E) => Step<S>,
  catalog: readonly E[],
  plan: readonly Act[],
  tail: readonly E[],
  probe: readonly E[],
): Outcome {
  let now = 0;
  const timers = new Map<TimerName, number>();
  const effects: Effect[] = [];
  let terminatedSeen = false;
  let afterTerminated = 0;
  let s = start.state;
  const apply = (es: readonly Effect[]) => {
    for (const e of es) {
      if (terminatedSeen) afterTerminated++;
      effects.push(e);
      if (e.type === 'startTimer') timers.set(e.timer, now + e.ms);
      else if (e.type === 'cancelTimer') timers.delete(e.timer);
      else if (e.type === 'terminated') {
        terminatedSeen = true;
        timers.clear();
      }
    }
  };
  const feed = (e: E) => {
    const r = step(s, e);
    s = r.state;
    apply(r.effects);
  };
  const fireNext = () => {
    const next = [...timers].sort((a, b) => a[1] - b[1])[0];
    if (next === undefined) return false;
    timers.delete(next[0]);
    now = next[1];
    feed({ type: 'timerFired', timer: next[0] } as E);
    return true;
  };
  apply(start.effects);
  for (const a of plan) {
    if (a.kind === 'msg') feed(catalog[a.i]!);
    else if (a.kind === 'timer') fireNext();
    else feed({ type: 'transportError', error: transportError() } as E);
  }
  for (const e of tail) feed(e);
  for (let i = 0; i < 1000 && fireNext(); i++);
  // A terminated machine ignores everything.
  let terminatedIgnores = true;
  if (s.kind === 'terminated') for (const e of probe) if (step(s, e).effects.length > 0) terminatedIgnores = false;
  const deliveries = effects.flatMap((e) => (e.type === 'deliver' ? [e.delivery] : []));
  return { state: s, deliveries, effects, afterTerminated, terminatedIgnores };
}

const RETRANSMIT: ReadonlySet<string> = new Set(['A', 'E', 'G']);
const noRetransmitTimer = (o: Outcome) => !o.effects.some((e) => e.type === 'startTimer' && RETRANSMIT.has(e.timer));
const common = (t: Test, o: Outcome, isReliable: boolean) => {
  t.equal(o.state.kind, 'terminated', 'ends in terminated');
  t.equal(o.afterTerminated, 0, 'nothing after terminated');
  t.ok(o.terminatedIgnores, 'terminated ignores every event');
  if (isReliable) t.ok(noRetransmitTimer(o), 'no A/E/G over a reliable transport');
};
const isFinal = (d: Delivery) => d.kind === 'timeout' || d.kind === 'transportError' || (d.kind === 'response' && d.res.status >= 200);

t.test('INVITE client: one outcome, then only 2xx; terminated; silent after', async (t) => {
  const invite = request('INVITE');
  const res = (status: number, tag = 'totag') => ({ type: 'response' as const, res: response(invite, status, tag) });
  const catalog: IctEvent[] = [res(100), res(180), res(183), res(200), res(200, 'fork2'), res(486), res(503)];
  const finals = [3, 4, 5, 6];
  fc.assert(
    fc.property(fc.boolean(), acts(catalog.length), fc.constantFrom(...finals), (isReliable, plan, last) => {
      const o = drive(startIct(invite, { isReliable }, CFG), (s, e: IctEvent) => stepIct(s, e, CFG), catalog, plan, [catalog[last]!], catalog);
      const firstFinal = o.deliveries.findIndex(isFinal);
      const ok =
        o.state.kind === 'terminated' &&
        o.afterTerminated === 0 &&
        o.terminatedIgnores &&
        (!isReliable || noRetransmitTimer(o)) &&
        firstFinal >= 0 &&
        o.deliveries.slice(0, firstFinal).every((d) => d.kind === 'response' && d.res.status < 200) &&
        (() => {
          const f = o.deliveries[firstFinal]!;
          const rest = o.deliveries.slice(firstFinal + 1);
          // RFC 6026: after a 2xx only further 2xx reach the TU; after anything else, nothing.
          return f.kind === 'response' && f.res.status < 300 ? rest.every((d) => d.kind === 'response' && d.res.status >= 200 && d.res.status < 300) : rest.length === 0;
        })();
      if (!ok) common(t, o, isReliable);
      return ok;
    }),
    { numRuns: 500 },
  );
});

t.test('non-INVITE client: exactly one final, timeout or transport error; terminated; silent after', async (t) => {
  const options = request('OPTIONS');
  const res = (status: number) => ({ type: 'response' as const, res: response(options, status) });
  const catalog: NictEvent[] = [res(100), res(180), res(200), res(404), res(500)];
  fc.assert(
    fc.property(fc.boolean(), acts(catalog.length), fc.constantFrom(2, 3, 4), (isReliable, plan, last) => {
      const o = drive(startNict(options, { isReliable }, CFG), (s, e: NictEvent) => stepNict(s, e, CFG), catalog, plan, [catalog[last]!], catalog);
      const outcomes = o.deliveries.filter(isFinal);
      const ok =
        o.state.kind === 'terminated' &&
        o.afterTerminated === 0 &&
        o.terminatedIgnores &&
        (!isReliable || noRetransmitTimer(o)) &&
        outcomes.length === 1 &&
        isFinal(o.deliveries[o.deliveries.length - 1]!);
      if (!ok) common(t, o, isReliable);
      return ok;
    }),
    { numRuns: 500 },
  );
});

t.test('INVITE server: the request once, at most one timeout or transport error; terminated; silent after', async (t) => {
  const invite = request('INVITE');
  const ack = request('ACK', { toTag: 'totag' });
  const tu = (status: number) => ({ type: 'tuResponse' as const, res: response(invite, status) });
  const catalog: IstEvent[] = [{ type: 'request', req: invite }, { type: 'ack', ack }, tu(180), tu(183), tu(200), tu(486), tu(603)];
  fc.assert(
    fc.property(fc.boolean(), acts(catalog.length), fc.constantFrom(4, 5, 6), fc.boolean(), (isReliable, plan, last, acked) => {
      const tail = acked ? [catalog[last]!, catalog[1]!] : [catalog[last]!];
      const o = drive(startIst(invite, { isReliable }), (s, e: IstEvent) => stepIst(s, e, CFG), catalog, plan, tail, catalog);
      const failures = o.deliveries.filter((d) => d.kind === 'timeout' || d.kind === 'transportError');
      const ok =
        o.state.kind === 'terminated' &&
        o.afterTerminated === 0 &&
        o.terminatedIgnores &&
        (!isReliable || noRetransmitTimer(o)) &&
        o.deliveries.filter((d) => d.kind === 'request').length === 1 &&
        o.deliveries[0]?.kind === 'request' &&
        failures.length <= 1;
      if (!ok) common(t, o, isReliable);
      return ok;
    }),
    { numRuns: 500 },
  );
});

t.test('non-INVITE server: the request once, at most one transport error; terminated; silent after', async (t) => {
  const bye = request('BYE', { toTag: 'totag' });
  const tu = (status: number) => ({ type: 'tuResponse' as const, res: response(bye, status) });
  const catalog: NistEvent[] = [{ type: 'request', req: bye }, tu(100), tu(180), tu(200), tu(404)];
  fc.assert(
    fc.property(fc.boolean(), acts(catalog.length), fc.constantFrom(3, 4), (isReliable, plan, last) => {
      const o = drive(startNist(bye, { isReliable }), (s, e: NistEvent) => stepNist(s, e, CFG), catalog, plan, [catalog[last]!], catalog);
      const ok =
        o.state.kind === 'terminated' &&
        o.afterTerminated === 0 &&
        o.terminatedIgnores &&
        o.deliveries.filter((d) => d.kind === 'request').length === 1 &&
        o.deliveries.filter((d) => d.kind === 'transportError' || d.kind === 'timeout').length <= 1;
      if (!ok) common(t, o, isReliable);
      return ok;
    }),
    { numRuns: 500 },
  );
});
