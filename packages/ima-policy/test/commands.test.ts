/**
 * step(): every command and every refusal.
 * - who may act: manager on self only; assistant on the managers whose pool holds them and on
 *   their own availability; admin and system everywhere; system-only facts refused to managers
 *   and assistants; unknown login, missing actor and unknown command type refused
 * - each manager setting: accepted value stored (as a copy) with a managerChanged event naming the field;
 *   invalid value refused with POLICY_INVALID_VALUE; a target the manager lacks refused with POLICY_NO_SUCH_TARGET
 * - lists: add (canonical pattern, expiry kinds, VIP in pool), remove, entryUsed spends one-call entries only
 * - setting the current value is an explicit no-op ("unchanged")
 * - assistant availability, phone states (canonical, monitored numbers only), expireEntries
 * - a refused command returns no state: the caller's state is untouched
 */
import t from 'tap';
import type { Test } from 'tap';
import { step } from '../src/index.js';
import type { Actor, Command, ManagerCommand, PolicyState, RefusalCode, StepResult } from '../src/index.js';
import { DIRECTORY, STATE, SYSTEM, as } from './fixtures.js';

const onAlice = (by: Actor, change: ManagerCommand): Command => ({ ...change, by, managerId: 'alice' }) as Command;
const run = (command: Command, state: PolicyState = STATE): StepResult => step(DIRECTORY, state, command);
const stateOf = (result: StepResult): PolicyState => {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.state;
};
const refusedWith = (t: Test, result: StepResult, code: RefusalCode, reason?: RegExp): void => {
  t.equal(result.ok, false);
  if (!result.ok) {
    t.equal(result.code, code);
    if (reason !== undefined) t.match(result.reason, reason);
  }
};

t.test('who may act', async (t) => {
  const filterOff: ManagerCommand = { type: 'setFilter', isOn: false };
  for (const login of ['alice', 'bob', 'carol', 'admin']) t.equal(run(onAlice(as(login), filterOff)).ok, true, `${login} on alice`);
  t.equal(run(onAlice(SYSTEM, filterOff)).ok, true, 'system on alice');
  refusedWith(t, run(onAlice(as('dave'), filterOff)), 'POLICY_FORBIDDEN', /^dave may not change the settings of manager alice$/);
  refusedWith(t, run(onAlice(as('erin'), filterOff)), 'POLICY_FORBIDDEN', /erin may not/);
  refusedWith(t, run(onAlice(as('mallory'), filterOff)), 'POLICY_UNKNOWN_USER', /no user "mallory"/);
  refusedWith(t, run({ ...filterOff, by: as('admin'), managerId: 'zed' }), 'POLICY_UNKNOWN_MANAGER', /no manager "zed"/);
  refusedWith(t, run({ type: 'nope', by: SYSTEM } as unknown as Command), 'POLICY_INVALID_VALUE', /unknown command "nope"/);
  refusedWith(t, run(undefined as unknown as Command), 'POLICY_INVALID_VALUE', /unknown command "undefined"/);
  refusedWith(t, run({ ...filterOff, managerId: 'alice' } as unknown as Command), 'POLICY_UNKNOWN_USER', /needs an actor/);
  refusedWith(t, run({ ...filterOff, managerId: 'alice', by: { kind: 'user' } } as unknown as Command), 'POLICY_UNKNOWN_USER');

  const availability = (by: Actor, assistantId = 'bob'): Command => ({ type: 'setAssistantAvailability', by, assistantId, availability: 'away' });
  for (const login of ['bob', 'admin']) t.equal(run(availability(as(login))).ok, true, `${login} on bob's availability`);
  for (const login of ['carol', 'alice']) {
    refusedWith(t, run(availability(as(login))), 'POLICY_FORBIDDEN', new RegExp(`^${login} may not change the availability of assistant bob$`));
  }
  refusedWith(t, run(availability(SYSTEM, 'zed')), 'POLICY_UNKNOWN_ASSISTANT', /no assistant "zed"/);

  const phone: Command = { type: 'phoneStateChanged', by: as('alice'), number: '81000', phone: 'busy' };
  refusedWith(t, run(phone), 'POLICY_FORBIDDEN', /^alice may not change what only the system reports$/);
  refusedWith(t, run({ ...phone, by: as('bob') }), 'POLICY_FORBIDDEN');
  t.equal(run({ ...phone, by: as('admin') }).ok, true);
  refusedWith(t, run({ type: 'expireEntries', by: as('bob'), now: 1 }), 'POLICY_FORBIDDEN');
  refusedWith(t, run({ type: 'directoryReplaced', by: as('alice'), directory: DIRECTORY }), 'POLICY_FORBIDDEN');
});

