/**
 * route() and explain(), one example per rule (docs/policy.md):
 * - 0: an unknown called number is rejected 404; a Diversion naming a manager finds them
 * - 1: a blocked caller goes to voicemail (Diversion "deflection") or is rejected 603, before any other rule
 * - 2: outside office hours the schedule's destination wins over forward; inside, the usual rules apply
 * - 3: forward all to mobile, alternative, voicemail or a number, with Diversion "unconditional"
 * - 4: an assistant of the pool reaches the desk when the manager is available, else 486; an outsider assistant is screened
 * - 5: filter off rings the desk
 * - 6: inclusive: whitelisted (exact, prefix, national form) and desk free -> desk; desk busy/dnd/offline -> screened
 * - 6: exclusive: screen-list callers are screened, everyone else rings the desk
 * - screening: parallel/sequential alert the free active assistants in order; first-available prefers an idle phone
 * - screening: VIP caller goes to their assistant; an unavailable VIP assistant falls back to the pool
 * - screening: nobody to alert -> the fallback at once ("unavailable"); otherwise the fallback after no answer
 * - destinations: a missing softphone, mobile or alternative falls back to desk or voicemail and says so
 * - one-call and expired entries; a state that does not know the manager yet uses the YAML values
 */
import t from 'tap';
import { explain, route } from '../src/index.js';
import type { Decision, ManagerState, PolicyState } from '../src/index.js';
import {
  DIRECTORY,
  MONDAY_10_ROME,
  MONDAY_20_ROME,
  STATE,
  callTo,
  patchManager,
  withAssistant,
  withPhone,
} from './fixtures.js';

const NOW = MONDAY_10_ROME;
const alice = (patch: Partial<ManagerState>, state: PolicyState = STATE): PolicyState => patchManager(state, 'alice', patch);
const decide = (state: PolicyState, caller: string, called = '1000'): Decision => route(DIRECTORY, state, callTo(caller, called), NOW);
const stranger = '0611111111';
const ids = (d: Decision): string[] => (d.kind === 'assistants' ? d.assistants.map((a) => a.id) : []);

t.test('0: no manager at the called number -> 404', async (t) => {
  const d = decide(STATE, stranger, '1999');
  t.match(d, { kind: 'reject', status: 404, phrase: 'Not Found', managerId: null });
  t.same(d.consumes, []);
  t.equal(d.reason, 'no manager has the number 1999');
  const viaDiversion = route(DIRECTORY, STATE, callTo(stranger, '5555', { diversions: [{ number: '7777' }, { number: '1001' }] }), NOW);
  t.match(viaDiversion, { kind: 'manager', managerId: 'dave', target: 'desk', number: '81001' });
  t.match(viaDiversion.reason, /^called 5555, diverted from 1001; filter off$/);
  t.match(route(DIRECTORY, STATE, callTo(stranger, '5555', { diversions: [{ number: '7777' }] }), NOW), { kind: 'reject', status: 404 });
});

t.test('1: block list first', async (t) => {
  const blocked = alice({
    lists: { ...STATE.managers['alice']!.lists, block: { '+39021234567': { pattern: '+39021234567', expiry: { kind: 'never' } } } },
    forward: { kind: 'target', target: 'mobile' },
  });
  const d = decide(blocked, '021234567');
  t.same(d, {
    kind: 'forward',
    managerId: 'alice',
    target: 'voicemail',
    number: '8000',
    diversion: { number: '1000', reason: 'deflection' },
    reason: 'caller +39021234567 is blocked (+39021234567), to voicemail',
    consumes: [],
  });
  const rejected = decide(alice({ blockAction: 'reject' }, blocked), '021234567');
  t.same(rejected, {
    kind: 'reject',
    managerId: 'alice',
    status: 603,
    phrase: 'Decline',
    reason: 'caller +39021234567 is blocked (+39021234567), rejected',
    consumes: [],
  });
  const once = alice({
    lists: { ...STATE.managers['alice']!.lists, block: { '06*': { pattern: '06*', expiry: { kind: 'one-call' } } } },
  });
  t.same(decide(once, stranger).consumes, [{ managerId: 'alice', list: 'block', pattern: '06*' }]);
  const diverted = route(DIRECTORY, alice({ blockAction: 'reject' }, blocked), callTo('021234567', '5555', { diversions: [{ number: '1000' }] }), NOW);
  t.equal(diverted.reason, 'called 5555, diverted from 1000; caller +39021234567 is blocked (+39021234567), rejected');
});

