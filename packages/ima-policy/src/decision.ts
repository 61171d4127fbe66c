/**
 * Decisions: where route() sends a call. Every kind carries a reason a person can read, and
 * the one-call list entries the call spends (`consumes`), which the daemon reports back with
 * an `entryUsed` command once the call is placed.
 */
import type { AlertingMode, ForwardTarget, ListName } from './values.js';

/** Diversion reasons IMA writes (RFC 5806 §4 values). */
export type DiversionReason = 'unconditional' | 'time-of-day' | 'deflection' | 'no-answer' | 'unavailable';

/** The Diversion header IMA adds: the manager's public number and why the call was diverted. */
export interface Diversion {
  readonly number: string;
  readonly reason: DiversionReason;
}

/** Names one list entry of one manager. */
export interface EntryRef {
  readonly managerId: string;
  readonly list: ListName;
  readonly pattern: string;
}

/** Ring the manager. */
export interface ManagerDecision {
  readonly kind: 'manager';
  readonly managerId: string;
  readonly target: 'desk' | 'softphone';
  readonly number: string;
  readonly reason: string;
  readonly consumes: readonly EntryRef[];
}

/** Divert the call to another number on the manager's behalf. */
export interface ForwardDecision {
  readonly kind: 'forward';
  readonly managerId: string;
  readonly target: ForwardTarget | 'number';
  readonly number: string;
  readonly diversion: Diversion;
  readonly reason: string;
  readonly consumes: readonly EntryRef[];
}

/** A decision that ends the search: the manager, or a diversion. */
export type FinalDecision = ManagerDecision | ForwardDecision;

/** One assistant to alert. */
export interface AlertedAssistant {
  readonly id: string;
  readonly number: string;
}

/**
 * Alert assistants. parallel: all at once for `noAnswerMs`; sequential: one after another,
 * `noAnswerMs` each, in the order given; first-available: the one listed. Then, on no answer
 * or busy, `fallback`.
 */
export interface AssistantsDecision {
  readonly kind: 'assistants';
  readonly managerId: string;
  readonly assistants: readonly AlertedAssistant[];
  readonly alerting: AlertingMode;
  readonly noAnswerMs: number;
  readonly fallback: FinalDecision;
  readonly reason: string;
  readonly consumes: readonly EntryRef[];
}

/** Refuse the call with a SIP status; `reason` goes into the Reason header. */
export interface RejectDecision {
  readonly kind: 'reject';
  readonly managerId: string | null;
  readonly status: 404 | 486 | 603;
  readonly phrase: string;
  readonly reason: string;
  readonly consumes: readonly EntryRef[];
}

/** Where a call goes. */
export type Decision = ManagerDecision | ForwardDecision | AssistantsDecision | RejectDecision;

/** A call as route() sees it: numbers as the PBX presents them. */
export interface Call {
  readonly callerNumber: string;
  readonly callerName?: string;
  readonly calledNumber: string;
  /** Diversion entries of the incoming INVITE, most recent first. */
  readonly diversions?: readonly { readonly number: string; readonly reason?: string }[];
}

/** A decision and the steps that led to it, one sentence each. */
export interface Explanation {
  readonly decision: Decision;
  readonly steps: readonly string[];
}