t.test('manager settings: stored, or refused as invalid', async (t) => {
  const cases: readonly { change: ManagerCommand; field: string; value: unknown; bad: ManagerCommand; why: RegExp }[] = [
    { change: { type: 'setFilter', isOn: false }, field: 'isFilterOn', value: false, bad: { type: 'setFilter', isOn: 'no' as never }, why: /true or false/ },
    { change: { type: 'setFilterMode', mode: 'exclusive' }, field: 'filterMode', value: 'exclusive', bad: { type: 'setFilterMode', mode: 'x' as never }, why: /filter mode must be one of inclusive, exclusive/ },
    { change: { type: 'setAvailability', availability: 'away' }, field: 'availability', value: 'away', bad: { type: 'setAvailability', availability: 'gone' as never }, why: /availability must be/ },
    { change: { type: 'setBlockAction', action: 'reject' }, field: 'blockAction', value: 'reject', bad: { type: 'setBlockAction', action: 'drop' as never }, why: /block action/ },
    { change: { type: 'setAlerting', alerting: 'sequential' }, field: 'alerting', value: 'sequential', bad: { type: 'setAlerting', alerting: 'all' as never }, why: /alerting must be/ },
    { change: { type: 'setNoAnswer', noAnswerMs: 1_000 }, field: 'noAnswerMs', value: 1_000, bad: { type: 'setNoAnswer', noAnswerMs: 999 }, why: /1000 to 300000/ },
    { change: { type: 'setNoAnswer', noAnswerMs: 300_000 }, field: 'noAnswerMs', value: 300_000, bad: { type: 'setNoAnswer', noAnswerMs: 300_001 }, why: /no-answer/ },
    { change: { type: 'setFallback', fallback: 'mobile' }, field: 'fallback', value: 'mobile', bad: { type: 'setFallback', fallback: 'softphone' as never }, why: /target must be one of voicemail, mobile, alternative, desk/ },
    { change: { type: 'setActiveAssistants', assistantIds: ['carol', 'bob'] }, field: 'active', value: ['carol', 'bob'], bad: { type: 'setActiveAssistants', assistantIds: ['bob', 'bob'] }, why: /listed twice/ },
    { change: { type: 'setActiveAssistants', assistantIds: [] }, field: 'active', value: [], bad: { type: 'setActiveAssistants', assistantIds: 'bob' as never }, why: /must be a list/ },
    { change: { type: 'setForward', forward: { kind: 'target', target: 'alternative' } }, field: 'forward', value: { kind: 'target', target: 'alternative' }, bad: { type: 'setForward', forward: { kind: 'target', target: 'desk' as never } }, why: /target must be one of mobile, alternative, voicemail/ },
    { change: { type: 'setForward', forward: { kind: 'number', number: '+39 333 1234' } }, field: 'forward', value: { kind: 'number', number: '+393331234' }, bad: { type: 'setForward', forward: { kind: 'number', number: '12*' } }, why: /"12\*" is not a number/ },
    { change: { type: 'setForward', forward: { kind: 'target', target: 'voicemail' } }, field: 'forward', value: { kind: 'target', target: 'voicemail' }, bad: { type: 'setForward', forward: { kind: 'number', number: 5 as never } }, why: /"5" is not a number/ },
    { change: { type: 'setForward', forward: { kind: 'target', target: 'mobile' } }, field: 'forward', value: { kind: 'target', target: 'mobile' }, bad: { type: 'setForward', forward: { kind: 'all' } as never }, why: /forward must be off, a target or a number/ },
    { change: { type: 'setForward', forward: { kind: 'target', target: 'mobile' } }, field: 'forward', value: { kind: 'target', target: 'mobile' }, bad: { type: 'setForward', forward: null as never }, why: /forward must be/ },
    {
      change: { type: 'setSchedule', schedule: { hours: [{ day: 'fri', from: '00:00', to: '24:00' }], outside: { kind: 'number', number: '555' } } },
      field: 'schedule',
      value: { hours: [{ day: 'fri', from: '00:00', to: '24:00' }], outside: { kind: 'number', number: '555' } },
      bad: { type: 'setSchedule', schedule: { hours: [{ day: 'fri', from: '18:00', to: '09:00' }], outside: { kind: 'number', number: '555' } } },
      why: /office hours fri 18:00-09:00 are not/,
    },
    {
      change: { type: 'setSchedule', schedule: { hours: [], outside: { kind: 'target', target: 'softphone' } } },
      field: 'schedule',
      value: { hours: [], outside: { kind: 'target', target: 'softphone' } },
      bad: { type: 'setSchedule', schedule: { hours: [], outside: { kind: 'number', number: 'x' } } },
      why: /"x" is not a number/,
    },
    {
      change: { type: 'setSchedule', schedule: { hours: [{ day: 'sun', from: '23:59', to: '24:00' }], outside: { kind: 'target', target: 'desk' } } },
      field: 'schedule',
      value: { hours: [{ day: 'sun', from: '23:59', to: '24:00' }], outside: { kind: 'target', target: 'desk' } },
      bad: { type: 'setSchedule', schedule: { hours: [{ day: 'sunday', from: '09:00', to: '10:00' }], outside: { kind: 'target', target: 'desk' } } as never },
      why: /not a weekday/,
    },
    { change: { type: 'setSchedule', schedule: null }, field: 'schedule', value: null, bad: { type: 'setSchedule', schedule: { hours: 'always' } as never }, why: /needs a list of office hours/ },
    { change: { type: 'setSchedule', schedule: null }, field: 'schedule', value: null, bad: { type: 'setSchedule', schedule: undefined as never }, why: /needs a list of office hours/ },
    { change: { type: 'setSchedule', schedule: null }, field: 'schedule', value: null, bad: { type: 'setSchedule', schedule: { hours: [] } as never }, why: /destination must be a target or a number/ },
    { change: { type: 'setSchedule', schedule: null }, field: 'schedule', value: null, bad: { type: 'setSchedule', schedule: { hours: [], outside: { kind: 'pool' } } as never }, why: /destination must be a target or a number/ },
    { change: { type: 'setSchedule', schedule: null }, field: 'schedule', value: null, bad: { type: 'setSchedule', schedule: { hours: [], outside: { kind: 'target', target: 'pager' } } as never }, why: /target must be one of desk, softphone/ },
  ];
  // A schedule set first, so that setting null changes something.
  const scheduled = stateOf(run(onAlice(SYSTEM, { type: 'setSchedule', schedule: { hours: [], outside: { kind: 'target', target: 'desk' } } })));
  for (const { change, field, value, bad, why } of cases) {
    const result = run(onAlice(as('alice'), change), scheduled);
    t.same(result, { ok: true, state: stateOf(result), events: [{ type: 'managerChanged', managerId: 'alice', fields: [field] }] }, change.type);
    t.same((stateOf(result).managers['alice'] as unknown as Record<string, unknown>)[field], value, `${change.type} stores ${JSON.stringify(value)}`);
    refusedWith(t, run(onAlice(as('alice'), bad), scheduled), 'POLICY_INVALID_VALUE', why);
  }
});

