/**
 * Properties over generated directories, states (reached by generated command sequences),
 * calls and instants (the list):
 * - route is total and deterministic, and every decision has a destination
 * - a whitelisted caller reaches the desk when filter is on and the desk idle, no forward, no block
 * - filter off reaches the desk unless a forward, block or schedule says otherwise
 * - no decision alerts an assistant who is away, offline, on a busy/dnd/offline phone, inactive or outside the pool
 * - an assistant calling their manager reaches the desk exactly when the manager is available
 * - an expired entry is as good as none; a one-call entry lets exactly one call through
 * - exclusive mode screens exactly the screen-list callers
 * - a refused command changes nothing; no command mutates its input; replay gives the same state
 * - every reachable state is well formed (active within the pool) and survives the JSON round trip
 * - a reload keeps the runtime settings of users that remain and drops those of users that are gone
 */
import fc from 'fast-check';
import t from 'tap';
import { callerKeys, findEntry, initialState, parseState, route, serializeState, step } from '../src/index.js';
import { checkState } from '../src/index.js';
import type { Call, Decision, Directory, ManagerState, PolicyState } from '../src/index.js';
import { applyAll, callArb, callerArb, commandArb, directoryInputArb, mustBuild, timeArb, worldArb } from './arbitraries.js';

// FC_NUM_RUNS lowers the count where the suite runs hundreds of times (the mutation run).
const RUNS = { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 300) };

/** The world, with one manager's settings replaced, and a call to that manager. */
const scenarioArb = worldArb.chain((world) =>
  fc.record({
    world: fc.constant(world),
    managerId: fc.constantFrom(...world.directory.managers.keys()),
    caller: callerArb(world.directory),
    now: timeArb,
  }),
);

function patch(state: PolicyState, id: string, change: Partial<ManagerState>): PolicyState {
  return { ...state, managers: { ...state.managers, [id]: { ...(state.managers[id] as ManagerState), ...change } } };
}

function callFor(directory: Directory, managerId: string, caller: string): Call {
  return { callerNumber: caller, calledNumber: directory.managers.get(managerId)?.number ?? '' };
}

/** True when the caller is an assistant in this manager's pool (rule 4 applies). */
function isPoolAssistant(directory: Directory, managerId: string, caller: string): boolean {
  const keys = callerKeys(caller, directory.plan);
  const assistant = keys.map((k) => directory.assistantByNumber.get(k)).find((a) => a !== undefined);
  return assistant !== undefined && (directory.managers.get(managerId)?.pool.includes(assistant.id) ?? false);
}

const NEUTRAL: Partial<ManagerState> = { forward: { kind: 'off' }, schedule: null };
const withoutBlock = (s: ManagerState): Partial<ManagerState> => ({ ...NEUTRAL, lists: { ...s.lists, block: {} } });

function hasDestination(d: Decision): boolean {
  switch (d.kind) {
    case 'manager':
    case 'forward':
      return d.number.length > 0;
    case 'assistants':
      return d.assistants.length > 0 && hasDestination(d.fallback);
    case 'reject':
      return [404, 486, 603].includes(d.status);
  }
}

t.test('route is total and deterministic', async () => {
  fc.assert(
    fc.property(
      worldArb.chain((w) => fc.tuple(fc.constant(w), callArb(w.directory), timeArb)),
      ([{ directory, state }, call, now]) => {
        const d = route(directory, state, call, now);
        return hasDestination(d) && d.reason.length > 0 && JSON.stringify(route(directory, state, call, now)) === JSON.stringify(d);
      },
    ),
    RUNS,
  );
});

t.test('a whitelisted caller reaches the idle desk when the filter is on', async () => {
  fc.assert(
    fc.property(scenarioArb, ({ world: { directory, state }, managerId, caller, now }) => {
      fc.pre(!isPoolAssistant(directory, managerId, caller));
      const manager = directory.managers.get(managerId)!;
      const added = step(directory, state, {
        type: 'addEntry',
        by: { kind: 'system' },
        managerId,
        entry: { list: 'whitelist', pattern: caller, expiry: { kind: 'never' } },
      });
      fc.pre(added.ok);
      const s0 = added.ok ? added.state : state;
      let s = patch(s0, managerId, { ...withoutBlock(s0.managers[managerId]!), isFilterOn: true, filterMode: 'inclusive' });
      s = { ...s, phones: { ...s.phones, [manager.targets.desk]: 'idle' } };
      const d = route(directory, s, callFor(directory, managerId, caller), now);
      return d.kind === 'manager' && d.target === 'desk' && d.number === manager.targets.desk;
    }),
    RUNS,
  );
});

