/**
 * step: the policy's state machine. `step(directory, state, command)` returns the next state
 * and the events the command caused, or a refusal; a refused command leaves no trace.
 *
 *   command ──► known type? ──► target exists? ──► actor allowed? ──► value valid? ──► new state + events
 *                   │                 │                  │                 │
 *                   └──────── refusal (code + reason), state unchanged ────┘
 */
import { P, match } from 'ts-pattern';
import { authorize } from './authorize.js';
import type { Command, ManagerCommand, PolicyEvent } from './commands.js';
import type { Directory } from './directory.js';
import { isDeepEqual } from './equal.js';
import { applyManagerCommand, isRefusal } from './manager-commands.js';
import { normaliseNumber } from './numbers.js';
import { reconcileState } from './reconcile.js';
import { refuse } from './refusal.js';
import type { Refusal } from './refusal.js';
import { isExpired } from './state.js';
import type { EntryMap, ManagerState, PolicyState } from './state.js';
import { ASSISTANT_AVAILABILITIES, LIST_NAMES, PHONE_STATES, isOneOf, own } from './values.js';

/** The outcome of a command that was carried out. */
export interface Applied {
  readonly ok: true;
  readonly state: PolicyState;
  readonly events: readonly PolicyEvent[];
}

/** What `step` returns. */
export type StepResult = Applied | Refusal;

const MANAGER_COMMANDS = [
  'setFilter',
  'setFilterMode',
  'setAvailability',
  'setForward',
  'addEntry',
  'removeEntry',
  'setBlockAction',
  'setActiveAssistants',
  'setAlerting',
  'setNoAnswer',
  'setFallback',
  'setSchedule',
  'entryUsed',
] as const satisfies readonly ManagerCommand['type'][];

const COMMAND_TYPES: readonly Command['type'][] = [
  ...MANAGER_COMMANDS,
  'setAssistantAvailability',
  'phoneStateChanged',
  'expireEntries',
  'directoryReplaced',
];

const unchanged = (state: PolicyState, command: Command): Applied => ({
  ok: true,
  state,
  events: [{ type: 'unchanged', command: command.type }],
});

function stepManager(directory: Directory, state: PolicyState, command: Extract<Command, { managerId: string }>): StepResult {
  const manager = directory.managers.get(command.managerId);
  if (manager === undefined) return refuse('POLICY_UNKNOWN_MANAGER', `there is no manager "${command.managerId}"`);
  const denied = authorize(directory, command.by, { kind: 'manager', manager });
  if (denied !== undefined) return denied;
  const current = own(state.managers, manager.id) ?? manager.initial;
  const next = applyManagerCommand(directory, manager, current, command);
  if (isRefusal(next)) return next;
  const fields = (Object.keys(next) as (keyof ManagerState)[]).filter((k) => !isDeepEqual(current[k], next[k]));
  if (fields.length === 0) return unchanged(state, command);
  return {
    ok: true,
    state: { ...state, managers: { ...state.managers, [manager.id]: next } },
    events: [{ type: 'managerChanged', managerId: manager.id, fields }],
  };
}

function expireEntries(state: PolicyState, now: number): Applied {
  const events: PolicyEvent[] = [];
  const managers = Object.fromEntries(
    Object.entries(state.managers).map(([managerId, ms]): [string, ManagerState] => {
      const lists = Object.fromEntries(
        LIST_NAMES.map((list) => {
          const entries: EntryMap = ms.lists[list];
          const kept = Object.entries(entries).filter(([pattern, entry]) => {
            if (!isExpired(entry, now)) return true;
            events.push({ type: 'entryExpired', managerId, list, pattern });
            return false;
          });
          return [list, Object.fromEntries(kept)];
        }),
      );
      return [managerId, { ...ms, lists: lists as unknown as ManagerState['lists'] }];
    }),
  );
  return { ok: true, state: { ...state, managers }, events };
}

