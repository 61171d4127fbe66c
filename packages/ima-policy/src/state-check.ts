/**
 * A run-time check that an unknown value (a parsed state file) is a well-formed PolicyState.
 * The first problem found is returned with its path, so that a damaged file is reported
 * rather than half loaded.
 */
import { isDiallable } from './numbers.js';
import { isOfficeHours } from './schedule.js';
import type { OfficeHours } from './schedule.js';
import type { PolicyState } from './state.js';
import {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  FORWARD_TARGETS,
  LIST_NAMES,
  MANAGER_AVAILABILITIES,
  PHONE_STATES,
  TARGET_NAMES,
  isNoAnswerMs,
  isOneOf,
} from './values.js';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first problem in `fields` (path and message), or undefined when every check passes. */
function firstProblem(path: string, checks: readonly (readonly [string, boolean])[]): string | undefined {
  const failed = checks.find(([, isOk]) => !isOk);
  return failed === undefined ? undefined : `${path}.${failed[0]} is not valid`;
}

function isDestination(value: unknown, kinds: readonly string[], targets: readonly string[]): boolean {
  if (!isRecord(value) || !isOneOf(kinds, value['kind'])) return false;
  if (value['kind'] === 'target') return isOneOf(targets, value['target']);
  if (value['kind'] === 'number') return typeof value['number'] === 'string' && isDiallable(value['number']);
  return true;
}

function isExpiry(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value['kind'] === 'at') return Number.isSafeInteger(value['at']) && (value['at'] as number) > 0;
  return value['kind'] === 'never' || value['kind'] === 'one-call';
}

function checkList(path: string, list: string, value: unknown): string | undefined {
  if (!isRecord(value)) return `${path} is not valid`;
  for (const [key, entry] of Object.entries(value)) {
    const isEntry =
      isRecord(entry) &&
      entry['pattern'] === key &&
      isExpiry(entry['expiry']) &&
      (list !== 'vip' || typeof entry['assistantId'] === 'string');
    if (!isEntry) return `${path}["${key}"] is not valid`;
  }
  return undefined;
}

function isSchedule(value: unknown): boolean {
  if (value === null) return true;
  if (!isRecord(value) || !Array.isArray(value['hours'])) return false;
  const hours = value['hours'] as unknown[];
  return (
    hours.every((h) => isRecord(h) && isOfficeHours(h as unknown as OfficeHours)) && isDestination(value['outside'], ['target', 'number'], TARGET_NAMES)
  );
}

function checkManager(path: string, m: unknown): string | undefined {
  if (!isRecord(m) || !isRecord(m['lists'])) return `${path} is not valid`;
  const lists = m['lists'];
  for (const list of LIST_NAMES) {
    const problem = checkList(`${path}.lists.${list}`, list, lists[list]);
    if (problem !== undefined) return problem;
  }
  const active = m['active'];
  return firstProblem(path, [
    ['isFilterOn', typeof m['isFilterOn'] === 'boolean'],
    ['filterMode', isOneOf(FILTER_MODES, m['filterMode'])],
    ['availability', isOneOf(MANAGER_AVAILABILITIES, m['availability'])],
    ['forward', isDestination(m['forward'], ['off', 'target', 'number'], FORWARD_TARGETS)],
    ['blockAction', isOneOf(BLOCK_ACTIONS, m['blockAction'])],
    ['active', Array.isArray(active) && active.every((id) => typeof id === 'string')],
    ['alerting', isOneOf(ALERTING_MODES, m['alerting'])],
    ['noAnswerMs', isNoAnswerMs(m['noAnswerMs'])],
    ['fallback', isOneOf(FALLBACK_TARGETS, m['fallback'])],
    ['schedule', isSchedule(m['schedule'])],
  ]);
}

/** Undefined when `value` is a well-formed PolicyState, else the first problem. */
export function checkState(value: unknown): string | undefined {
  if (!isRecord(value)) return 'state is not an object';
  const { managers, assistants, phones } = value;
  if (!isRecord(managers) || !isRecord(assistants) || !isRecord(phones)) return 'state needs managers, assistants and phones';
  for (const [id, m] of Object.entries(managers)) {
    const problem = checkManager(`managers.${id}`, m);
    if (problem !== undefined) return problem;
  }
  for (const [id, a] of Object.entries(assistants)) {
    if (!isRecord(a) || !isOneOf(ASSISTANT_AVAILABILITIES, a['availability'])) return `assistants.${id} is not valid`;
  }
  for (const [number, phone] of Object.entries(phones)) {
    if (!isOneOf(PHONE_STATES, phone)) return `phones.${number} is not valid`;
  }
  return undefined;
}

/** True when `value` is a well-formed PolicyState. */
export function isPolicyState(value: unknown): value is PolicyState {
  return checkState(value) === undefined;
}
