/**
 * The example directory of DESIGN.md, with a few additions, shared by the example tests:
 * alice (pool bob, carol; Italian numbering), dave (pool carol; no optional targets).
 */
import { buildDirectory, initialState } from '../src/index.js';
import type { Actor, Call, Directory, DirectoryInput, ManagerInput, PolicyState } from '../src/index.js';

export const ALICE: ManagerInput = {
  id: 'alice',
  name: 'Alice Rossi',
  number: '1000',
  targets: { desk: '81000', mobile: '+393331234567', voicemail: '8000', alternative: '1099', softphone: '71000' },
  assistants: ['bob', 'carol'],
  active: ['bob'],
  filter: true,
  availability: 'available',
  alerting: 'parallel',
  noAnswerMs: 20_000,
  fallback: 'voicemail',
  whitelist: ['+39021234567', '3*'],
  timeZone: 'Europe/Rome',
};

export const DAVE: ManagerInput = {
  id: 'dave',
  name: 'Dave Neri',
  number: '1001',
  targets: { desk: '81001', voicemail: '8000' },
  assistants: ['carol'],
};

export const INPUT: DirectoryInput = {
  managers: [ALICE, DAVE],
  assistants: [
    { id: 'bob', name: 'Bob Bianchi', number: '2000' },
    { id: 'carol', name: 'Carol Verdi', number: '2001' },
    { id: 'erin', name: 'Erin Blu', number: '2002' },
  ],
  users: [
    { login: 'admin', role: 'admin' },
    { login: 'alice', role: 'manager', manager: 'alice' },
    { login: 'dave', role: 'manager', manager: 'dave' },
    { login: 'bob', role: 'assistant', assistant: 'bob' },
    { login: 'carol', role: 'assistant', assistant: 'carol' },
    { login: 'erin', role: 'assistant', assistant: 'erin' },
  ],
  numbering: { countryCode: '39', internationalPrefix: '00', extensionMaxLength: 5 },
};

/** Builds a directory that must be valid. */
export function directoryOf(input: DirectoryInput): Directory {
  const result = buildDirectory(input);
  if (!result.ok) throw new Error(`fixture directory is invalid: ${JSON.stringify(result.problems)}`);
  return result.directory;
}

export const DIRECTORY: Directory = directoryOf(INPUT);
export const STATE: PolicyState = initialState(DIRECTORY);

/** Monday 2024-01-15 10:00 in Rome (09:00 UTC). */
export const MONDAY_10_ROME = Date.UTC(2024, 0, 15, 9, 0);
/** Monday 2024-01-15 20:00 in Rome. */
export const MONDAY_20_ROME = Date.UTC(2024, 0, 15, 19, 0);

export const SYSTEM: Actor = { kind: 'system' };
export const as = (login: string): Actor => ({ kind: 'user', login });

/** A call to alice's public number. */
export function callTo(callerNumber: string, calledNumber = '1000', extra: Partial<Call> = {}): Call {
  return { callerNumber, calledNumber, ...extra };
}

/** `state` with manager `id`'s settings patched. */
export function patchManager(state: PolicyState, id: string, patch: Partial<PolicyState['managers'][string]>): PolicyState {
  const current = state.managers[id];
  if (current === undefined) throw new Error(`no manager ${id} in state`);
  return { ...state, managers: { ...state.managers, [id]: { ...current, ...patch } } };
}

/** `state` with phone `number` (canonical) in `phone`. */
export function withPhone(state: PolicyState, number: string, phone: PolicyState['phones'][string]): PolicyState {
  return { ...state, phones: { ...state.phones, [number]: phone } };
}

/** `state` with assistant `id` at `availability`. */
export function withAssistant(state: PolicyState, id: string, availability: PolicyState['assistants'][string]['availability']): PolicyState {
  return { ...state, assistants: { ...state.assistants, [id]: { availability } } };
}
