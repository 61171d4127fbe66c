/**
 * buildDirectory: checks a YAML-shaped directory and indexes it. Every problem is reported
 * with its path, never thrown, so that `imad check` can print them all at once.
 */
import type {
  Assistant,
  Directory,
  DirectoryInput,
  DirectoryProblem,
  DirectoryResult,
  Manager,
  ManagerInput,
  User,
} from './directory.js';
import { DEFAULT_NUMBERING_PLAN, canonicalPattern, isDiallable, normaliseNumber } from './numbers.js';
import type { NumberingPlan } from './numbers.js';
import { isTimeZone } from './schedule.js';
import { EMPTY_LISTS } from './state.js';
import type { ListEntry, ManagerState } from './state.js';
import {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  MANAGER_AVAILABILITIES,
  isNoAnswerMs,
  isOneOf,
} from './values.js';

type Report = (path: string, message: string) => void;

const ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const DIGITS = /^\d{1,4}$/;

/** Default runtime settings of a manager whose YAML says nothing else. */
export const MANAGER_DEFAULTS = {
  isFilterOn: false,
  filterMode: 'inclusive',
  availability: 'available',
  alerting: 'parallel',
  noAnswerMs: 20_000,
  fallback: 'voicemail',
  blockAction: 'voicemail',
} as const;

function buildPlan(numbering: Partial<NumberingPlan> | undefined, report: Report): NumberingPlan {
  const n = numbering ?? {};
  const plan: NumberingPlan = {
    internationalPrefix: n.internationalPrefix ?? DEFAULT_NUMBERING_PLAN.internationalPrefix,
    accessCodes: n.accessCodes ?? DEFAULT_NUMBERING_PLAN.accessCodes,
    extensionMaxLength: n.extensionMaxLength ?? DEFAULT_NUMBERING_PLAN.extensionMaxLength,
    ...(n.countryCode === undefined ? {} : { countryCode: n.countryCode }),
    ...(n.trunkPrefix === undefined ? {} : { trunkPrefix: n.trunkPrefix }),
  };
  if (plan.countryCode !== undefined && !/^[1-9]\d{0,2}$/.test(plan.countryCode)) {
    report('numbering.countryCode', 'must be 1 to 3 digits, not starting with 0');
  }
  if (plan.trunkPrefix !== undefined && !DIGITS.test(plan.trunkPrefix)) report('numbering.trunkPrefix', 'must be 1 to 4 digits');
  if (!DIGITS.test(plan.internationalPrefix)) report('numbering.internationalPrefix', 'must be 1 to 4 digits');
  plan.accessCodes.forEach((code, i) => {
    if (!DIGITS.test(code)) report(`numbering.accessCodes[${i}]`, 'must be 1 to 4 digits');
  });
  const max = plan.extensionMaxLength;
  if (!Number.isInteger(max) || max < 1 || max > 15) report('numbering.extensionMaxLength', 'must be a whole number from 1 to 15');
  return plan;
}

/** Checks that `ids` are distinct members of `allowed`; reports each offender. */
function checkIdList(ids: readonly string[], allowed: (id: string) => boolean, path: string, what: string, report: Report): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) report(`${path}[${i}]`, `"${id}" is listed twice`);
    else if (!allowed(id)) report(`${path}[${i}]`, `"${id}" is not ${what}`);
    seen.add(id);
  });
}

function checkEnum(values: readonly string[], value: unknown, path: string, report: Report): void {
  if (!isOneOf(values, value)) report(path, `must be one of ${values.join(', ')}`);
}

function initialManagerState(m: ManagerInput, pool: readonly string[], plan: NumberingPlan, path: string, report: Report): ManagerState {
  const whitelist: Record<string, ListEntry> = {};
  (m.whitelist ?? []).forEach((raw, i) => {
    const pattern = canonicalPattern(raw, plan);
    if (pattern === undefined) report(`${path}.whitelist[${i}]`, `"${raw}" is not a number or a trailing-* prefix`);
    else whitelist[pattern] = { pattern, expiry: { kind: 'never' } };
  });
  const active = m.active ?? pool;
  checkIdList(active, (id) => pool.includes(id), `${path}.active`, "in the manager's pool", report);
  const state: ManagerState = {
    isFilterOn: m.filter ?? MANAGER_DEFAULTS.isFilterOn,
    filterMode: m.filterMode ?? MANAGER_DEFAULTS.filterMode,
    availability: m.availability ?? MANAGER_DEFAULTS.availability,
    forward: { kind: 'off' },
    lists: { ...EMPTY_LISTS, whitelist },
    blockAction: m.blockAction ?? MANAGER_DEFAULTS.blockAction,
    active,
    alerting: m.alerting ?? MANAGER_DEFAULTS.alerting,
    noAnswerMs: m.noAnswerMs ?? MANAGER_DEFAULTS.noAnswerMs,
    fallback: m.fallback ?? MANAGER_DEFAULTS.fallback,
    schedule: null,
  };
  if (typeof state.isFilterOn !== 'boolean') report(`${path}.filter`, 'must be true or false');
  checkEnum(FILTER_MODES, state.filterMode, `${path}.filterMode`, report);
  checkEnum(MANAGER_AVAILABILITIES, state.availability, `${path}.availability`, report);
  checkEnum(BLOCK_ACTIONS, state.blockAction, `${path}.blockAction`, report);
  checkEnum(ALERTING_MODES, state.alerting, `${path}.alerting`, report);
  checkEnum(FALLBACK_TARGETS, state.fallback, `${path}.fallback`, report);
  if (!isNoAnswerMs(state.noAnswerMs)) report(`${path}.noAnswerMs`, 'must be a whole number of ms from 1000 to 300000');
  if ((state.fallback === 'mobile' || state.fallback === 'alternative') && m.targets[state.fallback] === undefined) {
    report(`${path}.fallback`, `the manager has no ${state.fallback} target`);
  }
  return state;
}