t.test('targets the manager lacks, and the pool', async (t) => {
  const onDave = (change: ManagerCommand): Command => ({ ...change, by: as('dave'), managerId: 'dave' }) as Command;
  refusedWith(t, run(onDave({ type: 'setForward', forward: { kind: 'target', target: 'mobile' } })), 'POLICY_NO_SUCH_TARGET', /^manager dave has no mobile number$/);
  refusedWith(t, run(onDave({ type: 'setFallback', fallback: 'alternative' })), 'POLICY_NO_SUCH_TARGET');
  refusedWith(
    t,
    run(onDave({ type: 'setSchedule', schedule: { hours: [], outside: { kind: 'target', target: 'softphone' } } })),
    'POLICY_NO_SUCH_TARGET',
  );
  t.equal(run(onDave({ type: 'setFallback', fallback: 'desk' })).ok, true);
  refusedWith(t, run(onDave({ type: 'setActiveAssistants', assistantIds: ['bob'] })), 'POLICY_NOT_IN_POOL', /^"bob" is not in the pool of manager dave$/);
});

t.test('lists', async (t) => {
  const add = (entry: Extract<ManagerCommand, { type: 'addEntry' }>['entry'], state = STATE) => run(onAlice(as('bob'), { type: 'addEntry', entry }), state);
  const added = add({ list: 'whitelist', pattern: '06 1111-1111', expiry: { kind: 'at', at: 5 } });
  t.same(stateOf(added).managers['alice']?.lists.whitelist['+390611111111'], { pattern: '+390611111111', expiry: { kind: 'at', at: 5 } });
  t.same(added.ok && added.events, [{ type: 'managerChanged', managerId: 'alice', fields: ['lists'] }]);
  t.same(stateOf(add({ list: 'block', pattern: '0039*', expiry: { kind: 'never' } })).managers['alice']?.lists.block, {
    '+39*': { pattern: '+39*', expiry: { kind: 'never' } },
  });
  t.same(stateOf(add({ list: 'screen', pattern: '06*', expiry: { kind: 'one-call' } })).managers['alice']?.lists.screen, {
    '06*': { pattern: '06*', expiry: { kind: 'one-call' } },
  });
  t.same(stateOf(add({ list: 'vip', pattern: '555', expiry: { kind: 'never' }, assistantId: 'carol' })).managers['alice']?.lists.vip, {
    '555': { pattern: '555', expiry: { kind: 'never' }, assistantId: 'carol' },
  });
  refusedWith(t, add({ list: 'vip', pattern: '555', expiry: { kind: 'never' }, assistantId: 'erin' }), 'POLICY_NOT_IN_POOL', /"erin" is not in the pool/);
  refusedWith(t, add({ list: 'grey' as never, pattern: '555', expiry: { kind: 'never' } }), 'POLICY_INVALID_VALUE', /list must be one of whitelist, screen, vip, block/);
  refusedWith(t, add(undefined as never), 'POLICY_INVALID_VALUE', /list must be/);
  refusedWith(t, add({ list: 'block', pattern: 'abc', expiry: { kind: 'never' } }), 'POLICY_INVALID_VALUE', /"abc" is not a number or a trailing-\* prefix/);
  refusedWith(t, add({ list: 'block', pattern: 7 as never, expiry: { kind: 'never' } }), 'POLICY_INVALID_VALUE', /"7" is not a number/);
  refusedWith(t, add({ list: 'block', pattern: '*', expiry: { kind: 'never' } }), 'POLICY_INVALID_VALUE');
  for (const expiry of [{ kind: 'at', at: 0 }, { kind: 'at', at: 1.5 }, { kind: 'at', at: '9' }, { kind: 'soon' }, undefined]) {
    refusedWith(t, add({ list: 'whitelist', pattern: '555', expiry: expiry as never }), 'POLICY_INVALID_VALUE', /expiry/);
  }
  t.match(add({ list: 'whitelist', pattern: '+39021234567', expiry: { kind: 'never' } }), { ok: true, events: [{ type: 'unchanged', command: 'addEntry' }] });

  const remove = (list: string, pattern: string, state = STATE) => run(onAlice(as('alice'), { type: 'removeEntry', list: list as never, pattern }), state);
  const removed = stateOf(remove('whitelist', '021234567'));
  t.same(removed.managers['alice']?.lists.whitelist, { '3*': { pattern: '3*', expiry: { kind: 'never' } } });
  refusedWith(t, remove('whitelist', '555'), 'POLICY_NO_SUCH_ENTRY', /^the whitelist list has no entry 555$/);
  refusedWith(t, remove('grey', '555'), 'POLICY_INVALID_VALUE', /list must be one of whitelist, screen, vip, block/);
  refusedWith(t, remove('whitelist', 'x*'), 'POLICY_INVALID_VALUE');

  const once = stateOf(add({ list: 'whitelist', pattern: '555', expiry: { kind: 'one-call' } }));
  const used = (pattern: string, state: PolicyState) => run({ type: 'entryUsed', by: SYSTEM, managerId: 'alice', list: 'whitelist', pattern }, state);
  t.notOk(Object.hasOwn(stateOf(used('555', once)).managers['alice']!.lists.whitelist, '555'), 'a one-call entry is spent');
  t.match(used('3*', once), { ok: true, events: [{ type: 'unchanged', command: 'entryUsed' }] }, 'a lasting entry is not');
  refusedWith(t, used('556', once), 'POLICY_NO_SUCH_ENTRY');
});

