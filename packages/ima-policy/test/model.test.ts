/**
 * Model-based test (fc.commands): random sequences of filter, availability, forward, whitelist
 * and assistant-availability commands, issued by every kind of login, run against the real
 * policy and against a deliberately small model of it. After each command the model predicts
 * whether it was allowed and what changed; route checks compare the decision with the model's.
 * Scenarios covered:
 * - authorisation: manager on self, assistant on the managers whose pool holds them, admin everywhere
 * - whitelist add/remove in any written form (national, E.164, international prefix) of the same number
 * - removing an absent entry is refused; adding a present one is a no-op
 * - routing: forward, assistant caller vs availability, filter off, whitelist, screening to available active assistants, fallback
 * A failing run prints its seed and path; replay with fc.assert(..., { seed, path }).
 */
import fc from 'fast-check';
import t from 'tap';
import { initialState, route, step } from '../src/index.js';
import type { AssistantAvailability, Command, Directory, ManagerAvailability, PolicyState } from '../src/index.js';
import { ALICE, DAVE, INPUT, directoryOf } from './fixtures.js';

const DIRECTORY: Directory = directoryOf({ ...INPUT, managers: [{ ...ALICE, whitelist: [], active: ['bob', 'carol'] }, DAVE] });
const NOW = Date.UTC(2024, 0, 15, 9, 0);

/** The model's whole idea of numbers: each way a caller may present themselves, and who that is. */
const CANONICAL: Readonly<Record<string, string>> = {
  '021234567': '+39021234567',
  '+39021234567': '+39021234567',
  '0039021234567': '+39021234567',
  '0611111111': '+390611111111',
  '+441234567890': '+441234567890',
  '2000': '2000',
  '2001': '2001',
  '2002': '2002',
};
const ASSISTANT_BY_NUMBER: Readonly<Record<string, string>> = { '2000': 'bob', '2001': 'carol', '2002': 'erin' };
const POOL: Readonly<Record<string, readonly string[]>> = { alice: ['bob', 'carol'], dave: ['carol'] };
const NUMBER: Readonly<Record<string, string>> = { alice: '1000', dave: '1001' };
const DESK: Readonly<Record<string, string>> = { alice: '81000', dave: '81001' };
const LOGINS = ['admin', 'alice', 'dave', 'bob', 'carol', 'erin', 'mallory'] as const;

interface ManagerModel {
  isFilterOn: boolean;
  availability: ManagerAvailability;
  isForwarded: boolean;
  whitelist: Set<string>;
}
interface Model {
  managers: Record<string, ManagerModel>;
  assistants: Record<string, AssistantAvailability>;
}
interface Real {
  state: PolicyState;
}

/** True when every property of `expected` is in `actual`; arrays must have the same length. */
function isSubset(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected) && (!Array.isArray(actual) || actual.length !== expected.length)) return false;
  return Object.entries(expected).every(([k, v]) => isSubset((actual as Record<string, unknown>)[k], v));
}

const mayManage = (login: string, managerId: string): boolean => login === 'admin' || login === managerId || (POOL[managerId] ?? []).includes(login);
const mayAvail = (login: string, assistantId: string): boolean => login === 'admin' || login === assistantId;

/** Runs a command on the real policy and checks that it was allowed exactly when the model says. */
function apply(real: Real, command: Command, isAllowed: boolean, isRefusedAnyway = false): boolean {
  const result = step(DIRECTORY, real.state, command);
  const expectOk = isAllowed && !isRefusedAnyway;
  if (result.ok !== expectOk) throw new Error(`expected ok=${String(expectOk)} for ${JSON.stringify(command)}: ${JSON.stringify(result)}`);
  if (result.ok) real.state = result.state;
  return result.ok;
}

class SetFilter implements fc.Command<Model, Real> {
  constructor(readonly login: string, readonly managerId: string, readonly isOn: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    if (apply(r, { type: 'setFilter', by: { kind: 'user', login: this.login }, managerId: this.managerId, isOn: this.isOn }, mayManage(this.login, this.managerId))) {
      m.managers[this.managerId]!.isFilterOn = this.isOn;
    }
  }
  toString = (): string => `${this.login}: filter ${this.managerId} ${String(this.isOn)}`;
}

class SetAvailability implements fc.Command<Model, Real> {
  constructor(readonly login: string, readonly managerId: string, readonly availability: ManagerAvailability) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const c: Command = { type: 'setAvailability', by: { kind: 'user', login: this.login }, managerId: this.managerId, availability: this.availability };
    if (apply(r, c, mayManage(this.login, this.managerId))) m.managers[this.managerId]!.availability = this.availability;
  }
  toString = (): string => `${this.login}: availability ${this.managerId} ${this.availability}`;
}

class SetForward implements fc.Command<Model, Real> {
  constructor(readonly login: string, readonly managerId: string, readonly isOn: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const forward = this.isOn ? ({ kind: 'target', target: 'voicemail' } as const) : ({ kind: 'off' } as const);
    if (apply(r, { type: 'setForward', by: { kind: 'user', login: this.login }, managerId: this.managerId, forward }, mayManage(this.login, this.managerId))) {
      m.managers[this.managerId]!.isForwarded = this.isOn;
    }
  }
  toString = (): string => `${this.login}: forward ${this.managerId} ${String(this.isOn)}`;
}

