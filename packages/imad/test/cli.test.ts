/**
 * The CLI as a real process (node dist/cli.js; `pnpm test` builds dist first):
 * - check on the example file: exit 0, "ok" on stdout, nothing on stderr
 * - check on a bad file: exit 1, every problem as FILE:LINE:COL: message on stderr, nothing on stdout
 * - check on a missing file: exit 1, FILE: cannot read the file
 * - check without -c: exit 1 with commander's message
 * - hash-password with a piped password: the hash verifies; only the first line is the password;
 *   an empty stdin is refused
 * - --version prints the package version; --help lists the commands and no `start`
 * - start with a --log-level that is not a level: exit 2 with the levels named, no stack trace,
 *   nothing started
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { verifyPassword } from '../src/auth/password.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/imad.yaml', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function imad(args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

t.test('check: the example file is ok', async (t) => {
  t.same(imad(['check', '-c', EXAMPLE]), { status: 0, stdout: 'ok\n', stderr: '' });
  t.same(imad(['check', '--config', EXAMPLE]).status, 0);
});

t.test('check: a bad file prints every problem with its position', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'sip:',
      '  listen: [ "udp://127.0.0.1:5060" ]',
      '  trunk:',
      '    peers: [ "127.0.0.1:5080" ]',
      '    allow: [ "127.0.0.1/32" ]',
      '    transprt: tcp',
      'managers:',
      '  - { id: alice, name: Alice, number: 1000, targets: { desk: "81000", voicemail: "8000" } }',
      '',
    ].join('\n'),
  );
  const run = imad(['check', '-c', file]);
  t.equal(run.status, 1);
  t.equal(run.stdout, '');
  t.equal(
    run.stderr,
    [
      `${file}:6:5: sip.trunk: unknown key "transprt" (did you mean "transport"?)`,
      `${file}:8:39: managers[0].number: 1000 is a YAML number, which loses a leading 0 or +: quote it, as "1000"`,
      '',
    ].join('\n'),
  );
});

t.test('check: a missing file', async (t) => {
  const run = imad(['check', '-c', '/nonexistent/imad.yaml']);
  t.equal(run.status, 1);
  t.match(run.stderr, /^\/nonexistent\/imad\.yaml: cannot read the file: ENOENT/);
});

t.test('check: -c is required', async (t) => {
  const run = imad(['check']);
  t.equal(run.status, 1);
  t.match(run.stderr, /required option '-c, --config <file>' not specified/);
});

t.test('start: a bad --log-level is a clear error, exit 2', async (t) => {
  const run = imad(['start', '-c', EXAMPLE, '--log-level', 'loud']);
  t.equal(run.status, 2);
  t.equal(run.stdout, '', 'nothing was logged: the daemon did not start');
  t.match(run.stderr, /^imad start: --log-level "loud" is not a level: use one of fatal, error, warn, info, debug, trace, silent\n$/);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

t.test('hash-password: a piped password', async (t) => {
  const run = imad(['hash-password'], 'demo password\nsecond line\n');
  t.equal(run.status, 0);
  t.equal(run.stderr, '');
  const hash = run.stdout.trimEnd();
  t.match(hash, /^scrypt\$65536\$8\$1\$/);
  t.equal(await verifyPassword('demo password', hash), true, 'the first line is the password');
  t.equal(await verifyPassword('demo password\nsecond line', hash), false);
});

t.test('hash-password: a password without a line end, and CRLF', async (t) => {
  const bare = imad(['hash-password'], 'abc');
  t.equal(bare.status, 0);
  t.equal(await verifyPassword('abc', bare.stdout.trimEnd()), true);
  const crlf = imad(['hash-password'], 'abc\r\n');
  t.equal(await verifyPassword('abc', crlf.stdout.trimEnd()), true);
});

t.test('hash-password: an empty stdin is refused', async (t) => {
  t.same(imad(['hash-password'], ''), { status: 1, stdout: '', stderr: 'imad hash-password: the password is empty\n' });
  t.same(imad(['hash-password'], '\n').status, 1);
});

t.test('--version and --help', async (t) => {
  t.same(imad(['--version']), { status: 0, stdout: `${VERSION}\n`, stderr: '' });
  const help = imad(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: imad/);
  t.match(help.stdout, /check \[options\]/);
  t.match(help.stdout, /hash-password/);
  t.match(help.stdout, /start \[options\]/);
  t.match(help.stdout, /ctl \[options\] <command>/);
  t.match(help.stdout, /demo /);
  t.equal(imad(['bogus']).status, 1);
});