t.test('no-op commands say so', async (t) => {
  const same = run(onAlice(as('alice'), { type: 'setFilter', isOn: true }));
  t.same(same, { ok: true, state: STATE, events: [{ type: 'unchanged', command: 'setFilter' }] });
  t.equal(same.ok && same.state, STATE);
  t.match(run(onAlice(as('alice'), { type: 'setActiveAssistants', assistantIds: ['bob'] })), { events: [{ type: 'unchanged' }] });
  t.match(run({ type: 'setAssistantAvailability', by: as('bob'), assistantId: 'bob', availability: 'available' }), { events: [{ type: 'unchanged' }] });
});

t.test('assistant availability, phone states, expiry', async (t) => {
  const away = run({ type: 'setAssistantAvailability', by: as('bob'), assistantId: 'bob', availability: 'offline' });
  t.same(stateOf(away).assistants['bob'], { availability: 'offline' });
  t.same(away.ok && away.events, [{ type: 'assistantChanged', assistantId: 'bob', availability: 'offline' }]);
  refusedWith(t, run({ type: 'setAssistantAvailability', by: as('bob'), assistantId: 'bob', availability: 'busy' as never }), 'POLICY_INVALID_VALUE', /available, away, offline/);

  const phone = run({ type: 'phoneStateChanged', by: SYSTEM, number: '+39 81000', phone: 'dnd' });
  refusedWith(t, phone, 'POLICY_UNKNOWN_NUMBER', /\+39 81000 is not a monitored number/);
  const desk = run({ type: 'phoneStateChanged', by: SYSTEM, number: '81000', phone: 'dnd' });
  t.same(stateOf(desk).phones, { '81000': 'dnd' });
  t.same(desk.ok && desk.events, [{ type: 'phoneChanged', number: '81000', phone: 'dnd' }]);
  t.match(run({ type: 'phoneStateChanged', by: SYSTEM, number: '81000', phone: 'dnd' }, stateOf(desk)), { events: [{ type: 'unchanged' }] });
  t.equal(run({ type: 'phoneStateChanged', by: SYSTEM, number: '2001', phone: 'idle' }).ok, true, 'assistant phones are monitored');
  refusedWith(t, run({ type: 'phoneStateChanged', by: SYSTEM, number: '81000', phone: 'on-fire' as never }), 'POLICY_INVALID_VALUE', /^phone state must be one of idle, ringing, busy, dnd, offline, unknown$/);

  const timed = stateOf(
    run(onAlice(SYSTEM, { type: 'addEntry', entry: { list: 'vip', pattern: '555', expiry: { kind: 'at', at: 100 }, assistantId: 'bob' } })),
  );
  t.match(run({ type: 'expireEntries', by: SYSTEM, now: 99 }, timed), { events: [{ type: 'unchanged', command: 'expireEntries' }] });
  const expired = run({ type: 'expireEntries', by: SYSTEM, now: 100 }, timed);
  t.same(expired.ok && expired.events, [{ type: 'entryExpired', managerId: 'alice', list: 'vip', pattern: '555' }]);
  t.same(stateOf(expired).managers['alice']?.lists, STATE.managers['alice']?.lists);
  refusedWith(t, run({ type: 'expireEntries', by: SYSTEM, now: Number.NaN }), 'POLICY_INVALID_VALUE', /epoch ms/);
});

