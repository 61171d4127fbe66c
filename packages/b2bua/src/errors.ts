/**
 * The one error class of @ima/b2bua. Thrown only for programmer errors at API
 * entry points; nothing from the network is ever thrown (it becomes a status,
 * a Reason header or an event).
 */

/** Stable codes, listed in docs/b2bua.md. */
export type B2buaErrorCode =
  /** An option or argument the caller passed is not usable (a target without a reachable host, ...). */
  | 'B2BUA_ERR_INVALID_ARGUMENT'
  /** The call is not in a state that allows this (retarget before the answer, after the end, or twice at once). */
  | 'B2BUA_ERR_INVALID_STATE';

export class B2buaError extends Error {
  readonly code: B2buaErrorCode;
  constructor(code: B2buaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'B2buaError';
    this.code = code;
  }
}