t.test('2: schedule', async (t) => {
  const scheduled = alice({
    schedule: { hours: [{ day: 'mon', from: '09:00', to: '18:00' }], outside: { kind: 'target', target: 'mobile' } },
    forward: { kind: 'number', number: '5555' },
  });
  const outside = route(DIRECTORY, scheduled, callTo(stranger), MONDAY_20_ROME);
  t.match(outside, { kind: 'forward', target: 'mobile', number: '+393331234567', diversion: { number: '1000', reason: 'time-of-day' } });
  t.equal(outside.reason, 'outside office hours (mon 20:00 Europe/Rome)');
  const inside = route(DIRECTORY, scheduled, callTo(stranger), MONDAY_10_ROME);
  t.match(inside, { kind: 'forward', target: 'number', number: '5555', diversion: { reason: 'unconditional' } });
  t.equal(inside.reason, 'within office hours; forward all to 5555');
  const unknownTime = route(DIRECTORY, alice({ forward: { kind: 'off' } }, scheduled), callTo(stranger), Number.NaN);
  t.match(unknownTime.reason, /^time unknown, schedule not applied; filter on;/);
  const toDesk = alice({ schedule: { hours: [], outside: { kind: 'target', target: 'desk' } } });
  t.match(decide(toDesk, stranger), { kind: 'manager', target: 'desk', number: '81000' });
  const early = route(DIRECTORY, scheduled, callTo(stranger), Date.UTC(2024, 0, 15, 7, 59));
  t.equal(early.reason, 'outside office hours (mon 08:59 Europe/Rome)');
  const atNine = route(DIRECTORY, scheduled, callTo(stranger), Date.UTC(2024, 0, 15, 8, 0));
  t.equal(atNine.kind, 'forward');
  t.match(atNine.reason, /^within office hours/);
});

t.test('3: forward all', async (t) => {
  t.match(decide(alice({ forward: { kind: 'target', target: 'mobile' } }), stranger), {
    kind: 'forward',
    target: 'mobile',
    number: '+393331234567',
    diversion: { number: '1000', reason: 'unconditional' },
    reason: 'forward all to mobile',
  });
  t.match(decide(alice({ forward: { kind: 'target', target: 'alternative' } }), stranger), { target: 'alternative', number: '1099' });
  t.match(decide(alice({ forward: { kind: 'target', target: 'voicemail' } }), '2000'), { target: 'voicemail', number: '8000' });
  const daveMobile = patchManager(STATE, 'dave', { forward: { kind: 'target', target: 'mobile' } });
  const d = decide(daveMobile, stranger, '1001');
  t.match(d, { kind: 'forward', target: 'voicemail', number: '8000', diversion: { number: '1001', reason: 'unconditional' } });
  t.equal(d.reason, 'forward all to mobile; no mobile number configured, voicemail instead');
});

t.test('4: a caller who is an assistant of the pool', async (t) => {
  const d = decide(STATE, '2000');
  t.match(d, { kind: 'manager', target: 'desk', number: '81000' });
  t.equal(d.reason, 'caller is assistant bob; manager alice is available');
  for (const availability of ['busy', 'away'] as const) {
    const refused = decide(alice({ availability }), '2001');
    t.same(refused, {
      kind: 'reject',
      managerId: 'alice',
      status: 486,
      phrase: 'Busy Here',
      reason: `caller is assistant carol; manager alice is ${availability}`,
      consumes: [],
    });
  }
  t.match(decide(STATE, '2002'), { kind: 'assistants' }, 'erin is not in the pool: screened like anyone');
  const viaDiversion = route(DIRECTORY, alice({ availability: 'away' }), callTo('2000', '5555', { diversions: [{ number: '1000' }] }), NOW);
  t.equal(viaDiversion.reason, 'called 5555, diverted from 1000; caller is assistant bob; manager alice is away');
});

t.test('5: filter off rings the desk, whatever the desk phone', async (t) => {
  const d = decide(withPhone(alice({ isFilterOn: false }), '81000', 'busy'), stranger);
  t.same(d, { kind: 'manager', managerId: 'alice', target: 'desk', number: '81000', reason: 'filter off', consumes: [] });
});

