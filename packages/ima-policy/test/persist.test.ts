/**
 * The state file (docs/policy.md, "State file"):
 * - serializeState writes { version, state }; parseState reads it back equal
 * - not JSON, no or unknown version, newer version -> refused with a code
 * - a file of an older version goes through the migrations one by one; a missing step is refused
 * - checkState names the first damaged field: managers, lists and entries, forward, schedule, assistants, phones
 */
import t from 'tap';
import { STATE_VERSION, checkState, isPolicyState, parseState, serializeState } from '../src/index.js';
import type { ManagerState, PolicyState } from '../src/index.js';
import { STATE } from './fixtures.js';

t.test('round trip', async (t) => {
  const text = serializeState(STATE);
  t.same(JSON.parse(text), { version: STATE_VERSION, state: STATE });
  t.same(parseState(text), { ok: true, state: STATE, migratedFrom: null });
});

t.test('files that cannot be loaded', async (t) => {
  t.match(parseState('{'), { ok: false, code: 'POLICY_STATE_JSON', reason: /^not JSON: / });
  for (const doc of ['null', '3', '{}', '{"version":0}', '{"version":2}', '{"version":1.5}', '{"version":"1"}']) {
    t.match(parseState(doc), { ok: false, code: 'POLICY_STATE_VERSION', reason: /format version .* is not one of 1 to 1/ }, doc);
  }
  t.same(parseState('{"version":1,"state":{}}'), { ok: false, code: 'POLICY_STATE_INVALID', reason: 'state needs managers, assistants and phones' });
});

t.test('migrations', async (t) => {
  // A pretend version 2 that renamed "phones" to "lines", to exercise the path.
  const v1 = serializeState(STATE);
  const toV2 = { 1: (s: unknown) => s };
  t.same(parseState(v1, toV2, 2), { ok: true, state: STATE, migratedFrom: 1 });
  const v2text = JSON.stringify({ version: 2, state: STATE });
  t.same(parseState(v2text, toV2, 2), { ok: true, state: STATE, migratedFrom: null });
  const fromV1Renamed = JSON.stringify({ version: 1, state: { ...STATE, phones: undefined, lines: { '81000': 'idle' } } });
  const rename = { 1: (s: unknown) => { const { lines, ...rest } = s as { lines: unknown }; return { ...rest, phones: lines }; } };
  t.same(parseState(fromV1Renamed, rename, 2), { ok: true, state: { ...STATE, phones: { '81000': 'idle' } }, migratedFrom: 1 });
  t.same(parseState(v1, {}, 3), { ok: false, code: 'POLICY_STATE_VERSION', reason: 'no migration from format version 1' });
  t.same(parseState(v1, { 1: (s: unknown) => s }, 3), { ok: false, code: 'POLICY_STATE_VERSION', reason: 'no migration from format version 2' });
});