function sameIds(before: Readonly<Record<string, unknown>>, after: ReadonlyMap<string, unknown>): { added: string[]; removed: string[] } {
  return {
    added: [...after.keys()].filter((id) => !Object.hasOwn(before, id)),
    removed: Object.keys(before).filter((id) => !after.has(id)),
  };
}

/** Carries out `command` against `state` under `directory`: see the module comment. */
export function step(directory: Directory, state: PolicyState, command: Command): StepResult {
  const type: unknown = (command as { type?: unknown } | undefined)?.type;
  if (!isOneOf(COMMAND_TYPES, type)) return refuse('POLICY_INVALID_VALUE', `unknown command "${String(type)}"`);
  if (command.by?.kind !== 'system' && typeof command.by?.login !== 'string') {
    return refuse('POLICY_UNKNOWN_USER', 'a command needs an actor: a user login or the system');
  }
  return match(command)
    .with({ type: P.union(...MANAGER_COMMANDS) }, (c) => stepManager(directory, state, c))
    .with({ type: 'setAssistantAvailability' }, (c): StepResult => {
      const assistant = directory.assistants.get(c.assistantId);
      if (assistant === undefined) return refuse('POLICY_UNKNOWN_ASSISTANT', `there is no assistant "${c.assistantId}"`);
      const denied = authorize(directory, c.by, { kind: 'assistant', assistantId: assistant.id });
      if (denied !== undefined) return denied;
      if (!isOneOf(ASSISTANT_AVAILABILITIES, c.availability)) {
        return refuse('POLICY_INVALID_VALUE', `availability must be one of ${ASSISTANT_AVAILABILITIES.join(', ')}`);
      }
      const current = own(state.assistants, assistant.id) ?? assistant.initial;
      if (current.availability === c.availability) return unchanged(state, c);
      return {
        ok: true,
        state: { ...state, assistants: { ...state.assistants, [assistant.id]: { availability: c.availability } } },
        events: [{ type: 'assistantChanged', assistantId: assistant.id, availability: c.availability }],
      };
    })
    .with({ type: 'phoneStateChanged' }, (c): StepResult => {
      const denied = authorize(directory, c.by, { kind: 'system' });
      if (denied !== undefined) return denied;
      const number = normaliseNumber(String(c.number), directory.plan);
      if (!directory.monitored.has(number)) return refuse('POLICY_UNKNOWN_NUMBER', `${String(c.number)} is not a monitored number`);
      if (!isOneOf(PHONE_STATES, c.phone)) return refuse('POLICY_INVALID_VALUE', `phone state must be one of ${PHONE_STATES.join(', ')}`);
      if (own(state.phones, number) === c.phone) return unchanged(state, c);
      return {
        ok: true,
        state: { ...state, phones: { ...state.phones, [number]: c.phone } },
        events: [{ type: 'phoneChanged', number, phone: c.phone }],
      };
    })
    .with({ type: 'expireEntries' }, (c): StepResult => {
      const denied = authorize(directory, c.by, { kind: 'system' });
      if (denied !== undefined) return denied;
      if (!Number.isFinite(c.now)) return refuse('POLICY_INVALID_VALUE', 'now must be an epoch ms');
      const applied = expireEntries(state, c.now);
      return applied.events.length === 0 ? unchanged(state, c) : applied;
    })
    .with({ type: 'directoryReplaced' }, (c): StepResult => {
      const denied = authorize(directory, c.by, { kind: 'system' });
      if (denied !== undefined) return denied;
      const next = reconcileState(c.directory, state);
      const managers = sameIds(state.managers, c.directory.managers);
      const assistants = sameIds(state.assistants, c.directory.assistants);
      return {
        ok: true,
        state: next,
        events: [
          {
            type: 'directoryReplaced',
            managersAdded: managers.added,
            managersRemoved: managers.removed,
            assistantsAdded: assistants.added,
            assistantsRemoved: assistants.removed,
          },
        ],
      };
    })
    .exhaustive();
}
