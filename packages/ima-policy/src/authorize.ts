/**
 * Who may change what: a manager only their own settings; an assistant those of the managers
 * whose pool holds them, and their own availability; an admin and the system everything.
 * Facts the daemon observes (phone states, reloads, expiry) are for the system and admins only.
 */
import { match } from 'ts-pattern';
import type { Actor } from './commands.js';
import type { Directory, Manager } from './directory.js';
import { refuse } from './refusal.js';
import type { Refusal } from './refusal.js';

/** What a command touches. */
export type Scope =
  | { readonly kind: 'manager'; readonly manager: Manager }
  | { readonly kind: 'assistant'; readonly assistantId: string }
  | { readonly kind: 'system' };

function describe(scope: Scope): string {
  return match(scope)
    .with({ kind: 'manager' }, (s) => `the settings of manager ${s.manager.id}`)
    .with({ kind: 'assistant' }, (s) => `the availability of assistant ${s.assistantId}`)
    .with({ kind: 'system' }, () => 'what only the system reports')
    .exhaustive();
}

/** Undefined when `actor` may act on `scope`, else the refusal to return. */
export function authorize(directory: Directory, actor: Actor, scope: Scope): Refusal | undefined {
  if (actor.kind === 'system') return undefined;
  const user = directory.users.get(actor.login);
  if (user === undefined) return refuse('POLICY_UNKNOWN_USER', `there is no user "${actor.login}"`);
  const isAllowed = match(user)
    .with({ role: 'admin' }, () => true)
    .with({ role: 'manager' }, (u) => scope.kind === 'manager' && scope.manager.id === u.manager)
    .with(
      { role: 'assistant' },
      (u) =>
        (scope.kind === 'manager' && scope.manager.pool.includes(u.assistant)) ||
        (scope.kind === 'assistant' && scope.assistantId === u.assistant),
    )
    .exhaustive();
  return isAllowed ? undefined : refuse('POLICY_FORBIDDEN', `${actor.login} may not change ${describe(scope)}`);
}
