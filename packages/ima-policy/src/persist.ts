/**
 * The state on disk: JSON with a format version. A file written by an older version is
 * brought up to date by the migrations, one version at a time, then checked; a file from a
 * newer version, or a damaged one, is refused with a reason rather than loaded in part.
 *
 *   { "version": 1, "state": { "managers": {…}, "assistants": {…}, "phones": {…} } }
 */
import { checkState } from './state-check.js';
import type { PolicyState } from './state.js';

/** The version `serializeState` writes. */
export const STATE_VERSION = 1;

/** Turns the state of format version n into that of version n + 1. */
export type Migration = (state: unknown) => unknown;

/** Migrations by the version they start from. Version 1 is the first format: none yet. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

/** Stable codes of a state file that cannot be loaded. */
export type LoadErrorCode = 'POLICY_STATE_JSON' | 'POLICY_STATE_VERSION' | 'POLICY_STATE_INVALID';

/** The outcome of `parseState`. */
export type LoadResult =
  | { readonly ok: true; readonly state: PolicyState; readonly migratedFrom: number | null }
  | { readonly ok: false; readonly code: LoadErrorCode; readonly reason: string };

/** The state as the JSON text the daemon writes. */
export function serializeState(state: PolicyState): string {
  return JSON.stringify({ version: STATE_VERSION, state });
}

/**
 * Reads a state file's text. `migrations` and `current` default to this version's; they are
 * parameters so that the migration path can be exercised before a second format exists.
 */
export function parseState(text: string, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, current = STATE_VERSION): LoadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'POLICY_STATE_JSON', reason: `not JSON: ${(error as Error).message}` };
  }
  const version = typeof doc === 'object' && doc !== null ? (doc as { version?: unknown }).version : undefined;
  if (!Number.isSafeInteger(version) || (version as number) < 1 || (version as number) > current) {
    return { ok: false, code: 'POLICY_STATE_VERSION', reason: `format version ${String(version)} is not one of 1 to ${current}` };
  }
  let state = (doc as { state?: unknown }).state;
  for (let from = version as number; from < current; from++) {
    const migrate = Object.hasOwn(migrations, from) ? migrations[from] : undefined;
    if (migrate === undefined) return { ok: false, code: 'POLICY_STATE_VERSION', reason: `no migration from format version ${from}` };
    state = migrate(state);
  }
  const problem = checkState(state);
  if (problem !== undefined) return { ok: false, code: 'POLICY_STATE_INVALID', reason: problem };
  return { ok: true, state: state as PolicyState, migratedFrom: version === current ? null : (version as number) };
}
