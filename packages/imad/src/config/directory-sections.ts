/**
 * The directory sections: managers, assistants and users. Each entry is read into a draft;
 * references between entries are checked afterwards (cross-check.ts).
 */
import {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  MANAGER_AVAILABILITIES,
  MANAGER_DEFAULTS,
  NO_ANSWER_LIMITS,
  canonicalPattern,
} from '@ima/ima-policy';
import type { NumberingPlan, Targets } from '@ima/ima-policy';
import { parsePasswordHash } from '../auth/password.js';
import type { Draft } from './draft.js';
import { duration, identifier, listOf, oneOf, onOff, phoneNumber, text, textWhere } from './scalars.js';
import { ROLES } from './types.js';
import type { AssistantConfig, ManagerConfig, Role } from './types.js';
import { readMap } from './walk.js';
import type { Reader } from './walk.js';

/** A user as read, before the role decides which reference it carries. */
export interface UserDraft {
  readonly login: string | undefined;
  readonly role: Role | undefined;
  /** null when the key is absent. */
  readonly manager: string | null | undefined;
  readonly assistant: string | null | undefined;
  readonly passwordHash: string | undefined;
}

const MANAGER_KEYS = [
  'id',
  'name',
  'number',
  'targets',
  'assistants',
  'active',
  'filter',
  'filter_mode',
  'availability',
  'alerting',
  'no_answer',
  'fallback',
  'block_action',
  'whitelist',
  'time_zone',
] as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = textWhere((value) => (isTimeZone(value) ? undefined : `"${value}" is not an IANA time zone (as Europe/Rome or UTC)`));

const readTargets: Reader<Targets> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['desk', 'voicemail', 'softphone', 'mobile', 'alternative']);
  if (m === undefined) return undefined;
  const desk = m.required('desk', phoneNumber);
  const voicemail = m.required('voicemail', phoneNumber);
  const softphone = m.optional<string | null>('softphone', phoneNumber, null);
  const mobile = m.optional<string | null>('mobile', phoneNumber, null);
  const alternative = m.optional<string | null>('alternative', phoneNumber, null);
  if (desk === undefined || voicemail === undefined || softphone === undefined || mobile === undefined || alternative === undefined) {
    return undefined;
  }
  return {
    desk,
    voicemail,
    ...(softphone === null ? {} : { softphone }),
    ...(mobile === null ? {} : { mobile }),
    ...(alternative === null ? {} : { alternative }),
  };
};

function whitelistPattern(plan: NumberingPlan): Reader<string> {
  return textWhere((value) =>
    canonicalPattern(value, plan) === undefined ? `"${value}" is not a number or a trailing-* prefix (as "3*")` : undefined,
  );
}

/** One entry of `managers`. */
export function readManager(plan: NumberingPlan): Reader<Draft<ManagerConfig>> {
  return (walk, node, at) => {
    const m = readMap(walk, node, at, MANAGER_KEYS);
    if (m === undefined) return undefined;
    const assistants = m.optional('assistants', listOf(identifier), []);
    const active = m.has('active') ? m.required('active', listOf(identifier)) : assistants;
    return {
      id: m.required('id', identifier),
      name: m.required('name', text),
      number: m.required('number', phoneNumber),
      targets: m.required('targets', readTargets),
      assistants,
      active,
      isFilterOn: m.optional('filter', onOff, MANAGER_DEFAULTS.isFilterOn),
      filterMode: m.optional('filter_mode', oneOf(FILTER_MODES), MANAGER_DEFAULTS.filterMode),
      availability: m.optional('availability', oneOf(MANAGER_AVAILABILITIES), MANAGER_DEFAULTS.availability),
      alerting: m.optional('alerting', oneOf(ALERTING_MODES), MANAGER_DEFAULTS.alerting),
      noAnswerMs: m.optional('no_answer', duration(NO_ANSWER_LIMITS.minMs, NO_ANSWER_LIMITS.maxMs), MANAGER_DEFAULTS.noAnswerMs),
      fallback: m.optional('fallback', oneOf(FALLBACK_TARGETS), MANAGER_DEFAULTS.fallback),
      blockAction: m.optional('block_action', oneOf(BLOCK_ACTIONS), MANAGER_DEFAULTS.blockAction),
      whitelist: m.optional('whitelist', listOf(whitelistPattern(plan)), []),
      timeZone: m.optional('time_zone', timeZone, 'UTC'),
    };
  };
}

/** One entry of `assistants`. */
export const readAssistant: Reader<Draft<AssistantConfig>> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['id', 'name', 'number', 'availability']);
  if (m === undefined) return undefined;
  return {
    id: m.required('id', identifier),
    name: m.required('name', text),
    number: m.required('number', phoneNumber),
    availability: m.optional('availability', oneOf(ASSISTANT_AVAILABILITIES), 'available'),
  };
};

const passwordHash = textWhere((value) => {
  const parsed = parsePasswordHash(value);
  return parsed.ok ? undefined : parsed.message;
});

/** One entry of `users`; the role's reference key is required, the other role's refused. */
export const readUser: Reader<UserDraft> = (walk, node, at) => {
  const m = readMap(walk, node, at, ['login', 'role', 'manager', 'assistant', 'password_hash']);
  if (m === undefined) return undefined;
  const role = m.required('role', oneOf(ROLES));
  const draft: UserDraft = {
    login: m.required('login', identifier),
    role,
    manager: m.optional<string | null>('manager', identifier, null),
    assistant: m.optional<string | null>('assistant', identifier, null),
    passwordHash: m.required('password_hash', passwordHash),
  };
  if (role !== undefined) {
    for (const key of ['manager', 'assistant'] as const) {
      if (role === key && !m.has(key)) walk.report(node, at, `role ${role} needs "${key}:" (the ${key} this login stands for)`);
      if (role !== key && m.has(key)) walk.report(m.keyNode(key), `${at}.${key}`, `only a user with role ${key} names a ${key}`);
    }
  }
  return draft;
};
