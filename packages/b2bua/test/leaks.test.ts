/**
 * Nothing leaks: calls through every path, many at once, on one B2BUA over
 * LoopbackNetwork on a ManualClock; afterwards no call, session, dialog,
 * transaction, hop limit or timer remains anywhere.
 * Paths: answered + caller BYE, answered + callee BYE, caller CANCEL while ringing, every target busy (final 486),
 * parallel fork with a crossing 2xx (ACK + BYE), sequential no-answer then answer, voicemail fallback,
 * delayed offer, retarget, redirect while ringing (both legs CANCELed, voicemail answers), router reject,
 * UDP loss of 10% on every link.
 * - every path in turn, in waves of 100 calls at once, LEAK_CALLS in total (default 300; the 10,000 with LEAK_CALLS=10000)
 * - fast-check: any sequence of paths, started 0-50 ms apart, leaves nothing behind (seed printed on failure)
 */
import t from 'tap';
import fc from 'fast-check';
import type { Call, CallRouter, RouteTarget } from '../src/index.js';
import { SDP_A, SDP_B, rig, uriOf } from './fixtures/harness.js';

const PATHS = ['callerBye', 'calleeBye', 'cancel', 'busy', 'fork', 'noAnswer', 'voicemail', 'delayed', 'retarget', 'redirect', 'reject'] as const;
type Path = (typeof PATHS)[number];

const targetsFor = (path: Path): { targets: RouteTarget[]; mode: 'parallel' | 'sequential' } => {
  switch (path) {
    case 'callerBye':
    case 'calleeBye':
    case 'delayed':
    case 'retarget':
      return { targets: [{ uri: uriOf('B', path === 'calleeBye' ? 'hangup' : 'answer') }], mode: 'sequential' };
    case 'cancel':
    case 'redirect':
      return { targets: [{ uri: uriOf('B', 'ring') }, { uri: uriOf('C', 'ring') }], mode: 'parallel' };
    case 'busy':
    case 'voicemail':
      return { targets: [{ uri: uriOf('B', 'busy') }, { uri: uriOf('C', 'busy') }], mode: 'parallel' };
    case 'fork':
      return { targets: [{ uri: uriOf('B', 'answer') }, { uri: uriOf('C', 'answer') }], mode: 'parallel' };
    case 'noAnswer':
      return { targets: [{ uri: uriOf('B', 'ring'), noAnswerMs: 2000 }, { uri: uriOf('C', 'answer') }], mode: 'sequential' };
    case 'reject':
      return { targets: [], mode: 'parallel' };
  }
};

function world(opts: { loss?: boolean } = {}) {
  const router: CallRouter = {
    route: (invite, call) => {
      const path = (invite.uri.kind === 'sip' ? invite.uri.user : '') as Path;
      if (path === 'reject') return { reject: 403 };
      if (path === 'retarget') answeredThen.set(call, (c) => void c.retarget({ uri: uriOf('C', 'answer') }));
      if (path === 'redirect') ringingThen.set(call, (c) => void c.redirect({ uri: uriOf('V', 'answer') }));
      return targetsFor(path);
    },
    onAllFailed: (_f, suggested, call) => (call.inbound.invite.uri.kind === 'sip' && call.inbound.invite.uri.user === 'voicemail' ? { targets: [{ uri: uriOf('V', 'answer') }] } : { reject: suggested }),
  };
  const answeredThen = new Map<Call, (c: Call) => void>();
  const ringingThen = new Map<Call, (c: Call) => void>();
  const r = rig(router);
  r.b2bua.on((e) => {
    if (e.type === 'ringing') {
      const f = ringingThen.get(e.call);
      ringingThen.delete(e.call);
      if (f) r.clock.setTimeout(() => f(e.call), 150);
    } else if (e.type === 'answered') {
      const f = answeredThen.get(e.call);
      answeredThen.delete(e.call);
      if (f) r.clock.setTimeout(() => f(e.call), 200);
    } else if (e.type === 'ended') {
      answeredThen.delete(e.call);
      ringingThen.delete(e.call);
    }
  });
  // Callees behave by the Request-URI user: answer (after 100-300 ms), hangup (answer, BYE after 500 ms), busy, ring (forever).
  for (const ua of Object.values(r.callees)) {
    ua.onInvite((s) => {
      const user = s.invite.uri.kind === 'sip' ? s.invite.uri.user : '';
      s.on((e) => {
        if (e.type === 'request') e.request.respond(200, e.request.request.method === 'INVITE' ? { body: SDP_B } : {});
        if (e.type === 'confirmed' && user === 'hangup') r.clock.setTimeout(() => s.bye(), 500);
      });
      s.progress(180);
      if (user === 'busy') r.clock.setTimeout(() => s.reject(486), 50);
      else if (user === 'answer' || user === 'hangup') r.clock.setTimeout(() => s.accept({ body: SDP_B }), 100 + Math.floor(r.clock.now() % 3) * 100);
    });
  }
  if (opts.loss) {
    let n = 0;
    for (const a of ['127.0.0.1:5060', '127.0.0.10:5060', '127.0.0.2:5070', '127.0.0.3:5070', '127.0.0.4:5070']) {
      for (const b of ['127.0.0.1:5060', '127.0.0.10:5060', '127.0.0.2:5070', '127.0.0.3:5070', '127.0.0.4:5070']) {
        if (a !== b) r.net.setConditions(a, b, { drop: () => n++ % 10 === 3 });
      }
    }
  }
  const outcomes: string[] = [];
  const place = (path: Path) => {
    const s = r.call({ user: path, ...(path === 'delayed' ? { body: undefined } : {}) });
    s.on((e) => {
      if (e.type === 'confirmed') {
        if (e.isAckPending) s.ack({ body: SDP_A });
        if (path !== 'calleeBye') r.clock.setTimeout(() => s.bye(), path === 'retarget' ? 1500 : 700);
      } else if (e.type === 'early' && path === 'cancel') r.clock.setTimeout(() => s.cancel(), 100);
      else if (e.type === 'request') e.request.respond(200, e.request.request.method === 'INVITE' ? { body: SDP_A } : {});
      else if (e.type === 'terminated') outcomes.push(`${path}:${e.cause.kind}`);
    });
  };
  return { r, place, outcomes };
}

