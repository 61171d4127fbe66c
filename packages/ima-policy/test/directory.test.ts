/**
 * buildDirectory and the state that goes with a directory:
 * - the DESIGN.md example builds; defaults fill what the YAML leaves out; indexes find managers and assistants by canonical number
 * - every problem is reported with its path: numbering plan, ids, numbers (format and uniqueness), targets,
 *   pool and active references, enumerated settings, no-answer range, fallback target, whitelist patterns, time zone, users;
 *   one fault is one problem, and valid values at the edges of each range build
 * - initialState takes the YAML values; reconcileState keeps the runtime state of users that remain, drops the rest,
 *   trims active and VIP entries to the new pool, and keeps only monitored phones
 * - directoryReplaced reports who came and went
 */
import t from 'tap';
import { MANAGER_DEFAULTS, buildDirectory, initialState, reconcileState, step } from '../src/index.js';
import type { DirectoryInput, ManagerInput, PolicyState } from '../src/index.js';
import { ALICE, DAVE, DIRECTORY, INPUT, STATE, SYSTEM, directoryOf, patchManager, withAssistant, withPhone } from './fixtures.js';

const problemsOf = (input: DirectoryInput): readonly { path: string; message: string }[] => {
  const result = buildDirectory(input);
  return result.ok ? [] : result.problems;
};
const withManager = (patch: Partial<Record<keyof ManagerInput, unknown>>): DirectoryInput => ({
  ...INPUT,
  managers: [{ ...ALICE, ...patch } as ManagerInput, DAVE],
});

t.test('the example directory', async (t) => {
  t.equal(DIRECTORY.managerByNumber.get('1000')?.id, 'alice');
  t.equal(DIRECTORY.assistantByNumber.get('2001')?.id, 'carol');
  t.same([...DIRECTORY.monitored].sort(), ['2000', '2001', '2002', '81000', '81001']);
  t.strictSame(DIRECTORY.plan, { internationalPrefix: '00', accessCodes: [], extensionMaxLength: 5, countryCode: '39' }, 'no key for what the YAML leaves out');
  const dave = STATE.managers['dave'];
  t.same(dave, {
    isFilterOn: MANAGER_DEFAULTS.isFilterOn,
    filterMode: 'inclusive',
    availability: 'available',
    forward: { kind: 'off' },
    lists: { whitelist: {}, screen: {}, vip: {}, block: {} },
    blockAction: 'voicemail',
    active: ['carol'],
    alerting: 'parallel',
    noAnswerMs: 20_000,
    fallback: 'voicemail',
    schedule: null,
  });
  t.equal(DIRECTORY.managers.get('dave')?.timeZone, 'UTC');
  t.same(Object.keys(STATE.managers['alice']!.lists.whitelist), ['+39021234567', '3*']);
  t.same(STATE.assistants, { bob: { availability: 'available' }, carol: { availability: 'available' }, erin: { availability: 'available' } });
  const minimal = buildDirectory({ managers: [], assistants: [], users: [] });
  t.strictSame(minimal.ok && minimal.directory.plan, { internationalPrefix: '00', accessCodes: [], extensionMaxLength: 6 });
  const away = directoryOf({ ...INPUT, assistants: [{ id: 'x', name: 'X', number: '3000', availability: 'away' }], managers: [], users: [] });
  t.same(initialState(away).assistants, { x: { availability: 'away' } });
});

