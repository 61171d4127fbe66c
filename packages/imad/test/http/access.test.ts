/**
 * Every route of the API, through real HTTP, for the access rules that hold everywhere:
 * - without credentials: 401 on every route but the public ones (login, health, metrics, openapi)
 * - with a bad bearer token: 401
 * - every role reads every non-admin GET route (200), filtered by what it may see
 * - as a manager or an assistant: 403 on every admin route
 * - every write made with the session cookie but without x-csrf-token: 403, before anything runs
 * - every JSON body with an unknown field: 400 naming it
 * - over HTTPS (http.tls) the session and csrf cookies are Secure
 * And the units behind them: the session idle timeout, the per-address login limit.
 */
import t from 'tap';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { API_ROUTES } from '../../src/http/routes/index.js';
import { LoginLimiter } from '../../src/http/login-limiter.js';
import { SessionStore } from '../../src/http/sessions.js';
import { Client, PASSWORD, apiSetup, loggedIn, startApi } from './fixtures.js';

const s = await apiSetup();
const d = await startApi(s);
t.teardown(() => d.close());
const pathOf = (url: string): string => url.replace(':id', 'alice').replace(':entry', '123');

t.test('401 without credentials or with a bad token, on every non-public route', async (t) => {
  const anonymous = new Client(d.base);
  const forged = new Client(d.base);
  forged.token = 'ima_forged';
  for (const r of API_ROUTES) {
    const expected = r.access === 'public' ? undefined : 401;
    const a = await anonymous.request(r.method, pathOf(r.url), r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
    const f = await forged.request(r.method, pathOf(r.url), r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
    if (expected === undefined) t.not(a.status, 401, `${r.method} ${r.url} is public`);
    else {
      t.equal(a.status, 401, `${r.method} ${r.url}: no credentials`);
      t.equal(f.status, 401, `${r.method} ${r.url}: a bad token`);
      t.type(a.body.error, 'string');
    }
  }
});

t.test('every role reads every user route', async (t) => {
  const reads = API_ROUTES.filter((r) => r.method === 'GET' && r.access === 'user' && !r.url.includes(':') && r.url !== '/api/events');
  t.ok(reads.length >= 6);
  for (const login of ['admin', 'alice', 'bob']) {
    const c = await loggedIn(d.base, login);
    for (const r of reads) t.equal((await c.get(r.url)).status, 200, `${login}: GET ${r.url}`);
    t.equal((await c.get('/api/managers/alice')).status, 200, `${login}: GET /api/managers/alice`);
  }
});

t.test('403 for non-admins on every admin route; 403 for writes without the CSRF header', async (t) => {
  const admins = API_ROUTES.filter((r) => r.access === 'admin');
  t.ok(admins.length >= 3);
  for (const login of ['alice', 'bob']) {
    const c = await loggedIn(d.base, login);
    for (const r of admins) {
      const body = r.method === 'GET' ? {} : { raw: 'x', headers: { 'content-type': 'text/yaml' } };
      t.equal((await c.request(r.method, pathOf(r.url), undefined, body)).status, 403, `${login}: ${r.method} ${r.url}`);
    }
  }
  const admin = await loggedIn(d.base, 'admin');
  const writes = API_ROUTES.filter((r) => r.method !== 'GET' && r.url !== '/api/login');
  for (const r of writes) {
    const res = await admin.request(r.method, pathOf(r.url), r.method === 'DELETE' ? undefined : {}, { csrf: null });
    t.equal(res.status, 403, `${r.method} ${r.url} without x-csrf-token`);
  }
  t.equal((await admin.get('/api/me')).status, 200, 'still logged in: reads need no CSRF header');
});

t.test('an unknown field in any JSON body: 400 naming it', async (t) => {
  const admin = await loggedIn(d.base, 'admin');
  const withBody = API_ROUTES.filter((r) => r.schema.body?.['type'] === 'object' && r.url !== '/api/login');
  t.equal(withBody.length, 7, "tokens, manager, whitelist, blocklist, assistant, steer, explain");
  for (const r of withBody) {
    // Every required field present (with a value of the wrong kind is fine: the unknown one is reported first or alongside).
    const required = (r.schema.body?.['required'] ?? []) as string[];
    const body: Record<string, unknown> = Object.fromEntries(required.map((k) => [k, 'x']));
    body['zzz'] = 1;
    const res = await admin.request(r.method, pathOf(r.url), body);
    t.equal(res.status, 400, `${r.method} ${r.url}`);
    t.type(res.body.field, 'string', `${r.method} ${r.url}: ${res.body.error}`);
  }
  const login = await new Client(d.base).request('POST', '/api/login', { login: 'admin', password: PASSWORD, remember: true });
  t.equal(login.status, 400);
  t.equal(login.body.field, 'remember');
});

t.test('over HTTPS the cookies are Secure', async (t) => {
  const tls = fileURLToPath(new URL('../../../sip-core/test/fixtures/tls/', import.meta.url));
  const secure = await apiSetup({ http: `  tls: { cert: "${tls}cert.pem", key: "${tls}key.pem" }` });
  const sd = await startApi(secure);
  t.teardown(() => sd.close());
  const answer = await new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sd.http.port, path: '/api/login', method: 'POST', ca: readFileSync(`${tls}cert.pem`), servername: 'localhost', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ login: 'admin', password: PASSWORD }));
  });
  t.equal(answer.status, 200);
  t.equal(answer.cookies.length, 2);
  for (const c of answer.cookies) t.match(c, /; Secure/, c.split('=')[0]!);
});

t.test('a session unused for the idle time is gone', async (t) => {
  let now = 0;
  const sessions = new SessionStore(1000, () => now);
  const a = sessions.create('alice');
  now = 900;
  t.ok(sessions.touch(a.id), 'used within the idle time: kept, and the idle time starts again');
  now = 1800;
  t.ok(sessions.isLive(a.id));
  now = 1901;
  t.notOk(sessions.isLive(a.id));
  t.equal(sessions.touch(a.id), undefined, 'idle too long: gone');
  t.equal(sessions.size, 0);
});

t.test('login attempts are limited per address too, and the window ends', async (t) => {
  let now = 0;
  const limiter = new LoginLimiter({ maxPerLogin: 3, maxPerAddress: 5, windowMs: 60_000 }, () => now);
  for (let i = 0; i < 5; i++) limiter.failed(`user${i}`, '10.0.0.1');
  t.equal(limiter.retryAfter('user9', '10.0.0.2'), 0, 'another address may try');
  t.equal(limiter.retryAfter('user9', '10.0.0.1'), 60, 'five failures from one address: wait 60 s, whatever the login');
  now = 30_000;
  t.equal(limiter.retryAfter('user9', '10.0.0.1'), 30);
  now = 60_000;
  t.equal(limiter.retryAfter('user9', '10.0.0.1'), 0, 'the window is over');
  for (let i = 0; i < 3; i++) limiter.failed('bob', `10.0.1.${i}`);
  t.ok(limiter.retryAfter('bob', '10.0.2.1') > 0, 'three failures for one login from three addresses: the login waits');
  limiter.succeeded('bob');
  t.equal(limiter.retryAfter('bob', '10.0.2.1'), 0, 'a success clears the login');
});
