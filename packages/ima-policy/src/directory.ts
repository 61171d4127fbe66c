/**
 * The directory: who the managers, assistants and users are, as the YAML configuration says.
 * `buildDirectory` checks the YAML-shaped input and indexes it, so that routing finds a manager
 * by number, and a caller among the assistants, without scanning.
 */
import type { NumberingPlan } from './numbers.js';
import type { AssistantState, ManagerState } from './state.js';
import type {
  AlertingMode,
  AssistantAvailability,
  BlockAction,
  FallbackTarget,
  FilterMode,
  ManagerAvailability,
} from './values.js';

/** A manager's numbers; desk and voicemail are required, the rest optional. */
export interface Targets {
  readonly desk: string;
  readonly voicemail: string;
  readonly softphone?: string;
  readonly mobile?: string;
  readonly alternative?: string;
}

/** A manager as the YAML describes one; the optional settings are the initial runtime values. */
export interface ManagerInput {
  readonly id: string;
  readonly name: string;
  /** The public number callers dial. */
  readonly number: string;
  readonly targets: Targets;
  /** The pool: the assistants who may run this manager's calls. */
  readonly assistants?: readonly string[];
  readonly active?: readonly string[];
  readonly filter?: boolean;
  readonly filterMode?: FilterMode;
  readonly availability?: ManagerAvailability;
  readonly alerting?: AlertingMode;
  readonly noAnswerMs?: number;
  readonly fallback?: FallbackTarget;
  readonly blockAction?: BlockAction;
  /** Exact numbers or trailing-* prefixes. */
  readonly whitelist?: readonly string[];
  /** IANA time zone of the manager's schedule; UTC when absent. */
  readonly timeZone?: string;
}

/** An assistant as the YAML describes one. */
export interface AssistantInput {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly availability?: AssistantAvailability;
}

/** A portal or API login and what it stands for. */
export type User =
  | { readonly login: string; readonly role: 'admin' }
  | { readonly login: string; readonly role: 'manager'; readonly manager: string }
  | { readonly login: string; readonly role: 'assistant'; readonly assistant: string };

/** The directory as the YAML gives it. */
export interface DirectoryInput {
  readonly managers: readonly ManagerInput[];
  readonly assistants: readonly AssistantInput[];
  readonly users: readonly User[];
  /** Overrides of {@link DEFAULT_NUMBERING_PLAN}. */
  readonly numbering?: Partial<NumberingPlan>;
}

/** A checked manager. */
export interface Manager {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly targets: Targets;
  readonly pool: readonly string[];
  readonly timeZone: string;
  /** The runtime settings the manager starts with (from the YAML, defaults elsewhere). */
  readonly initial: ManagerState;
}

/** A checked assistant. */
export interface Assistant {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly initial: AssistantState;
}

/** A checked, indexed directory. Build one with `buildDirectory`. */
export interface Directory {
  readonly plan: NumberingPlan;
  readonly managers: ReadonlyMap<string, Manager>;
  readonly assistants: ReadonlyMap<string, Assistant>;
  readonly users: ReadonlyMap<string, User>;
  /** Managers by the canonical form of their public number. */
  readonly managerByNumber: ReadonlyMap<string, Manager>;
  /** Assistants by the canonical form of their number. */
  readonly assistantByNumber: ReadonlyMap<string, Assistant>;
  /** Canonical numbers whose phone state routing reads: desks and assistants. */
  readonly monitored: ReadonlySet<string>;
}

/** Something wrong in a directory input, with where it is ("managers[0].targets.desk"). */
export interface DirectoryProblem {
  readonly path: string;
  readonly message: string;
}

/** The outcome of `buildDirectory`: the directory, or every problem found. */
export type DirectoryResult =
  | { readonly ok: true; readonly directory: Directory }
  | { readonly ok: false; readonly problems: readonly DirectoryProblem[] };
