/**
 * The login rate limit under concurrent requests, through real HTTP to a running daemon (limits
 * 5 failures per login, 20 per address, 15 minutes):
 * - 40 wrong passwords for one login sent at once (its hash as costly as a real one): exactly 5 are answered 401, the other 35 get
 *   429 with Retry-After (each attempt is counted before its scrypt work, not after); the right
 *   password is refused next
 * - 40 wrong logins at once, each a different name, from one address: exactly 20 are answered 401
 * - a success takes its attempt back: 25 good logins in a row from one address all pass, and a
 *   success after 4 failures leaves the login 5 fresh attempts
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { hashPassword } from '../../src/auth/password.js';
import { Client, PASSWORD, apiSetup, startApi } from './fixtures.js';

const login = (base: string, name: string, password: string) => new Client(base).request('POST', '/api/login', { login: name, password });
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

t.test('40 concurrent wrong passwords for one login: 5 get 401, 35 get 429', async (t) => {
  const s = await apiSetup();
  // bob's hash costs what a real one does (tens of ms), so that the attempts overlap while they are checked.
  const costly = await hashPassword(PASSWORD, { N: 16_384, r: 8, p: 1 });
  writeFileSync(s.file, s.yaml.replace(/(login: bob, [^\n]*password_hash: ")[^"]+/, (_, head: string) => head + costly));
  const d = await startApi(s);
  t.teardown(() => d.close());
  const answers = await Promise.all(Array.from({ length: 40 }, () => login(d.base, 'bob', 'nope')));
  const statuses = answers.map((a) => a.status);
  t.equal(count(statuses, 401), 5, 'as many wrong passwords checked as the limit allows');
  t.equal(count(statuses, 429), 35, 'the rest refused before any hashing');
  t.ok(answers.filter((a) => a.status === 429).every((a) => Number(a.headers.get('retry-after')) > 0), 'each 429 says when to come back');
  t.equal((await login(d.base, 'bob', PASSWORD)).status, 429, 'the right password waits too');
  t.equal((await login(d.base, 'carol', PASSWORD)).status, 200, 'another login is not affected');
});

t.test('40 concurrent wrong logins from one address, each a different name: 20 get 401', async (t) => {
  const d = await startApi(await apiSetup());
  t.teardown(() => d.close());
  const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => login(d.base, `user${i}`, 'nope')))).map((a) => a.status);
  t.equal(count(statuses, 401), 20, 'the per-address limit holds under concurrency too');
  t.equal(count(statuses, 429), 20);
});

t.test('a success takes its attempt back', async (t) => {
  const d = await startApi(await apiSetup());
  t.teardown(() => d.close());
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) statuses.push((await login(d.base, 'alice', PASSWORD)).status);
  t.same(statuses, Array(25).fill(200), 'more good logins than the per-address limit: none counts against the address');
  for (let i = 0; i < 4; i++) t.equal((await login(d.base, 'bob', 'nope')).status, 401);
  t.equal((await login(d.base, 'bob', PASSWORD)).status, 200, 'the right password within the limit');
  const again = await Promise.all(Array.from({ length: 6 }, () => login(d.base, 'bob', 'nope')));
  t.same(again.map((a) => a.status).sort(), [401, 401, 401, 401, 401, 429], 'the success cleared the login: 5 more attempts');
});