const EXPECTED: Record<Path, string> = {
  callerBye: 'localBye',
  calleeBye: 'remoteBye',
  cancel: 'cancelled',
  busy: 'rejected',
  fork: 'localBye',
  noAnswer: 'localBye',
  voicemail: 'localBye',
  delayed: 'localBye',
  retarget: 'localBye',
  redirect: 'localBye',
  reject: 'rejected',
};

const zero = { calls: 0, sessions: 0, dialogs: 0, lingering: 0, timers: 0, transactions: 0 };

t.test('every path, many calls at once: each ends as it should and nothing is left', async (t) => {
  const total = Number(process.env.LEAK_CALLS ?? 300);
  const { r, place, outcomes } = world();
  // Waves of up to 100 calls at once, 20 ms apart in bursts of 50; each wave drains before the next starts.
  for (let i = 0; i < total; i++) {
    place(PATHS[i % PATHS.length]!);
    if (i % 50 === 49) await r.run(20);
    if (i % 100 === 99) await r.drain(2_000_000);
  }
  await r.drain(2_000_000);
  t.equal(outcomes.length, total, 'every call ended');
  const wrong = outcomes.filter((o) => {
    const [path, cause] = o.split(':') as [Path, string];
    return EXPECTED[path] !== cause;
  });
  t.same(wrong.slice(0, 5), [], 'every call ended the way its path says');
  t.equal(r.b2bua.stats.total, total);
  const { total: _t, ...stats } = r.b2bua.stats;
  t.same(stats, zero, 'the B2BUA holds nothing');
  t.same([r.caller.size, r.callees.B.size, r.callees.C.size, r.callees.V.size], Array(4).fill({ sessions: 0, dialogs: 0, lingering: 0 }));
  t.equal(r.clock.pending, 0, 'no timer left on the clock');
  await r.close();
});

t.test('with 10% of UDP packets lost on every link, every path still completes and nothing is left', async (t) => {
  const { r, place, outcomes } = world({ loss: true });
  const total = 200;
  for (let i = 0; i < total; i++) {
    place(PATHS[i % PATHS.length]!);
    if (i % 20 === 19) await r.run(20);
  }
  await r.drain(2_000_000);
  t.equal(outcomes.length, total, 'every call ended');
  const { total: _t, ...stats } = r.b2bua.stats;
  t.same(stats, zero);
  t.equal(r.clock.pending, 0);
  await r.close();
});

t.test('property: any sequence of paths leaves nothing behind', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 12 }), async (plan) => {
      const { r, place, outcomes } = world();
      for (const [path, gap] of plan) {
        place(path);
        await r.run(gap, 10);
      }
      await r.drain(2_000_000);
      const { total: _t, ...stats } = r.b2bua.stats;
      const ok = outcomes.length === plan.length && JSON.stringify(stats) === JSON.stringify(zero) && r.clock.pending === 0;
      await r.close();
      return ok;
    }),
    { numRuns: Number(process.env.FC_NUM_RUNS ?? 25) },
  );
  t.pass('no leak in any generated sequence');
});