class Whitelist implements fc.Command<Model, Real> {
  constructor(readonly login: string, readonly managerId: string, readonly number: string, readonly isAdd: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const by = { kind: 'user' as const, login: this.login };
    const list = m.managers[this.managerId]!.whitelist;
    const canonical = CANONICAL[this.number]!;
    const allowed = mayManage(this.login, this.managerId);
    if (this.isAdd) {
      const c: Command = { type: 'addEntry', by, managerId: this.managerId, entry: { list: 'whitelist', pattern: this.number, expiry: { kind: 'never' } } };
      if (apply(r, c, allowed)) list.add(canonical);
    } else {
      const c: Command = { type: 'removeEntry', by, managerId: this.managerId, list: 'whitelist', pattern: this.number };
      if (apply(r, c, allowed, !list.has(canonical))) list.delete(canonical);
    }
  }
  toString = (): string => `${this.login}: ${this.isAdd ? 'add' : 'remove'} ${this.number} on ${this.managerId}`;
}

class SetAssistantAvailability implements fc.Command<Model, Real> {
  constructor(readonly login: string, readonly assistantId: string, readonly availability: AssistantAvailability) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const c: Command = { type: 'setAssistantAvailability', by: { kind: 'user', login: this.login }, assistantId: this.assistantId, availability: this.availability };
    if (apply(r, c, mayAvail(this.login, this.assistantId))) m.assistants[this.assistantId] = this.availability;
  }
  toString = (): string => `${this.login}: ${this.assistantId} ${this.availability}`;
}

class RouteCall implements fc.Command<Model, Real> {
  constructor(readonly caller: string, readonly managerId: string) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const d = route(DIRECTORY, r.state, { callerNumber: this.caller, calledNumber: NUMBER[this.managerId]! }, NOW);
    const mm = m.managers[this.managerId]!;
    const assistant = ASSISTANT_BY_NUMBER[this.caller];
    const pool = POOL[this.managerId]!;
    let expected: unknown;
    if (mm.isForwarded) expected = { kind: 'forward', target: 'voicemail', diversion: { reason: 'unconditional' } };
    else if (assistant !== undefined && pool.includes(assistant)) {
      expected = mm.availability === 'available' ? { kind: 'manager', number: DESK[this.managerId] } : { kind: 'reject', status: 486 };
    } else if (!mm.isFilterOn || mm.whitelist.has(CANONICAL[this.caller]!)) expected = { kind: 'manager', number: DESK[this.managerId] };
    else {
      const ids = pool.filter((id) => m.assistants[id] === 'available');
      expected =
        ids.length === 0
          ? { kind: 'forward', target: 'voicemail', diversion: { reason: 'unavailable' } }
          : { kind: 'assistants', assistants: ids.map((id) => ({ id })), fallback: { kind: 'forward', target: 'voicemail' } };
    }
    if (!isSubset(d, expected)) throw new Error(`${this.toString()}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(d)}`);
  }
  toString = (): string => `call ${this.caller} -> ${this.managerId}`;
}

const login = fc.constantFrom(...LOGINS);
const managerId = fc.constantFrom('alice', 'dave');
const commands = [
  fc.tuple(login, managerId, fc.boolean()).map(([l, id, on]) => new SetFilter(l, id, on)),
  fc.tuple(login, managerId, fc.constantFrom('available', 'busy', 'away') as fc.Arbitrary<ManagerAvailability>).map(([l, id, a]) => new SetAvailability(l, id, a)),
  fc.tuple(login, managerId, fc.boolean()).map(([l, id, on]) => new SetForward(l, id, on)),
  fc.tuple(login, managerId, fc.constantFrom(...Object.keys(CANONICAL)), fc.boolean()).map(([l, id, n, add]) => new Whitelist(l, id, n, add)),
  fc
    .tuple(login, fc.constantFrom('bob', 'carol', 'erin'), fc.constantFrom('available', 'away', 'offline') as fc.Arbitrary<AssistantAvailability>)
    .map(([l, id, a]) => new SetAssistantAvailability(l, id, a)),
  fc.tuple(fc.constantFrom(...Object.keys(CANONICAL)), managerId).map(([c, id]) => new RouteCall(c, id)),
];

t.test('the policy agrees with the model', async () => {
  const initial = initialState(DIRECTORY);
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
      const model: Model = {
        managers: {
          alice: { isFilterOn: true, availability: 'available', isForwarded: false, whitelist: new Set() },
          dave: { isFilterOn: false, availability: 'available', isForwarded: false, whitelist: new Set() },
        },
        assistants: { bob: 'available', carol: 'available', erin: 'available' },
      };
      fc.modelRun(() => ({ model, real: { state: initial } }), cmds);
    }),
    { numRuns: Number(process.env['FC_NUM_RUNS'] ?? 200) },
  );
  t.pass('every command sequence agreed with the model');
});