t.test('filter off reaches the desk unless forward, block or schedule', async () => {
  fc.assert(
    fc.property(scenarioArb, ({ world: { directory, state }, managerId, caller, now }) => {
      const s = patch(state, managerId, { ...withoutBlock(state.managers[managerId]!), isFilterOn: false });
      const d = route(directory, s, callFor(directory, managerId, caller), now);
      if (isPoolAssistant(directory, managerId, caller) && s.managers[managerId]!.availability !== 'available') return d.kind === 'reject';
      return d.kind === 'manager' && d.target === 'desk';
    }),
    RUNS,
  );
});

t.test('no decision alerts an assistant who cannot take the call', async () => {
  fc.assert(
    fc.property(worldArb.chain((w) => fc.tuple(fc.constant(w), callArb(w.directory), timeArb)), ([{ directory, state }, call, now]) => {
      const d = route(directory, state, call, now);
      if (d.kind !== 'assistants') return true;
      const manager = directory.managers.get(d.managerId)!;
      const settings = state.managers[d.managerId]!;
      return d.assistants.every(({ id, number }) => {
        const phone = state.phones[number] ?? 'unknown';
        return (
          manager.pool.includes(id) &&
          settings.active.includes(id) &&
          state.assistants[id]?.availability === 'available' &&
          !['busy', 'dnd', 'offline'].includes(phone)
        );
      });
    }),
    RUNS,
  );
});

t.test('an assistant reaches the desk exactly when the manager is available', async () => {
  const arb = worldArb
    .filter((w) => [...w.directory.managers.values()].some((m) => m.pool.length > 0))
    .chain((w) => {
      const managers = [...w.directory.managers.values()].filter((m) => m.pool.length > 0);
      return fc.record({ world: fc.constant(w), manager: fc.constantFrom(...managers), index: fc.nat(), now: timeArb });
    });
  fc.assert(
    fc.property(arb, ({ world: { directory, state }, manager, index, now }) => {
      const assistant = directory.assistants.get(manager.pool[index % manager.pool.length]!)!;
      const s = patch(state, manager.id, withoutBlock(state.managers[manager.id]!));
      const d = route(directory, s, callFor(directory, manager.id, assistant.number), now);
      const isDesk = d.kind === 'manager' && d.target === 'desk';
      return isDesk === (s.managers[manager.id]!.availability === 'available') && (isDesk || (d.kind === 'reject' && d.status === 486));
    }),
    RUNS,
  );
});

t.test('an expired entry is as good as none; a one-call entry lets one call through', async () => {
  fc.assert(
    fc.property(scenarioArb, fc.integer({ min: 0, max: 3_600_000 }), ({ world: { directory, state }, managerId, caller, now }, age) => {
      fc.pre(!isPoolAssistant(directory, managerId, caller));
      const manager = directory.managers.get(managerId)!;
      const base = patch(state, managerId, { ...withoutBlock(state.managers[managerId]!), isFilterOn: true, filterMode: 'inclusive' });
      const clean = { ...base, phones: { ...base.phones, [manager.targets.desk]: 'idle' as const } };
      const emptied = patch(clean, managerId, { lists: { ...clean.managers[managerId]!.lists, whitelist: {} } });
      const add = (expiry: { kind: 'at'; at: number } | { kind: 'one-call' }) =>
        step(directory, emptied, { type: 'addEntry', by: { kind: 'system' }, managerId, entry: { list: 'whitelist', pattern: caller, expiry } });
      const call = callFor(directory, managerId, caller);
      const none = route(directory, emptied, call, now);
      const expired = add({ kind: 'at', at: now - age });
      fc.pre(expired.ok && now - age > 0);
      if (!expired.ok || JSON.stringify(route(directory, expired.state, call, now)) !== JSON.stringify(none)) return false;
      const once = add({ kind: 'one-call' });
      if (!once.ok) return false;
      const first = route(directory, once.state, call, now);
      if (first.kind !== 'manager' || first.consumes.length !== 1) return false;
      const used = first.consumes[0]!;
      const spent = step(directory, once.state, { type: 'entryUsed', by: { kind: 'system' }, ...used });
      return spent.ok && JSON.stringify(route(directory, spent.state, call, now)) === JSON.stringify(none);
    }),
    RUNS,
  );
});