/**
 * Checks a directory and indexes it. Ids must be unique per kind, public and assistant numbers
 * unique once normalised, every reference must resolve, every value must be known.
 */
export function buildDirectory(input: DirectoryInput): DirectoryResult {
  const problems: DirectoryProblem[] = [];
  const report: Report = (path, message) => {
    problems.push({ path, message });
  };
  const plan = buildPlan(input.numbering, report);
  const claimed = new Map<string, string>();
  const claim = (raw: string, path: string): string => {
    const canonical = normaliseNumber(raw, plan);
    const owner = claimed.get(canonical);
    if (!isDiallable(raw)) report(path, `"${raw}" is not a number`);
    else if (owner !== undefined) report(path, `"${raw}" is already the number of ${owner}`);
    claimed.set(canonical, path);
    return canonical;
  };
  const checkId = (id: string, taken: ReadonlyMap<string, unknown>, path: string): void => {
    if (!ID.test(id)) report(path, 'must be 1 to 64 letters, digits or _.@-');
    else if (taken.has(id)) report(path, `duplicate id "${id}"`);
  };

  const assistants = new Map<string, Assistant>();
  const assistantByNumber = new Map<string, Assistant>();
  const monitored = new Set<string>();
  input.assistants.forEach((a, i) => {
    const path = `assistants[${i}]`;
    checkId(a.id, assistants, `${path}.id`);
    const canonical = claim(a.number, `${path}.number`);
    const availability = a.availability ?? 'available';
    checkEnum(ASSISTANT_AVAILABILITIES, availability, `${path}.availability`, report);
    const assistant: Assistant = { id: a.id, name: a.name, number: a.number, initial: { availability } };
    assistants.set(a.id, assistant);
    assistantByNumber.set(canonical, assistant);
    monitored.add(canonical);
  });

  const managers = new Map<string, Manager>();
  const managerByNumber = new Map<string, Manager>();
  input.managers.forEach((m, i) => {
    const path = `managers[${i}]`;
    checkId(m.id, managers, `${path}.id`);
    const canonical = claim(m.number, `${path}.number`);
    for (const [name, number] of Object.entries(m.targets)) {
      if (number !== undefined && !isDiallable(number)) report(`${path}.targets.${name}`, `"${number}" is not a number`);
    }
    if (m.targets.desk === undefined) report(`${path}.targets.desk`, 'is required');
    if (m.targets.voicemail === undefined) report(`${path}.targets.voicemail`, 'is required');
    const pool = m.assistants ?? [];
    checkIdList(pool, (id) => assistants.has(id), `${path}.assistants`, 'an assistant', report);
    const timeZone = m.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) report(`${path}.timeZone`, `"${timeZone}" is not a known IANA time zone`);
    const initial = initialManagerState(m, pool, plan, path, report);
    const manager: Manager = { id: m.id, name: m.name, number: m.number, targets: m.targets, pool, timeZone, initial };
    managers.set(m.id, manager);
    managerByNumber.set(canonical, manager);
    monitored.add(normaliseNumber(m.targets.desk ?? '', plan));
  });

  const users = new Map<string, User>();
  input.users.forEach((u, i) => {
    const path = `users[${i}]`;
    checkId(u.login, users, `${path}.login`);
    users.set(u.login, u);
    if (u.role === 'manager' && !managers.has(u.manager)) report(`${path}.manager`, `"${u.manager}" is not a manager`);
    else if (u.role === 'assistant' && !assistants.has(u.assistant)) report(`${path}.assistant`, `"${u.assistant}" is not an assistant`);
    else checkEnum(['admin', 'manager', 'assistant'], u.role, `${path}.role`, report);
  });

  if (problems.length > 0) return { ok: false, problems };
  const directory: Directory = { plan, managers, assistants, users, managerByNumber, assistantByNumber, monitored };
  return { ok: true, directory };
}