t.test('6: inclusive filter and the whitelist', async (t) => {
  const d = route(DIRECTORY, STATE, callTo('021234567', '1000', { callerName: 'Mario' }), NOW);
  t.same(d, {
    kind: 'manager',
    managerId: 'alice',
    target: 'desk',
    number: '81000',
    reason: 'filter on; caller "Mario" +39021234567 is whitelisted (+39021234567); manager desk unknown',
    consumes: [],
  });
  t.match(decide(STATE, '+39 02 1234567'), { kind: 'manager' }, 'E.164 with separators');
  t.match(decide(STATE, '0039021234567'), { kind: 'manager' }, 'international prefix');
  t.match(decide(STATE, '3331234567').reason, /whitelisted \(3\*\)/, 'prefix on the number as presented');
  t.match(route(DIRECTORY, STATE, callTo(stranger, '1000', { callerName: '' }), NOW).reason, /^filter on; caller \+390611111111 is not whitelisted/);
  for (const phone of ['busy', 'dnd', 'offline'] as const) {
    const busy = decide(withPhone(STATE, '81000', phone), '021234567');
    t.match(busy, { kind: 'assistants', assistants: [{ id: 'bob', number: '2000' }] }, `desk ${phone}`);
    t.match(busy.reason, new RegExp(`manager desk ${phone}; alerting bob`));
  }
  for (const phone of ['idle', 'ringing'] as const) {
    t.match(decide(withPhone(STATE, '81000', phone), '021234567'), { kind: 'manager' }, `desk ${phone}`);
  }
});

t.test('6: exclusive filter and the screen list', async (t) => {
  const exclusive = alice({
    filterMode: 'exclusive',
    lists: { ...STATE.managers['alice']!.lists, screen: { '06*': { pattern: '06*', expiry: { kind: 'never' } } } },
  });
  const listed = decide(exclusive, stranger);
  t.match(listed, { kind: 'assistants', assistants: [{ id: 'bob' }] });
  t.match(listed.reason, /^filter on \(exclusive\); caller \+390611111111 is on the screen list \(06\*\); alerting bob/);
  const lists = exclusive.managers['alice']!.lists;
  const once = alice({ lists: { ...lists, screen: { '06*': { pattern: '06*', expiry: { kind: 'one-call' } } } } }, exclusive);
  t.same(decide(once, stranger).consumes, [{ managerId: 'alice', list: 'screen', pattern: '06*' }]);
  const other = decide(exclusive, '021234567');
  t.match(other, { kind: 'manager', target: 'desk' });
  t.equal(other.reason, 'filter on (exclusive); caller +39021234567 is not on the screen list');
});

t.test('screening: alerting modes and who is alerted', async (t) => {
  const both = alice({ active: ['carol', 'bob'], alerting: 'sequential', noAnswerMs: 15_000 });
  const d = decide(both, stranger);
  t.same(d, {
    kind: 'assistants',
    managerId: 'alice',
    assistants: [
      { id: 'carol', number: '2001' },
      { id: 'bob', number: '2000' },
    ],
    alerting: 'sequential',
    noAnswerMs: 15_000,
    fallback: {
      kind: 'forward',
      managerId: 'alice',
      target: 'voicemail',
      number: '8000',
      diversion: { number: '1000', reason: 'no-answer' },
      reason: 'no answer from the assistants, fallback to voicemail',
      consumes: [],
    },
    reason: 'filter on; caller +390611111111 is not whitelisted; alerting carol, bob (sequential, no answer after 15000 ms)',
    consumes: [],
  });
  const first = alice({ alerting: 'first-available' }, both);
  t.match(decide(first, stranger), { alerting: 'first-available', assistants: [{ id: 'carol' }] }, 'none idle: the first');
  t.match(decide(withPhone(first, '2000', 'idle'), stranger), { assistants: [{ id: 'bob' }] }, 'the idle one first');
  t.match(decide(withPhone(both, '2001', 'ringing'), stranger), { assistants: [{ id: 'carol' }, { id: 'bob' }] }, 'ringing can take a call');
  for (const phone of ['busy', 'dnd', 'offline'] as const) {
    t.match(decide(withPhone(both, '2001', phone), stranger), { assistants: [{ id: 'bob' }] }, `phone ${phone} is skipped`);
  }
  for (const availability of ['away', 'offline'] as const) {
    t.match(decide(withAssistant(both, 'carol', availability), stranger), { assistants: [{ id: 'bob' }] }, `${availability} is skipped`);
  }
  t.same(ids(decide(alice({ active: ['bob', 'erin'] }), stranger)), ['bob'], 'not in the pool is skipped');
  t.same(ids(decide(first, stranger)), ['carol'], 'first-available alerts one');
  t.same(ids(decide(withPhone(first, '2000', 'idle'), stranger)), ['bob'], 'first-available alerts the idle one only');
});