t.test('exclusive mode screens exactly the screen-list callers', async () => {
  fc.assert(
    fc.property(scenarioArb, ({ world: { directory, state }, managerId, caller, now }) => {
      fc.pre(!isPoolAssistant(directory, managerId, caller));
      const s = patch(state, managerId, { ...withoutBlock(state.managers[managerId]!), isFilterOn: true, filterMode: 'exclusive' });
      const d = route(directory, s, callFor(directory, managerId, caller), now);
      const isListed = findEntry(s.managers[managerId]!.lists.screen, callerKeys(caller, directory.plan), now) !== undefined;
      const rang = d.kind === 'manager' && d.reason.endsWith('is not on the screen list');
      return isListed ? !rang && d.reason.includes('is on the screen list') : rang;
    }),
    RUNS,
  );
});

t.test('refused commands change nothing; commands never mutate; replay is the same', async () => {
  fc.assert(
    fc.property(worldArb.chain((w) => fc.tuple(fc.constant(w), fc.array(commandArb(w.directory), { maxLength: 20 }))), ([{ directory, state }, commands]) => {
      let s = state;
      for (const c of commands) {
        const before = structuredClone(s);
        const result = step(directory, s, c);
        if (JSON.stringify(before) !== JSON.stringify(s)) return false;
        if (!result.ok && Object.hasOwn(result, 'state')) return false;
        if (result.ok) s = result.state;
      }
      return JSON.stringify(applyAll(directory, state, commands)) === JSON.stringify(s);
    }),
    RUNS,
  );
});

t.test('reachable states are well formed and survive the JSON round trip', async () => {
  fc.assert(
    fc.property(worldArb, ({ directory, state }) => {
      const wellFormed = checkState(state) === undefined;
      const inPool = [...directory.managers.values()].every((m) => state.managers[m.id]!.active.every((id) => m.pool.includes(id)));
      const loaded = parseState(serializeState(state));
      return wellFormed && inPool && loaded.ok && JSON.stringify(loaded.state) === JSON.stringify(state);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(worldArb, ({ state }) => {
      const loaded = parseState(serializeState(state));
      t.same(loaded.ok && loaded.state, state);
    }),
    { numRuns: 50 },
  );
});

t.test('a reload keeps the settings of users that remain and drops the rest', async () => {
  const arb = fc.tuple(worldArb, directoryInputArb).map(([world, input]) => ({ world, next: mustBuild(input) }));
  fc.assert(
    fc.property(arb, ({ world: { directory, state }, next }) => {
      const result = step(directory, state, { type: 'directoryReplaced', by: { kind: 'system' }, directory: next });
      if (!result.ok) return false;
      const after = result.state;
      const fresh = initialState(next);
      const managersOk = [...next.managers.values()].every((m) => {
        const before = state.managers[m.id];
        if (before === undefined) return JSON.stringify(after.managers[m.id]) === JSON.stringify(fresh.managers[m.id]);
        const vip = Object.fromEntries(Object.entries(before.lists.vip).filter(([, e]) => m.pool.includes(e.assistantId)));
        const expected = { ...before, active: before.active.filter((id) => m.pool.includes(id)), lists: { ...before.lists, vip } };
        return JSON.stringify(after.managers[m.id]) === JSON.stringify(expected);
      });
      const assistantsOk = [...next.assistants.values()].every(
        (a) => JSON.stringify(after.assistants[a.id]) === JSON.stringify(state.assistants[a.id] ?? fresh.assistants[a.id]),
      );
      const goneOk =
        Object.keys(after.managers).every((id) => next.managers.has(id)) &&
        Object.keys(after.assistants).every((id) => next.assistants.has(id)) &&
        Object.keys(after.phones).every((n) => next.monitored.has(n) && after.phones[n] === state.phones[n]);
      return managersOk && assistantsOk && goneOk;
    }),
    RUNS,
  );
});
