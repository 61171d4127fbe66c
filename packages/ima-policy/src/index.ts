/**
 * @ima/ima-policy — IMA's routing engine: a pure state machine over the directory and the
 * runtime state, and the routing decision for a call. No I/O, no timers, no clock reads.
 */
export type { Actor, Command, ManagerCommand, NewEntry, PolicyEvent } from './commands.js';
export type {
  AlertedAssistant,
  AssistantsDecision,
  Call,
  Decision,
  Diversion,
  DiversionReason,
  EntryRef,
  Explanation,
  FinalDecision,
  ForwardDecision,
  ManagerDecision,
  RejectDecision,
} from './decision.js';
export type {
  Assistant,
  AssistantInput,
  Directory,
  DirectoryInput,
  DirectoryProblem,
  DirectoryResult,
  Manager,
  ManagerInput,
  Targets,
  User,
} from './directory.js';
export { MANAGER_DEFAULTS, buildDirectory } from './directory-build.js';
export { DEFAULT_NUMBERING_PLAN, callerKeys, canonicalPattern, isDiallable, normaliseNumber } from './numbers.js';
export type { NumberingPlan } from './numbers.js';
export { MIGRATIONS, STATE_VERSION, parseState, serializeState } from './persist.js';
export type { LoadErrorCode, LoadResult, Migration } from './persist.js';
export { initialState, reconcileState } from './reconcile.js';
export type { Refusal, RefusalCode } from './refusal.js';
export { explain, route } from './route.js';
export { isOpenAt, localTime } from './schedule.js';
export type { LocalTime, OfficeHours, Schedule } from './schedule.js';
export { checkState, isPolicyState } from './state-check.js';
export { findEntry, isExpired } from './state.js';
export type {
  AssistantState,
  Destination,
  EntryMap,
  Expiry,
  Forward,
  ListEntry,
  ManagerLists,
  ManagerState,
  PolicyState,
  VipEntry,
} from './state.js';
export { step } from './step.js';
export type { Applied, StepResult } from './step.js';
export {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  FORWARD_TARGETS,
  LIST_NAMES,
  MANAGER_AVAILABILITIES,
  NO_ANSWER_LIMITS,
  PHONE_STATES,
  TARGET_NAMES,
  WEEKDAYS,
} from './values.js';
export type {
  AlertingMode,
  AssistantAvailability,
  BlockAction,
  FallbackTarget,
  FilterMode,
  ForwardTarget,
  ListName,
  ManagerAvailability,
  PhoneState,
  TargetName,
  Weekday,
} from './values.js';