t.test('screening: VIP callers', async (t) => {
  const vip = alice({
    active: ['bob', 'carol'],
    lists: {
      ...STATE.managers['alice']!.lists,
      vip: { '+390611111111': { pattern: '+390611111111', expiry: { kind: 'one-call' }, assistantId: 'carol' } },
    },
  });
  const d = decide(vip, stranger);
  t.match(d, { kind: 'assistants', assistants: [{ id: 'carol' }], consumes: [{ managerId: 'alice', list: 'vip', pattern: '+390611111111' }] });
  t.match(d.reason, /VIP caller \(\+390611111111\) for assistant carol; alerting carol/);
  const away = decide(withAssistant(vip, 'carol', 'away'), stranger);
  t.match(away, { assistants: [{ id: 'bob' }], consumes: [] });
  t.match(away.reason, /VIP assistant carol cannot take calls, pool instead; alerting bob/);
  const notActive = decide(alice({ active: ['bob'] }, vip), stranger);
  t.match(notActive, { assistants: [{ id: 'bob' }] }, 'an inactive VIP assistant is not alerted');
});

t.test('screening: nobody to alert, and the fallback targets', async (t) => {
  const none = alice({ active: [] });
  const d = decide(none, stranger);
  t.match(d, { kind: 'forward', target: 'voicemail', diversion: { reason: 'unavailable' } });
  t.equal(d.reason, 'filter on; caller +390611111111 is not whitelisted; no assistant available, fallback to voicemail');
  t.match(decide(alice({ fallback: 'mobile' }, none), stranger), { target: 'mobile', number: '+393331234567' });
  t.match(decide(alice({ fallback: 'alternative' }, none), stranger), { target: 'alternative', number: '1099' });
  t.match(decide(alice({ fallback: 'desk' }, none), stranger), { kind: 'manager', target: 'desk' });
  const deskAfter = decide(alice({ fallback: 'desk' }), stranger);
  t.match(deskAfter, { kind: 'assistants', fallback: { kind: 'manager', target: 'desk', number: '81000' } });
  const dave = patchManager(STATE, 'dave', { isFilterOn: true, fallback: 'alternative', active: [] });
  const noAlt = decide(dave, stranger, '1001');
  t.match(noAlt, { kind: 'forward', target: 'voicemail' });
  t.match(noAlt.reason, /fallback to alternative; no alternative number configured, voicemail instead$/);
});

t.test('destinations: softphone and any number', async (t) => {
  const soft = alice({ schedule: { hours: [], outside: { kind: 'target', target: 'softphone' } } });
  t.match(decide(soft, stranger), { kind: 'manager', target: 'softphone', number: '71000' });
  const daveSoft = patchManager(STATE, 'dave', { schedule: { hours: [], outside: { kind: 'target', target: 'softphone' } } });
  const d = decide(daveSoft, stranger, '1001');
  t.match(d, { kind: 'manager', target: 'desk', number: '81001' });
  t.match(d.reason, /no softphone configured, desk instead$/);
  const vm = alice({ schedule: { hours: [], outside: { kind: 'target', target: 'voicemail' } } });
  t.match(decide(vm, stranger), { target: 'voicemail', diversion: { reason: 'time-of-day' } });
});

t.test('temporary entries', async (t) => {
  const lists = STATE.managers['alice']!.lists;
  const timed = alice({
    lists: { ...lists, whitelist: { ...lists.whitelist, '06*': { pattern: '06*', expiry: { kind: 'at', at: NOW + 1 } } } },
  });
  t.match(decide(timed, stranger), { kind: 'manager' }, 'before it expires');
  t.match(route(DIRECTORY, timed, callTo(stranger), NOW + 1), { kind: 'assistants' }, 'at the expiry instant');
  const exactExpired = alice({
    lists: {
      ...lists,
      whitelist: {
        '+390611111111': { pattern: '+390611111111', expiry: { kind: 'at', at: NOW } },
        '061*': { pattern: '061*', expiry: { kind: 'one-call' } },
      },
    },
  });
  const d = decide(exactExpired, stranger);
  t.match(d, { kind: 'manager', consumes: [{ managerId: 'alice', list: 'whitelist', pattern: '061*' }] });
  t.match(d.reason, /whitelisted \(061\*\)/, 'an expired exact entry gives way to a prefix');
  t.same(decide(withPhone(exactExpired, '81000', 'busy'), stranger).consumes, [], 'not spent when the call is screened');
});

t.test('explain gives the steps; a state without the manager uses the YAML values', async (t) => {
  const { decision, steps } = explain(DIRECTORY, STATE, callTo('2000'), NOW);
  t.same(steps, ['caller is assistant bob; manager alice is available']);
  t.equal(decision.reason, steps.join('; '));
  const bare: PolicyState = { managers: {}, assistants: {}, phones: {} };
  t.match(route(DIRECTORY, bare, callTo(stranger), NOW), { kind: 'assistants', assistants: [{ id: 'bob' }] });
});
