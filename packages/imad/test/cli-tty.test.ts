/**
 * hash-password on a terminal (a pseudo-terminal made by util-linux `script`; skipped without it):
 * - prompts on the terminal, twice, and echoes nothing that was typed
 * - a backspace removes the last character
 * - the printed hash verifies the password as finally typed
 * - two different entries are refused with exit 1
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { verifyPassword } from '../src/auth/password.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs hash-password in a pty, typing each entry after its prompt; resolves with the terminal output and exit code. */
function typeInto(entries: readonly string[]): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `"${process.execPath}" "${CLI}" hash-password`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let typed = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out; output so far: ${JSON.stringify(output)}`));
    }, 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const prompts = (output.match(/Password: |Again: /g) ?? []).length;
      // Type only once the prompt is up: raw mode (no echo) is on by then.
      while (typed < prompts && typed < entries.length) child.stdin.write(entries[typed++]);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

t.test('hash-password reads a hidden password on a terminal', { skip: !hasScript && 'util-linux script is not installed' }, async (t) => {
  const { output, code } = await typeInto(['tty-secretX\x7f\r', 'tty-secret\r']);
  t.equal(code, 0);
  t.notMatch(output, /tty-secret/, 'nothing typed is echoed');
  const hash = /scrypt\$\S+/.exec(output)?.[0] ?? '';
  t.equal(await verifyPassword('tty-secret', hash), true, 'the backspace removed the X');
});

t.test('hash-password refuses two different entries', { skip: !hasScript && 'util-linux script is not installed' }, async (t) => {
  const { output, code } = await typeInto(['one\r', 'two\r']);
  t.equal(code, 1);
  t.match(output, /the passwords differ/);
  t.notMatch(output, /scrypt\$/);
});
