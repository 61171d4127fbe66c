/**
 * Commands and events: the vocabulary of `step`.
 *
 * Every command names who acts. A user acts through their login (the directory says whether
 * they are an admin, a manager or an assistant); the daemon itself acts as the system, for
 * facts it observes (phone states, a call that used a one-call entry, a config reload).
 */
import type { Directory } from './directory.js';
import type { Forward, Expiry, ManagerState } from './state.js';
import type { Schedule } from './schedule.js';
import type {
  AlertingMode,
  AssistantAvailability,
  BlockAction,
  FallbackTarget,
  FilterMode,
  ListName,
  ManagerAvailability,
  PhoneState,
} from './values.js';

/** Who issues a command. */
export type Actor = { readonly kind: 'user'; readonly login: string } | { readonly kind: 'system' };

/** A new entry for one of the caller lists; `pattern` as a person writes it. */
export type NewEntry =
  | { readonly list: 'whitelist' | 'screen' | 'block'; readonly pattern: string; readonly expiry: Expiry }
  | { readonly list: 'vip'; readonly pattern: string; readonly expiry: Expiry; readonly assistantId: string };

/** A change to one manager's settings. */
export type ManagerCommand =
  | { readonly type: 'setFilter'; readonly isOn: boolean }
  | { readonly type: 'setFilterMode'; readonly mode: FilterMode }
  | { readonly type: 'setAvailability'; readonly availability: ManagerAvailability }
  | { readonly type: 'setForward'; readonly forward: Forward }
  | { readonly type: 'addEntry'; readonly entry: NewEntry }
  | { readonly type: 'removeEntry'; readonly list: ListName; readonly pattern: string }
  | { readonly type: 'setBlockAction'; readonly action: BlockAction }
  | { readonly type: 'setActiveAssistants'; readonly assistantIds: readonly string[] }
  | { readonly type: 'setAlerting'; readonly alerting: AlertingMode }
  | { readonly type: 'setNoAnswer'; readonly noAnswerMs: number }
  | { readonly type: 'setFallback'; readonly fallback: FallbackTarget }
  | { readonly type: 'setSchedule'; readonly schedule: Schedule | null }
  /** A call used a one-call entry (route() said so in `consumes`); the entry is spent. */
  | { readonly type: 'entryUsed'; readonly list: ListName; readonly pattern: string };

/** Every command `step` accepts. */
export type Command =
  | (ManagerCommand & { readonly by: Actor; readonly managerId: string })
  | { readonly type: 'setAssistantAvailability'; readonly by: Actor; readonly assistantId: string; readonly availability: AssistantAvailability }
  | { readonly type: 'phoneStateChanged'; readonly by: Actor; readonly number: string; readonly phone: PhoneState }
  /** Drops the entries whose time is up at `now`, so the state does not grow for ever. */
  | { readonly type: 'expireEntries'; readonly by: Actor; readonly now: number }
  /** The configuration was reloaded: runtime state of users that still exist is kept. */
  | { readonly type: 'directoryReplaced'; readonly by: Actor; readonly directory: Directory };

/** What a successful command changed. */
export type PolicyEvent =
  | { readonly type: 'managerChanged'; readonly managerId: string; readonly fields: readonly (keyof ManagerState)[] }
  | { readonly type: 'assistantChanged'; readonly assistantId: string; readonly availability: AssistantAvailability }
  | { readonly type: 'phoneChanged'; readonly number: string; readonly phone: PhoneState }
  | { readonly type: 'entryExpired'; readonly managerId: string; readonly list: ListName; readonly pattern: string }
  | {
      readonly type: 'directoryReplaced';
      readonly managersAdded: readonly string[];
      readonly managersRemoved: readonly string[];
      readonly assistantsAdded: readonly string[];
      readonly assistantsRemoved: readonly string[];
    }
  /** The command was allowed and valid but changed nothing (an explicit no-op). */
  | { readonly type: 'unchanged'; readonly command: Command['type'] };
