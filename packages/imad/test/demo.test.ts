/**
 * imad demo, run as a newcomer runs it: the daemon beside a simulated PBX and phones, one call per
 * routing rule; the table lists the eight rules, each routed where expected, and the exit code is 0.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

t.test('imad demo routes every rule as expected', async (t) => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, [cli, 'demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, out });
    });
  });
  t.equal(code, 0, out);
  const rows = out.trim().split('\n').slice(1, -1);
  t.same(
    rows.map((r) => r.slice(0, 22).trim()),
    ['filter off', 'whitelisted caller', 'caller not whitelisted', 'assistant calling', 'assistant no answer', 'forward to mobile', 'blocked caller', 'outside office hours'],
  );
  for (const r of rows) t.notMatch(r, /MISMATCH/, r);
  t.match(out, /all 8 rules routed as expected/);
  t.match(out, /\+393331234567\s+\+393331234567\s+forward all to mobile/, 'the forward row shows the mobile and the reason');
});
