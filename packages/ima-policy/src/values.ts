/**
 * The vocabulary of the policy: every enumerated value, as a list (for runtime checks of
 * input that arrives as JSON or YAML) and as the string-literal union derived from it.
 */

/** A manager's availability for calls from their assistants. */
export const MANAGER_AVAILABILITIES = ['available', 'busy', 'away'] as const;
/** @see MANAGER_AVAILABILITIES */
export type ManagerAvailability = (typeof MANAGER_AVAILABILITIES)[number];

/** An assistant's own availability for screened calls. */
export const ASSISTANT_AVAILABILITIES = ['available', 'away', 'offline'] as const;
/** @see ASSISTANT_AVAILABILITIES */
export type AssistantAvailability = (typeof ASSISTANT_AVAILABILITIES)[number];

/** The real-time state of a monitored phone, as the trunk's BLF subscriptions report it. */
export const PHONE_STATES = ['idle', 'ringing', 'busy', 'dnd', 'offline', 'unknown'] as const;
/** @see PHONE_STATES */
export type PhoneState = (typeof PHONE_STATES)[number];

/** How the assistants of a screened call are alerted. */
export const ALERTING_MODES = ['parallel', 'sequential', 'first-available'] as const;
/** @see ALERTING_MODES */
export type AlertingMode = (typeof ALERTING_MODES)[number];

/**
 * inclusive: everyone is screened except the whitelist; exclusive: only the screen list is
 * screened and everyone else rings the manager (Cisco Manager Assistant offers both).
 */
export const FILTER_MODES = ['inclusive', 'exclusive'] as const;
/** @see FILTER_MODES */
export type FilterMode = (typeof FILTER_MODES)[number];

/** Where the manager's blocked callers go. */
export const BLOCK_ACTIONS = ['voicemail', 'reject'] as const;
/** @see BLOCK_ACTIONS */
export type BlockAction = (typeof BLOCK_ACTIONS)[number];

/** The named targets a manager may have; desk and voicemail always exist. */
export const TARGET_NAMES = ['desk', 'softphone', 'mobile', 'voicemail', 'alternative'] as const;
/** @see TARGET_NAMES */
export type TargetName = (typeof TARGET_NAMES)[number];

/** Targets a screened call falls back to when no assistant answers. */
export const FALLBACK_TARGETS = ['voicemail', 'mobile', 'alternative', 'desk'] as const;
/** @see FALLBACK_TARGETS */
export type FallbackTarget = (typeof FALLBACK_TARGETS)[number];

/** Targets "forward all" may name (besides any number). */
export const FORWARD_TARGETS = ['mobile', 'alternative', 'voicemail'] as const;
/** @see FORWARD_TARGETS */
export type ForwardTarget = (typeof FORWARD_TARGETS)[number];

/** The four per-manager caller lists. */
export const LIST_NAMES = ['whitelist', 'screen', 'vip', 'block'] as const;
/** @see LIST_NAMES */
export type ListName = (typeof LIST_NAMES)[number];

/** Days of the week, Monday first, as schedules name them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** @see WEEKDAYS */
export type Weekday = (typeof WEEKDAYS)[number];

/** Shortest and longest no-answer time a manager may choose, in milliseconds. */
export const NO_ANSWER_LIMITS = { minMs: 1_000, maxMs: 300_000 } as const;

/** True when `value` is one of `values` (a runtime check of untyped input). */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return (values as readonly unknown[]).includes(value);
}

/** True when `ms` is a whole no-answer time within {@link NO_ANSWER_LIMITS}. */
export function isNoAnswerMs(ms: unknown): ms is number {
  return Number.isSafeInteger(ms) && (ms as number) >= NO_ANSWER_LIMITS.minMs && (ms as number) <= NO_ANSWER_LIMITS.maxMs;
}

/** The own property `key` of a record, never one inherited from Object.prototype. */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
