/**
 * What every signed-in page shares: who is logged in, the navigation their role allows, logging
 * out, and showing a refused request in the page's alert area.
 */
import { api, type Me, type Result, whoAmI } from './api.js';
import { announce, byId, h } from './dom.js';

const PAGES: ReadonlyArray<{ path: string; label: string; roles: ReadonlyArray<Me['role']> }> = [
  { path: '/manager', label: 'Manager', roles: ['admin', 'manager', 'assistant'] },
  { path: '/assistant', label: 'Assistant console', roles: ['admin', 'assistant'] },
  { path: '/admin', label: 'Admin', roles: ['admin'] },
];

/** Load the user and fill the page header; undefined (and a redirect to login) when nobody is logged in. */
export async function startPage(): Promise<Me | undefined> {
  const me = await whoAmI();
  if (me === undefined) return undefined;
  const nav = document.getElementById('nav');
  if (nav !== null) {
    const links = PAGES.filter((p) => p.roles.includes(me.role)).map((p) =>
      h('a', { href: p.path, ...(location.pathname === p.path ? { 'aria-current': 'page' } : {}) }, p.label),
    );
    nav.replaceChildren(...links);
  }
  const who = document.getElementById('who');
  if (who !== null) who.textContent = `${me.name} (${me.role})`;
  document.getElementById('logout')?.addEventListener('click', () => {
    void api('POST', '/api/logout').then(() => location.assign('/'));
  });
  return me;
}

/** Show a failed request in #error (role=alert) and return false; true on success. */
export function report<T>(result: Result<T>, what: string): result is Extract<Result<T>, { ok: true }> {
  if (result.ok) return true;
  const box = byId('error');
  box.hidden = false;
  box.replaceChildren(h('strong', {}, `${what}: `), result.error, result.field !== undefined ? ` (${result.field})` : '');
  return false;
}

/** Run a change; when it succeeded, clear the last error and announce `done`. */
export async function change<T>(request: Promise<Result<T>>, what: string, done: string): Promise<Result<T>> {
  const result = await request;
  if (!report(result, what)) return result;
  const box = byId('error');
  box.hidden = true;
  box.textContent = '';
  announce(done);
  return result;
}
