/**
 * The login page (/): sends {login, password} to POST /api/login, then goes to the page the
 * user came from (?next=, same site only) or to their role's home page.
 */
import { api, type Me, whoAmI } from './api.js';
import { byId } from './dom.js';

const HOME: Record<Me['role'], string> = { admin: '/admin', manager: '/manager', assistant: '/assistant' };

/** Where to go after logging in: a local path only, never another site (no open redirect). */
function destination(me: Me): string {
  const next = new URLSearchParams(location.search).get('next');
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : HOME[me.role];
}

async function main(): Promise<void> {
  const form = byId<HTMLFormElement>('login-form');
  const error = byId('login-error');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const login = byId<HTMLInputElement>('login').value.trim();
    const password = byId<HTMLInputElement>('password').value;
    button.disabled = true;
    void api<Me>('POST', '/api/login', { login, password }).then((r) => {
      button.disabled = false;
      if (r.ok) return location.assign(destination(r.data));
      error.hidden = false;
      const said = `${r.error.charAt(0).toUpperCase()}${r.error.slice(1)}.`;
      error.textContent = r.status === 401 ? 'Wrong login or password.' : r.status === 429 || r.status === 0 ? said : `Logging in failed: ${r.error}`;
      byId<HTMLInputElement>('password').select();
    });
  });
  // Already logged in (a second tab, or the back button): go straight on.
  const me = await whoAmI();
  if (me !== undefined) location.replace(destination(me));
}

void main();
