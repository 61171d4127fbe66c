/**
 * The changes a command makes to one manager's settings, after authorisation. Each value is
 * checked at run time (commands arrive as JSON from the portal and the API): an invalid value
 * is refused and never stored. Stored values are fresh copies, so that nothing a caller keeps
 * a reference to can change the state afterwards.
 */
import { match } from 'ts-pattern';
import type { ManagerCommand, NewEntry } from './commands.js';
import type { Directory, Manager } from './directory.js';
import { canonicalPattern, cleanNumber, isDiallable } from './numbers.js';
import { refuse } from './refusal.js';
import type { Refusal } from './refusal.js';
import { isOfficeHours } from './schedule.js';
import type { Schedule } from './schedule.js';
import type { Destination, EntryMap, Expiry, Forward, ListEntry, ManagerLists, ManagerState, VipEntry } from './state.js';
import {
  ALERTING_MODES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  FORWARD_TARGETS,
  LIST_NAMES,
  MANAGER_AVAILABILITIES,
  TARGET_NAMES,
  isNoAnswerMs,
  isOneOf,
  own,
} from './values.js';
import type { ListName, TargetName } from './values.js';

type Outcome = ManagerState | Refusal;

const invalid = (what: string): Refusal => refuse('POLICY_INVALID_VALUE', what);

/** True when `outcome` is a refusal rather than new settings. */
export function isRefusal(outcome: object): outcome is Refusal {
  return 'code' in outcome;
}

function hasTarget(manager: Manager, target: TargetName): boolean {
  return manager.targets[target] !== undefined;
}

function checkEnum<T extends string>(values: readonly T[], value: unknown, what: string, set: (v: T) => ManagerState): Outcome {
  return isOneOf(values, value) ? set(value) : invalid(`${what} must be one of ${values.join(', ')}`);
}

function checkNumber(number: unknown): string | Refusal {
  return typeof number === 'string' && isDiallable(number) ? cleanNumber(number) : invalid(`"${String(number)}" is not a number`);
}

function checkTarget<T extends TargetName>(manager: Manager, values: readonly T[], target: unknown): T | Refusal {
  if (!isOneOf(values, target)) return invalid(`target must be one of ${values.join(', ')}`);
  return hasTarget(manager, target) ? target : refuse('POLICY_NO_SUCH_TARGET', `manager ${manager.id} has no ${target} number`);
}

function checkForward(manager: Manager, forward: Forward): Forward | Refusal {
  if (!isOneOf(['off', 'target', 'number'], forward?.kind)) return invalid('forward must be off, a target or a number');
  return match(forward)
    .with({ kind: 'off' }, (): Forward => ({ kind: 'off' }))
    .with({ kind: 'target' }, (f): Forward | Refusal => {
      const target = checkTarget(manager, FORWARD_TARGETS, f.target);
      return typeof target === 'string' ? { kind: 'target', target } : target;
    })
    .with({ kind: 'number' }, (f): Forward | Refusal => {
      const number = checkNumber(f.number);
      return typeof number === 'string' ? { kind: 'number', number } : number;
    })
    .exhaustive();
}

function checkDestination(manager: Manager, destination: Destination): Destination | Refusal {
  if (!isOneOf(['target', 'number'], destination?.kind)) return invalid('destination must be a target or a number');
  return match(destination)
    .with({ kind: 'target' }, (d): Destination | Refusal => {
      const target = checkTarget(manager, TARGET_NAMES, d.target);
      return typeof target === 'string' ? { kind: 'target', target } : target;
    })
    .with({ kind: 'number' }, (d): Destination | Refusal => {
      const number = checkNumber(d.number);
      return typeof number === 'string' ? { kind: 'number', number } : number;
    })
    .exhaustive();
}

function checkSchedule(manager: Manager, schedule: Schedule | null): Schedule | null | Refusal {
  if (schedule === null) return null;
  if (!Array.isArray(schedule?.hours)) return invalid('a schedule needs a list of office hours');
  const hours = schedule.hours.map((h) => ({ day: h.day, from: h.from, to: h.to }));
  const bad = hours.find((h) => !isOfficeHours(h));
  if (bad !== undefined) return invalid(`office hours ${bad.day} ${bad.from}-${bad.to} are not a weekday and a stretch of one day`);
  const outside = checkDestination(manager, schedule.outside);
  return isRefusal(outside) ? outside : { hours, outside };
}

function checkExpiry(expiry: Expiry): Expiry | Refusal {
  return match(expiry?.kind)
    .with('never', (): Expiry => ({ kind: 'never' }))
    .with('one-call', (): Expiry => ({ kind: 'one-call' }))
    .with('at', (): Expiry | Refusal => {
      const at = (expiry as { at: unknown }).at;
      return Number.isSafeInteger(at) && (at as number) > 0 ? { kind: 'at', at: at as number } : invalid('expiry time must be a positive epoch ms');
    })
    .otherwise(() => invalid('expiry must be never, at a time, or one-call'));
}

function checkPattern(directory: Directory, pattern: unknown): string | Refusal {
  const canonical = typeof pattern === 'string' ? canonicalPattern(pattern, directory.plan) : undefined;
  return canonical ?? invalid(`"${String(pattern)}" is not a number or a trailing-* prefix`);
}

