/**
 * No secret in the logs:
 * - the logger redacts password, password hash, token, authorization, cookie and secret fields,
 *   at the top level and inside objects (a request's headers)
 * - `imad start --log-level trace` (everything logged), then through the HTTP API a login with a
 *   wrong password, a right one, a made-up API token and a made-up session cookie: stdout shows
 *   the refused and the accepted login by name, and never a password, the hash, the token or the
 *   cookie value
 */
import t from 'tap';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../src/auth/password.js';
import { freeTcpPort, freeUdpPort } from '../src/free-port.js';
import { REDACTED, createLogger } from '../src/log.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

t.test('the logger redacts secret fields wherever they sit', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  logger.info(
    { password: 'p1', passwordHash: 'h1', user: { password_hash: 'h2', login: 'alice' }, req: { headers: { authorization: 'Bearer t1', cookie: 'sid=c1' } }, hook: { secret: 's1' }, token: 't2' },
    'something',
  );
  logger.child({ component: 'http' }).warn({ body: { login: 'bob', password: 'p2' } }, 'child');
  const out = lines.join('');
  for (const value of ['p1', 'h1', 'h2', 'Bearer t1', 'sid=c1', 's1', 't2', 'p2']) t.notOk(out.includes(`"${value}"`), `${value} is not written`);
  t.ok(out.includes('"login":"alice"') && out.includes('"login":"bob"'), 'the logins are');
  t.ok(out.includes(`"${REDACTED}"`), 'redacted values say so');
});

/** A running `imad start` with its stdout kept. */
function start(file: string): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, 'start', '-c', file, '--log-level', 'trace'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out, exited: new Promise((resolve) => proc.on('close', resolve)) };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

t.test('logins through the HTTP API leave no password, hash, token or cookie in stdout', async (t) => {
  // Not t.testdir(): the control socket's path must stay within the 107 bytes of a Unix socket address.
  const dir = mkdtempSync(join(tmpdir(), 'imad-secrets-'));
  const right = 'Right-Horse-Battery-9';
  const wrong = 'Wrong-Staple-Pa55word';
  const hash = await hashPassword(right, { N: 1024, r: 8, p: 1 });
  const http = await freeTcpPort();
  const file = join(dir, 'imad.yaml');
  writeFileSync(
    file,
    `sip:
  listen: [ "udp://127.0.0.1:${await freeUdpPort()}" ]
  trunk:
    peers: [ "127.0.0.1:5080" ]
    allow: [ "127.0.0.1/32" ]
    options_interval: 0
    phone_state: none
http:
  listen: "127.0.0.1:${http}"
storage:
  dir: ${dir}/var
users:
  - { login: admin, role: admin, password_hash: "${hash}" }
`,
  );
  const imad = start(file);
  t.teardown(() => void imad.proc.kill('SIGKILL'));
  t.ok(await until(() => imad.out().includes('imad started'), 30_000), 'started') || t.comment(imad.out());

  const base = `http://127.0.0.1:${http}`;
  const login = (password: string, name = 'admin') => fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: name, password }) });
  t.equal((await login(wrong)).status, 401, 'a wrong password is refused');
  // Someone types their password into the login field: an unknown login is not logged as typed.
  t.equal((await login('x', right)).status, 401, 'a password typed as the login is refused');
  t.equal((await login(right)).status, 200, 'the right one is accepted');
  const token = 'ima_made-up-token-0123456789abcdef';
  const cookie = 'made-up-session-cookie-fedcba9876543210';
  t.equal((await fetch(`${base}/api/managers`, { headers: { authorization: `Bearer ${token}` } })).status, 401, 'a made-up token is refused');
  t.equal((await fetch(`${base}/api/managers`, { headers: { cookie: `ima_session=${cookie}` } })).status, 401, 'a made-up cookie is refused');
  t.ok(await until(() => /login refused/.test(imad.out()) && /logged in/.test(imad.out()), 10_000), 'both logins are logged');

  imad.proc.kill('SIGTERM');
  t.equal(await imad.exited, 0);
  const out = imad.out();
  t.match(out, /"login":"admin"/, 'by the login name');
  t.match(out, /"login":"\(unknown\)"/, 'an unknown login as (unknown)');
  for (const [what, value] of [['the wrong password', wrong], ['the right password', right], ['the hash', hash], ['the hash\'s key part', hash.split('$').pop()!], ['the token', token], ['the cookie', cookie]] as const) {
    t.notOk(out.includes(value), `${what} is not in stdout`);
  }
});