t.test('stored values are copies', async (t) => {
  const ids = ['bob'];
  const hours: { day: 'mon' | 'tue'; from: string; to: string; extra: number }[] = [{ day: 'mon', from: '09:00', to: '17:00', extra: 1 }];
  let state = stateOf(run(onAlice(SYSTEM, { type: 'setActiveAssistants', assistantIds: ids }), stateOf(run(onAlice(SYSTEM, { type: 'setActiveAssistants', assistantIds: [] })))));
  state = stateOf(run(onAlice(SYSTEM, { type: 'setSchedule', schedule: { hours, outside: { kind: 'target', target: 'desk', extra: 2 } as never } }), state));
  ids.push('carol');
  hours.push({ day: 'tue', from: '09:00', to: '17:00', extra: 1 });
  t.same(state.managers['alice']?.active, ['bob']);
  t.same(state.managers['alice']?.schedule, { hours: [{ day: 'mon', from: '09:00', to: '17:00' }], outside: { kind: 'target', target: 'desk' } });
});

t.test('a state that does not know a user yet starts from the YAML values', async (t) => {
  const bare: PolicyState = { managers: {}, assistants: {}, phones: {} };
  const filter = run(onAlice(as('alice'), { type: 'setFilter', isOn: false }), bare);
  t.same(stateOf(filter).managers, { alice: { ...STATE.managers['alice'], isFilterOn: false } });
  const away = run({ type: 'setAssistantAvailability', by: as('bob'), assistantId: 'bob', availability: 'away' }, bare);
  t.same(stateOf(away).assistants, { bob: { availability: 'away' } });
});