function withList(current: ManagerState, list: ListName, entries: EntryMap<ListEntry>): ManagerState {
  const lists: ManagerLists = { ...current.lists, [list]: entries };
  return { ...current, lists };
}

function addEntry(directory: Directory, manager: Manager, current: ManagerState, entry: NewEntry): Outcome {
  if (!isOneOf(LIST_NAMES, entry?.list)) return invalid(`list must be one of ${LIST_NAMES.join(', ')}`);
  const pattern = checkPattern(directory, entry.pattern);
  if (typeof pattern !== 'string') return pattern;
  const expiry = checkExpiry(entry.expiry);
  if (isRefusal(expiry)) return expiry;
  const made = match(entry)
    .with({ list: 'vip' }, (e): VipEntry | Refusal =>
      manager.pool.includes(e.assistantId)
        ? { pattern, expiry, assistantId: e.assistantId }
        : refuse('POLICY_NOT_IN_POOL', `"${String(e.assistantId)}" is not in the pool of manager ${manager.id}`),
    )
    .with({ list: 'whitelist' }, { list: 'screen' }, { list: 'block' }, (): ListEntry => ({ pattern, expiry }))
    .exhaustive();
  return isRefusal(made) ? made : withList(current, entry.list, { ...current.lists[entry.list], [pattern]: made });
}

function removeEntry(directory: Directory, current: ManagerState, list: ListName, raw: string, isOnlyOneCall: boolean): Outcome {
  if (!isOneOf(LIST_NAMES, list)) return invalid(`list must be one of ${LIST_NAMES.join(', ')}`);
  const pattern = checkPattern(directory, raw);
  if (typeof pattern !== 'string') return pattern;
  const entries: EntryMap<ListEntry> = current.lists[list];
  const entry = own(entries, pattern);
  if (entry === undefined) return refuse('POLICY_NO_SUCH_ENTRY', `the ${list} list has no entry ${pattern}`);
  // A call that used a lasting entry spends nothing.
  if (isOnlyOneCall && entry.expiry.kind !== 'one-call') return current;
  return withList(current, list, Object.fromEntries(Object.entries(entries).filter(([key]) => key !== pattern)));
}

function setActive(manager: Manager, current: ManagerState, ids: readonly string[]): Outcome {
  if (!Array.isArray(ids)) return invalid('active assistants must be a list');
  if (new Set(ids).size !== ids.length) return invalid('an assistant is listed twice');
  const stranger = ids.find((id) => !manager.pool.includes(id));
  if (stranger !== undefined) return refuse('POLICY_NOT_IN_POOL', `"${String(stranger)}" is not in the pool of manager ${manager.id}`);
  return { ...current, active: [...ids] };
}

/** The settings of `manager` after `command`, or why the command is refused. */
export function applyManagerCommand(directory: Directory, manager: Manager, current: ManagerState, command: ManagerCommand): Outcome {
  return match(command)
    .with({ type: 'setFilter' }, (c) => (typeof c.isOn === 'boolean' ? { ...current, isFilterOn: c.isOn } : invalid('filter must be true or false')))
    .with({ type: 'setFilterMode' }, (c) => checkEnum(FILTER_MODES, c.mode, 'filter mode', (filterMode) => ({ ...current, filterMode })))
    .with({ type: 'setAvailability' }, (c) =>
      checkEnum(MANAGER_AVAILABILITIES, c.availability, 'availability', (availability) => ({ ...current, availability })),
    )
    .with({ type: 'setForward' }, (c) => {
      const forward = checkForward(manager, c.forward);
      return isRefusal(forward) ? forward : { ...current, forward };
    })
    .with({ type: 'addEntry' }, (c) => addEntry(directory, manager, current, c.entry))
    .with({ type: 'removeEntry' }, (c) => removeEntry(directory, current, c.list, c.pattern, false))
    .with({ type: 'entryUsed' }, (c) => removeEntry(directory, current, c.list, c.pattern, true))
    .with({ type: 'setBlockAction' }, (c) => checkEnum(BLOCK_ACTIONS, c.action, 'block action', (blockAction) => ({ ...current, blockAction })))
    .with({ type: 'setActiveAssistants' }, (c) => setActive(manager, current, c.assistantIds))
    .with({ type: 'setAlerting' }, (c) => checkEnum(ALERTING_MODES, c.alerting, 'alerting', (alerting) => ({ ...current, alerting })))
    .with({ type: 'setNoAnswer' }, (c) =>
      isNoAnswerMs(c.noAnswerMs) ? { ...current, noAnswerMs: c.noAnswerMs } : invalid('no-answer time must be a whole number of ms from 1000 to 300000'),
    )
    .with({ type: 'setFallback' }, (c) => {
      const fallback = checkTarget(manager, FALLBACK_TARGETS, c.fallback);
      return typeof fallback === 'string' ? { ...current, fallback } : fallback;
    })
    .with({ type: 'setSchedule' }, (c) => {
      const schedule = checkSchedule(manager, c.schedule);
      return schedule !== null && isRefusal(schedule) ? schedule : { ...current, schedule };
    })
    .exhaustive();
}