t.test('problems, each with its path', async (t) => {
  const cases: readonly [string, DirectoryInput, string, RegExp][] = [
    ['country code', { ...INPUT, numbering: { countryCode: '039' } }, 'numbering.countryCode', /1 to 3 digits/],
    ['country code of 4 digits', { ...INPUT, numbering: { countryCode: '3901' } }, 'numbering.countryCode', /1 to 3 digits/],
    ['trunk prefix', { ...INPUT, numbering: { trunkPrefix: 'O' } }, 'numbering.trunkPrefix', /1 to 4 digits/],
    ['international prefix', { ...INPUT, numbering: { internationalPrefix: '' } }, 'numbering.internationalPrefix', /1 to 4 digits/],
    ['access code', { ...INPUT, numbering: { accessCodes: ['9', '99999'] } }, 'numbering.accessCodes[1]', /1 to 4 digits/],
    ['extension length 0', { ...INPUT, numbering: { extensionMaxLength: 0 } }, 'numbering.extensionMaxLength', /1 to 15/],
    ['extension length 16', { ...INPUT, numbering: { extensionMaxLength: 16 } }, 'numbering.extensionMaxLength', /1 to 15/],
    ['extension length 2.5', { ...INPUT, numbering: { extensionMaxLength: 2.5 } }, 'numbering.extensionMaxLength', /1 to 15/],
    ['assistant id', { ...INPUT, assistants: [...INPUT.assistants, { id: 'a b', name: '', number: '2999' }] }, 'assistants[3].id', /letters, digits/],
    ['duplicate assistant', { ...INPUT, assistants: [...INPUT.assistants, { id: 'bob', name: '', number: '2999' }] }, 'assistants[3].id', /duplicate id "bob"/],
    ['assistant number', { ...INPUT, assistants: [...INPUT.assistants, { id: 'x', name: '', number: 'two' }] }, 'assistants[3].number', /"two" is not a number/],
    ['shared number', { ...INPUT, assistants: [...INPUT.assistants, { id: 'x', name: '', number: '1000' }] }, 'managers[0].number', /^"1000" is already the number of assistants\[3\]\.number$/],
    ['assistant availability', { ...INPUT, assistants: [{ id: 'bob', name: '', number: '2000', availability: 'busy' as never }] }, 'assistants[0].availability', /available, away, offline/],
    ['duplicate manager', { ...INPUT, managers: [ALICE, { ...DAVE, id: 'alice' }] }, 'managers[1].id', /duplicate id "alice"/],
    ['manager number', withManager({ number: '10OO' }), 'managers[0].number', /"10OO" is not a number/],
    ['same public number', { ...INPUT, managers: [ALICE, { ...DAVE, number: '1 000' }] }, 'managers[1].number', /already the number of managers\[0\]/],
    ['desk missing', withManager({ targets: { voicemail: '8000' } }), 'managers[0].targets.desk', /is required/],
    ['voicemail missing', withManager({ targets: { desk: '81000' } }), 'managers[0].targets.voicemail', /is required/],
    ['bad target', withManager({ targets: { desk: '81000', voicemail: '8000', mobile: 'cell' } }), 'managers[0].targets.mobile', /"cell" is not a number/],
    ['pool stranger', withManager({ assistants: ['bob', 'zed'] }), 'managers[0].assistants[1]', /"zed" is not an assistant/],
    ['pool twice', withManager({ assistants: ['bob', 'bob'], active: [] }), 'managers[0].assistants[1]', /"bob" is listed twice/],
    ['active stranger', withManager({ active: ['erin'] }), 'managers[0].active[0]', /not in the manager's pool/],
    ['filter', withManager({ filter: 'on' }), 'managers[0].filter', /true or false/],
    ['filter mode', withManager({ filterMode: 'both' }), 'managers[0].filterMode', /inclusive, exclusive/],
    ['availability', withManager({ availability: 'out' }), 'managers[0].availability', /available, busy, away/],
    ['block action', withManager({ blockAction: 'drop' }), 'managers[0].blockAction', /voicemail, reject/],
    ['alerting', withManager({ alerting: 'all' }), 'managers[0].alerting', /parallel, sequential, first-available/],
    ['fallback', withManager({ fallback: 'softphone' }), 'managers[0].fallback', /voicemail, mobile, alternative, desk/],
    ['fallback target', { ...INPUT, managers: [ALICE, { ...DAVE, fallback: 'mobile' }] }, 'managers[1].fallback', /has no mobile target/],
    ['fallback alternative', { ...INPUT, managers: [ALICE, { ...DAVE, fallback: 'alternative' }] }, 'managers[1].fallback', /has no alternative target/],
    ['no answer', withManager({ noAnswerMs: 500 }), 'managers[0].noAnswerMs', /1000 to 300000/],
    ['whitelist', withManager({ whitelist: ['3*', 'friends'] }), 'managers[0].whitelist[1]', /"friends" is not a number or a trailing-\* prefix/],
    ['time zone', withManager({ timeZone: 'Europe/Milano' }), 'managers[0].timeZone', /"Europe\/Milano" is not a known IANA time zone/],
    ['user login', { ...INPUT, users: [{ login: '', role: 'admin' }] }, 'users[0].login', /letters, digits/],
    ['duplicate login', { ...INPUT, users: [...INPUT.users, { login: 'bob', role: 'admin' }] }, 'users[6].login', /duplicate id "bob"/],
    ['user manager', { ...INPUT, users: [{ login: 'x', role: 'manager', manager: 'zed' }] }, 'users[0].manager', /"zed" is not a manager/],
    ['user assistant', { ...INPUT, users: [{ login: 'x', role: 'assistant', assistant: 'zed' }] }, 'users[0].assistant', /"zed" is not an assistant/],
    ['user role', { ...INPUT, users: [{ login: 'x', role: 'root' } as never] }, 'users[0].role', /admin, manager, assistant/],
  ];
  for (const [name, input, path, message] of cases) {
    const problems = problemsOf(input);
    const found = problems.find((p) => p.path === path);
    t.ok(found, `${name}: ${path} reported (got ${JSON.stringify(problems)})`);
    if (found !== undefined) t.match(found.message, message, name);
  }
  t.same(problemsOf(withManager({ availability: 'out', alerting: 'all' })).map((p) => p.path), ['managers[0].availability', 'managers[0].alerting'], 'all at once');
  t.same(problemsOf(withManager({ targets: { desk: '81000' } })).map((p) => p.path), ['managers[0].targets.voicemail'], 'a missing voicemail is one problem');
  t.same(problemsOf(withManager({ targets: { voicemail: '8000' }, fallback: 'desk' })).map((p) => p.path), ['managers[0].targets.desk'], 'a missing desk is one problem');
});

t.test('valid inputs at the edges build', async (t) => {
  const inputs: readonly [string, DirectoryInput][] = [
    ['one-digit country code', { ...INPUT, numbering: { countryCode: '1' } }],
    ['three-digit country code, trunk prefix, access codes', { ...INPUT, numbering: { countryCode: '358', trunkPrefix: '0', accessCodes: ['9', '0'] } }],
    ['extensions of 1 digit', { ...INPUT, numbering: { extensionMaxLength: 1 } }],
    ['extensions of 15 digits', { ...INPUT, numbering: { extensionMaxLength: 15 } }],
    ['fallback to a mobile the manager has', withManager({ fallback: 'mobile' })],
    ['fallback to an alternative the manager has', withManager({ fallback: 'alternative' })],
    ['fallback to the desk', withManager({ fallback: 'desk' })],
    ['an optional target given as undefined', withManager({ targets: { ...ALICE.targets, mobile: undefined } })],
  ];
  for (const [name, input] of inputs) t.same(problemsOf(input), [], name);
});

t.test('reconcileState and directoryReplaced', async (t) => {
  let state: PolicyState = patchManager(STATE, 'alice', {
    isFilterOn: false,
    active: ['carol', 'bob'],
    lists: {
      ...STATE.managers['alice']!.lists,
      vip: {
        '555': { pattern: '555', expiry: { kind: 'never' }, assistantId: 'carol' },
        '556': { pattern: '556', expiry: { kind: 'never' }, assistantId: 'bob' },
      },
    },
  });
  state = withPhone(withPhone(withAssistant(state, 'erin', 'offline'), '81001', 'busy'), '2000', 'idle');
  const next = directoryOf({
    ...INPUT,
    managers: [{ ...ALICE, assistants: ['bob', 'erin'], active: [] }, { ...DAVE, id: 'frank', number: '1002', targets: { desk: '81002', voicemail: '8000' }, assistants: [] }],
    assistants: INPUT.assistants.filter((a) => a.id !== 'carol'),
    users: [{ login: 'admin', role: 'admin' }],
  });
  const reconciled = reconcileState(next, state);
  t.same(reconciled.managers['alice'], {
    ...state.managers['alice'],
    active: ['bob'],
    lists: { ...state.managers['alice']!.lists, vip: { '556': state.managers['alice']!.lists.vip['556'] } },
  });
  t.same(reconciled.managers['frank'], next.managers.get('frank')?.initial);
  t.same(Object.keys(reconciled.managers), ['alice', 'frank']);
  t.same(reconciled.assistants, { bob: { availability: 'available' }, erin: { availability: 'offline' } });
  t.same(reconciled.phones, { '2000': 'idle' });
  const replaced = step(DIRECTORY, state, { type: 'directoryReplaced', by: SYSTEM, directory: next });
  t.same(replaced, {
    ok: true,
    state: reconciled,
    events: [{ type: 'directoryReplaced', managersAdded: ['frank'], managersRemoved: ['dave'], assistantsAdded: [], assistantsRemoved: ['carol'] }],
  });
  const { assistants: _pool, ...noPool } = DAVE;
  const odd = directoryOf({ managers: [{ ...noPool, id: '__proto__' }], assistants: [{ id: 'constructor', name: '', number: '2000' }], users: [] });
  const oddState = initialState(odd);
  t.ok(Object.hasOwn(oddState.managers, '__proto__'), '"__proto__" is an ordinary id');
  t.same(Object.keys(oddState.assistants), ['constructor']);
  t.equal(Object.getPrototypeOf(oddState.managers), Object.prototype);
  t.same(odd.managers.get('__proto__')?.pool, [], 'no assistants key: an empty pool');
});
