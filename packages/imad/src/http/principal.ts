/**
 * Who is asking, and what they may see. Writes are authorised by the policy (the command
 * names the user); reads are filtered here with the same rules: an admin sees everything, a
 * manager their own record, an assistant the managers whose pool holds them.
 */
import type { Directory, Manager } from '@ima/ima-policy';

/** An authenticated user, as the directory says now (a reload can change or remove them). */
export type Principal =
  | { readonly login: string; readonly role: 'admin'; readonly via: Via }
  | { readonly login: string; readonly role: 'manager'; readonly managerId: string; readonly via: Via }
  | { readonly login: string; readonly role: 'assistant'; readonly assistantId: string; readonly via: Via };

/** How the request authenticated: the portal's session cookie or an API token. */
export type Via = 'session' | 'token';

/** The principal of `login`, or undefined when the directory has no such user any more. */
export function principalOf(directory: Directory, login: string, via: Via): Principal | undefined {
  const user = directory.users.get(login);
  if (user === undefined) return undefined;
  switch (user.role) {
    case 'admin':
      return { login, role: 'admin', via };
    case 'manager':
      return { login, role: 'manager', managerId: user.manager, via };
    case 'assistant':
      return { login, role: 'assistant', assistantId: user.assistant, via };
  }
}

export function canSeeManager(p: Principal, manager: Manager): boolean {
  switch (p.role) {
    case 'admin':
      return true;
    case 'manager':
      return manager.id === p.managerId;
    case 'assistant':
      return manager.pool.includes(p.assistantId);
  }
}

/** The manager id, or null (a call to a number no manager has): only admins see those. */
export function canSeeManagerId(p: Principal, directory: Directory, managerId: string | null): boolean {
  if (p.role === 'admin') return true;
  const manager = managerId === null ? undefined : directory.managers.get(managerId);
  return manager !== undefined && canSeeManager(p, manager);
}

/** An assistant is seen by admins, by themselves, and by whoever sees a manager whose pool holds them. */
export function canSeeAssistant(p: Principal, directory: Directory, assistantId: string): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'assistant' && p.assistantId === assistantId) return true;
  for (const m of directory.managers.values()) if (m.pool.includes(assistantId) && canSeeManager(p, m)) return true;
  return false;
}
