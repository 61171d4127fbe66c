/**
 * Authentication through real HTTP requests to a running daemon:
 * - login sets ima_session (HttpOnly, SameSite=Strict) and csrf (readable); /api/me says who
 * - wrong password and unknown login: the same 401; no credentials: 401
 * - a write with the session cookie needs x-csrf-token equal to the csrf cookie (missing/wrong: 403)
 * - logout ends the session
 * - login attempts are rate-limited per login (429 with Retry-After, even with the right password)
 * - API tokens: made, used as Bearer (no CSRF needed), listed (own; admin all), revoked -> 401,
 *   kept hashed under storage.dir and valid after a restart
 * - API answers are not cached (cache-control: no-store)
 * - a damaged tokens.json stops the start with its name (tokens are never dropped silently)
 * - an HTTP address already taken: the daemon does not start, says which address, and leaves
 *   nothing bound (the same SIP port can be used again at once)
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client, PASSWORD, apiSetup, loggedIn, startApi } from './fixtures.js';

t.test('login, me, logout and CSRF', async (t) => {
  const s = await apiSetup();
  const d = await startApi(s);
  t.teardown(() => d.close());
  const anonymous = new Client(d.base);
  t.equal((await anonymous.get('/api/me')).status, 401, 'no credentials: 401');

  const c = new Client(d.base);
  const r = await c.request('POST', '/api/login', { login: 'alice', password: PASSWORD });
  t.equal(r.status, 200);
  t.same(r.body, { login: 'alice', role: 'manager', name: 'Alice Rossi', managerId: 'alice' });
  const setCookies = r.headers.getSetCookie();
  t.match(setCookies.find((x) => x.startsWith('ima_session='))!, /HttpOnly/i, 'session cookie is HttpOnly');
  t.match(setCookies.find((x) => x.startsWith('ima_session='))!, /SameSite=Strict/i, 'session cookie is SameSite=Strict');
  t.notMatch(setCookies.find((x) => x.startsWith('csrf='))!, /HttpOnly/i, 'csrf cookie is readable');
  t.notMatch(setCookies.join('\n'), /Secure/i, 'not Secure over plain HTTP');
  const me = await c.get('/api/me');
  t.same(me.body.login, 'alice');
  t.equal(me.headers.get('cache-control'), 'no-store', 'not cached');

  const noCsrf = await c.request('PATCH', '/api/managers/alice', { filter: false }, { csrf: null });
  t.equal(noCsrf.status, 403, 'write without x-csrf-token: 403');
  t.match(noCsrf.body.error, /csrf/);
  t.equal((await c.request('PATCH', '/api/managers/alice', { filter: false }, { csrf: 'wrong' })).status, 403, 'wrong x-csrf-token: 403');
  t.equal(d.state().managers['alice']?.isFilterOn, true, 'nothing changed');
  const ok = await c.request('PATCH', '/api/managers/alice', { filter: false });
  t.equal(ok.status, 200, 'with the csrf header: 200');
  t.equal(ok.body.filter, false);

  t.equal((await c.request('POST', '/api/logout')).status, 204);
  t.equal((await c.get('/api/me')).status, 401, 'logged out');
});

t.test('wrong password, unknown login, bad body, rate limit', async (t) => {
  const s = await apiSetup();
  const d = await startApi(s);
  t.teardown(() => d.close());
  const c = new Client(d.base);
  const wrong = await c.request('POST', '/api/login', { login: 'bob', password: 'nope' });
  const unknown = await c.request('POST', '/api/login', { login: 'nobody', password: 'nope' });
  t.equal(wrong.status, 401);
  t.equal(unknown.status, 401);
  t.same(wrong.body, unknown.body, 'the same answer for a wrong password and an unknown login');
  const bad = await c.request('POST', '/api/login', { login: 'bob' });
  t.equal(bad.status, 400);
  t.equal(bad.body.field, 'password');

  for (let i = 0; i < 4; i++) t.equal((await c.request('POST', '/api/login', { login: 'bob', password: 'nope' })).status, 401);
  const limited = await c.request('POST', '/api/login', { login: 'bob', password: PASSWORD });
  t.equal(limited.status, 429, 'the 6th attempt after 5 failures is refused, even with the right password');
  t.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After is set');
  t.equal((await c.request('POST', '/api/login', { login: 'carol', password: PASSWORD })).status, 200, 'another login still works');
});

t.test('API tokens: create, use, list, revoke, survive a restart', async (t) => {
  const s = await apiSetup();
  let d = await startApi(s);
  t.teardown(() => d.close());
  const bob = await loggedIn(d.base, 'bob');
  const made = await bob.request('POST', '/api/tokens', { name: 'desk phone script' });
  t.equal(made.status, 201);
  t.match(made.body, { login: 'bob', name: 'desk phone script', token: /^ima_/ });
  const forOther = await bob.request('POST', '/api/tokens', { name: 'x', login: 'alice' });
  t.equal(forOther.status, 403, 'an assistant cannot make a token for someone else');

  const stored = readFileSync(join(s.dir, 'var', 'tokens.json'), 'utf8');
  t.notMatch(stored, made.body.token, 'the token itself is not stored');

  const script = new Client(d.base);
  script.token = made.body.token;
  t.equal((await script.get('/api/me')).body.login, 'bob', 'Bearer token authenticates');
  const w = await script.request('PATCH', '/api/assistants/bob', { availability: 'away' });
  t.equal(w.status, 200, 'a bearer write needs no CSRF header');
  t.equal(w.body.availability, 'away');

  const admin = await loggedIn(d.base, 'admin');
  const forAlice = await admin.request('POST', '/api/tokens', { name: 'for alice', login: 'alice' });
  t.equal(forAlice.status, 201, 'an admin makes a token for another login');
  t.same((await bob.get('/api/tokens')).body.map((x: { name: string }) => x.name), ['desk phone script'], 'bob lists his own');
  t.equal((await admin.get('/api/tokens')).body.length, 2, 'an admin lists all');
  t.equal((await bob.request('DELETE', `/api/tokens/${forAlice.body.id}`)).status, 403, "bob cannot revoke alice's token");

  await d.close();
  d = await startApi(s);
  const again = new Client(d.base);
  again.token = made.body.token;
  t.equal((await again.get('/api/me')).status, 200, 'the token still works after a restart');
  t.equal((await again.request('DELETE', `/api/tokens/${made.body.id}`)).status, 204, 'revoked by its owner');
  t.equal((await again.get('/api/me')).status, 401, 'a revoked token: 401');
  const badToken = new Client(d.base);
  badToken.token = 'ima_nope';
  t.equal((await badToken.get('/api/me')).status, 401, 'an unknown token: 401');
});

t.test('the HTTP address is taken: a clean failure', async (t) => {
  const squatter = createServer();
  squatter.listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  t.teardown(() => squatter.close());
  const port = (squatter.address() as { port: number }).port;
  const s = await apiSetup();
  writeFileSync(s.file, s.yaml.replace('listen: "127.0.0.1:0"', `listen: "127.0.0.1:${port}"`));
  await t.rejects(startApi(s), new RegExp(`cannot serve HTTP on 127.0.0.1:${port}: .*EADDRINUSE`));
  writeFileSync(s.file, s.yaml);
  const d = await startApi(s);
  t.ok(d.http.port > 0, 'the same SIP port and storage folder start a daemon right after');
  await d.close();
});

t.test('a damaged tokens.json: a clear refusal to start', async (t) => {
  const s = await apiSetup();
  const d = await startApi(s);
  await d.close();
  writeFileSync(join(s.dir, 'var', 'tokens.json'), '{"tokens": [');
  await t.rejects(startApi(s), /tokens\.json does not read .*remove it to revoke every API token/);
});
