/**
 * HTTP errors: every error answer is `{error, field?}` with a status that says who is at fault.
 * Policy refusals map by their stable code: not allowed -> 403, nothing by that name -> 404,
 * a value the policy refuses -> 400.
 */
import type { RefusalCode } from '@ima/ima-policy';

/** An error a handler throws to answer `status {error, field?}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly field: string | undefined;

  constructor(status: number, message: string, field?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.field = field;
  }
}

/** The HTTP status of a policy refusal. */
export function refusalStatus(code: RefusalCode): 400 | 403 | 404 {
  switch (code) {
    case 'POLICY_FORBIDDEN':
    case 'POLICY_UNKNOWN_USER':
      return 403;
    case 'POLICY_UNKNOWN_MANAGER':
    case 'POLICY_UNKNOWN_ASSISTANT':
    case 'POLICY_NO_SUCH_ENTRY':
      return 404;
    case 'POLICY_UNKNOWN_NUMBER':
    case 'POLICY_INVALID_VALUE':
    case 'POLICY_NO_SUCH_TARGET':
    case 'POLICY_NOT_IN_POOL':
      return 400;
  }
}
