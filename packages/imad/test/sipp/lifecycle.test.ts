/**
 * The daemon as operators run it (node dist/cli.js start -c FILE), with real signals:
 * - SIGHUP with a changed whitelist: the next call follows the new whitelist
 * - SIGHUP with a broken file: refused with its problems logged; the old configuration keeps routing
 * - SIGTERM with a call up: new calls get 503, the call in progress finishes, then exit 0
 * SIPp plays the PBX. Required under CI=true; elsewhere skipped with a notice when missing.
 */
import t from 'tap';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from '../../src/free-port.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));
const hasSipp = spawnSync('sipp', ['-v']).error === undefined;


function sipp(args: string[], timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn('sipp', [...args, '-nostdin'], { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const config = (imaPort: number, pbxPort: number, dir: string, whitelist: string[]) => `
sip:
  listen: [ "udp://127.0.0.1:${imaPort}" ]
  trunk:
    peers: [ "127.0.0.1:${pbxPort}" ]
    allow: [ "127.0.0.1/32" ]
    transport: udp
    options_interval: 0
    phone_state: none
http:
  listen: "127.0.0.1:8080"
storage:
  dir: ${dir}/var
log:
  level: info
shutdown:
  drain_timeout: 20s
managers:
  - id: alice
    name: Alice Rossi
    number: "1000"
    targets: { desk: "81000", voicemail: "8000" }
    assistants: [ bob ]
    active: [ bob ]
    filter: on
    no_answer: 5s
    whitelist: [ ${whitelist.map((w) => `"${w}"`).join(', ')} ]
assistants:
  - { id: bob, name: Bob Bianchi, number: "2000" }
users: []
`;

/** Lines the daemon logged so far, and a way to wait for one. */
function watch(proc: ChildProcess): { lines: string[]; until(re: RegExp, ms?: number, from?: number): Promise<string> } {
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return {
    lines,
    async until(re, ms = 15_000, from = 0) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = lines.slice(from).find((l) => re.test(l));
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`no log line matching ${re}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

if (!hasSipp) {
  if (process.env.CI === 'true') t.fail('SIPp (Debian package sip-tester) is required in CI');
  else t.test('imad lifecycle', { skip: 'SIPp is not installed (apt-get install sip-tester)' }, async () => {});
} else {
  t.test('SIGHUP reloads, SIGTERM drains', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'imad-life-'));
    const imaPort = await freeUdpPort();
    const pbxPort = await freeUdpPort();
    const file = join(dir, 'imad.yaml');
    writeFileSync(file, config(imaPort, pbxPort, dir, ['+39021234567']));
    const proc = spawn(process.execPath, [cli, 'start', '-c', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
    t.teardown(() => {
      proc.kill('SIGKILL');
    });
    const log = watch(proc);
    await log.until(/imad started/);

    /** One call from `caller`; returns the number the phones were asked to ring. */
    const callFrom = async (caller: string, holdMs = 200): Promise<{ code: number | null; rang: string[] }> => {
      const trace = join(dir, `phones-${Math.random().toString(36).slice(2)}.msg`);
      const phones = sipp(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(pbxPort), '-m', '1', '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace]);
      await new Promise((r) => setTimeout(r, 400));
      const code = await sipp(['-sf', scenarios + 'caller.xml', `127.0.0.1:${imaPort}`, '-s', '1000', '-key', 'caller', caller, '-d', String(holdMs), '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1']);
      await phones;
      return { code, rang: [...readFileSync(trace, 'utf8').matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1]!) };
    };

    t.same(await callFrom('+390288888'), { code: 0, rang: ['2000'] }, 'not whitelisted yet: the assistant');
    writeFileSync(file, config(imaPort, pbxPort, dir, ['+39021234567', '+390288888']));
    proc.kill('SIGHUP');
    await log.until(/configuration reloaded/);
    t.same(await callFrom('+390288888'), { code: 0, rang: ['81000'] }, 'after SIGHUP: the desk');

    writeFileSync(file, config(imaPort, pbxPort, dir, ['+39021234567']).replace('filter: on', 'filter: on\n    filtr: off'));
    proc.kill('SIGHUP');
    const refused = await log.until(/reload refused/);
    t.match(refused, /filtr/, 'the problem is named');
    t.same(await callFrom('+390288888'), { code: 0, rang: ['81000'] }, 'the running configuration stays');

    // A call that stays up 3 s; SIGTERM while it is up.
    const seen = log.lines.length;
    const long = callFrom('+390288888', 3000);
    await log.until(/routed/, 15_000, seen);
    await new Promise((r) => setTimeout(r, 500));
    proc.kill('SIGTERM');
    await log.until(/draining/);
    const refusedCall = await sipp(['-sf', scenarios + 'draining-caller.xml', `127.0.0.1:${imaPort}`, '-s', '1000', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
    t.equal(refusedCall, 0, 'a new call while draining gets 503');
    t.same(await long, { code: 0, rang: ['81000'] }, 'the call in progress finished normally');
    t.equal(await exited, 0, 'then imad exits 0');
    t.ok(log.lines.some((l) => /imad stopped/.test(l)));
  });
}