t.test('checkState names the first damaged field', async (t) => {
  const alice = STATE.managers['alice'] as ManagerState;
  const withAlice = (patch: Record<string, unknown>): PolicyState => ({ ...STATE, managers: { alice: { ...alice, ...patch } as ManagerState } });
  const cases: readonly [string, unknown, string][] = [
    ['not an object', [], 'state is not an object'],
    ['no phones', { managers: {}, assistants: {} }, 'state needs managers, assistants and phones'],
    ['managers array', { managers: [], assistants: {}, phones: {} }, 'state needs managers, assistants and phones'],
    ['manager', { ...STATE, managers: { alice: 3 } }, 'managers.alice is not valid'],
    ['lists', withAlice({ lists: null }), 'managers.alice is not valid'],
    ['list', withAlice({ lists: { ...alice.lists, screen: [] } }), 'managers.alice.lists.screen is not valid'],
    ['entry key', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '2', expiry: { kind: 'never' } } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['entry', withAlice({ lists: { ...alice.lists, block: { '1': 'x' } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1', expiry: { kind: 'at', at: -1 } } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry kind', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1', expiry: { kind: 'soon' } } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry at 0', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1', expiry: { kind: 'at', at: 0 } } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry null', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1', expiry: null } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry missing', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1' } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['expiry type', withAlice({ lists: { ...alice.lists, block: { '1': { pattern: '1', expiry: 'never' } } } }), 'managers.alice.lists.block["1"] is not valid'],
    ['vip assistant', withAlice({ lists: { ...alice.lists, vip: { '1': { pattern: '1', expiry: { kind: 'never' } } } } }), 'managers.alice.lists.vip["1"] is not valid'],
    ['filter', withAlice({ isFilterOn: 'yes' }), 'managers.alice.isFilterOn is not valid'],
    ['filter mode', withAlice({ filterMode: 'x' }), 'managers.alice.filterMode is not valid'],
    ['availability', withAlice({ availability: 'x' }), 'managers.alice.availability is not valid'],
    ['forward', withAlice({ forward: { kind: 'target', target: 'desk' } }), 'managers.alice.forward is not valid'],
    ['forward number', withAlice({ forward: { kind: 'number', number: 'x' } }), 'managers.alice.forward is not valid'],
    ['forward number type', withAlice({ forward: { kind: 'number', number: 1 } }), 'managers.alice.forward is not valid'],
    ['forward kind', withAlice({ forward: { kind: 'all' } }), 'managers.alice.forward is not valid'],
    ['forward null', withAlice({ forward: null }), 'managers.alice.forward is not valid'],
    ['block action', withAlice({ blockAction: 'x' }), 'managers.alice.blockAction is not valid'],
    ['active', withAlice({ active: 'bob' }), 'managers.alice.active is not valid'],
    ['active ids', withAlice({ active: [1] }), 'managers.alice.active is not valid'],
    ['alerting', withAlice({ alerting: 'x' }), 'managers.alice.alerting is not valid'],
    ['no answer', withAlice({ noAnswerMs: 0 }), 'managers.alice.noAnswerMs is not valid'],
    ['fallback', withAlice({ fallback: 'x' }), 'managers.alice.fallback is not valid'],
    ['schedule', withAlice({ schedule: { hours: {} } }), 'managers.alice.schedule is not valid'],
    ['schedule type', withAlice({ schedule: 'always' }), 'managers.alice.schedule is not valid'],
    ['schedule hours', withAlice({ schedule: { hours: [{ day: 'mon', from: '10:00', to: '09:00' }], outside: { kind: 'target', target: 'desk' } } }), 'managers.alice.schedule is not valid'],
    ['one bad hour among good ones', withAlice({ schedule: { hours: [{ day: 'mon', from: '09:00', to: '10:00' }, { day: 'mon', from: '10:00', to: '09:00' }], outside: { kind: 'target', target: 'desk' } } }), 'managers.alice.schedule is not valid'],
    ['schedule hour', withAlice({ schedule: { hours: [7], outside: { kind: 'target', target: 'desk' } } }), 'managers.alice.schedule is not valid'],
    ['schedule outside', withAlice({ schedule: { hours: [], outside: { kind: 'off' } } }), 'managers.alice.schedule is not valid'],
    ['assistant', { ...STATE, assistants: { bob: { availability: 'busy' } } }, 'assistants.bob is not valid'],
    ['assistant type', { ...STATE, assistants: { bob: null } }, 'assistants.bob is not valid'],
    ['phone', { ...STATE, phones: { '81000': 'ringing-ish' } }, 'phones.81000 is not valid'],
  ];
  for (const [name, value, problem] of cases) {
    t.equal(checkState(value), problem, name);
    t.notOk(isPolicyState(value), name);
  }
  const good = withAlice({
    forward: { kind: 'number', number: '555' },
    schedule: { hours: [{ day: 'mon', from: '09:00', to: '10:00' }], outside: { kind: 'number', number: '555' } },
    lists: { ...alice.lists, vip: { '1': { pattern: '1', expiry: { kind: 'at', at: 1 }, assistantId: 'bob' } } },
  });
  t.equal(checkState(good), undefined);
  t.ok(isPolicyState(good));
  t.ok(isPolicyState(withAlice({ forward: { kind: 'target', target: 'mobile' } })));
  t.ok(isPolicyState(withAlice({ schedule: { hours: [{ day: 'sat', from: '00:00', to: '24:00' }], outside: { kind: 'target', target: 'voicemail' } } })), 'outside hours to a target');
  const damaged = JSON.stringify({ version: STATE_VERSION, state: withAlice({ lists: { ...alice.lists, vip: { '1': { pattern: '1', expiry: null, assistantId: 'bob' } } } }) });
  t.same(parseState(damaged), { ok: false, code: 'POLICY_STATE_INVALID', reason: 'managers.alice.lists.vip["1"] is not valid' }, 'a null expiry is refused, not thrown on');
});
