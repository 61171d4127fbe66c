/**
 * Refusals: why a command was not carried out. The policy never throws; a command either
 * succeeds with a new state and events, or comes back as one of these, with a stable code
 * (listed in docs/policy.md) and a sentence a person can read.
 */

/** Stable codes of every refusal. */
export type RefusalCode =
  | 'POLICY_UNKNOWN_USER'
  | 'POLICY_FORBIDDEN'
  | 'POLICY_UNKNOWN_MANAGER'
  | 'POLICY_UNKNOWN_ASSISTANT'
  | 'POLICY_UNKNOWN_NUMBER'
  | 'POLICY_INVALID_VALUE'
  | 'POLICY_NO_SUCH_TARGET'
  | 'POLICY_NOT_IN_POOL'
  | 'POLICY_NO_SUCH_ENTRY';

/** A command that was not carried out, and why. */
export interface Refusal {
  readonly ok: false;
  readonly code: RefusalCode;
  readonly reason: string;
}

/** Makes a refusal. */
export function refuse(code: RefusalCode, reason: string): Refusal {
  return { ok: false, code, reason };
}
