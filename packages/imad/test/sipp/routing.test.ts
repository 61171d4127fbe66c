/**
 * imad end to end, SIPp playing the PBX (its trunk side and its phones) over loopback UDP:
 * - a whitelisted caller reaches the manager's desk (81000)
 * - any other caller is offered to the active assistant (2000)
 * - the assistant busy: the call goes to voicemail (8000) with a Diversion naming the manager's number
 * - a request from an address outside sip.trunk.allow gets 403
 * - a setting changed at run time survives a restart, and the next call follows it
 * SIPp is required under CI=true; elsewhere the test is skipped with a notice when it is missing.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { type Daemon, startDaemon } from '../../src/daemon.js';

const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));
const hasSipp = spawnSync('sipp', ['-v']).error === undefined;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}

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

interface Setup {
  readonly dir: string;
  readonly imaPort: number;
  readonly pbxPort: number;
  readonly yaml: string;
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'imad-e2e-'));
  const imaPort = await freeUdpPort();
  const pbxPort = await freeUdpPort();
  const yaml = `
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
  level: warn
managers:
  - id: alice
    name: Alice Rossi
    number: "1000"
    targets: { desk: "81000", voicemail: "8000" }
    assistants: [ bob ]
    active: [ bob ]
    filter: on
    no_answer: 5s
    whitelist: [ "+39021234567" ]
assistants:
  - { id: bob, name: Bob Bianchi, number: "2000" }
users: []
`;
  return { dir, imaPort, pbxPort, yaml };
}

async function daemon(s: Setup): Promise<Daemon> {
  const parsed = parseConfig(s.yaml, { baseDir: s.dir });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return startDaemon(parsed.config, { logger: pino({ level: 'silent' }) });
}

/** One call from `caller` to 1000; the phones answer (the number in `busy` answers 486). Returns what the phones saw. */
async function call(s: Setup, caller: string, phonesCalls: number, busy = 'none', holdMs = 200): Promise<{ caller: number | null; phones: number | null; invites: string[]; diversions: string[] }> {
  const trace = join(s.dir, `phones-${Math.random().toString(36).slice(2)}.msg`);
  const phones = sipp(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-m', String(phonesCalls), '-set', 'busy', busy, '-trace_msg', '-message_file', trace]);
  await new Promise((r) => setTimeout(r, 400));
  const callerCode = await sipp(['-sf', scenarios + 'caller.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-key', 'caller', caller, '-d', String(holdMs), '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1']);
  const phonesCode = await phones;
  const text = readFileSync(trace, 'utf8');
  return {
    caller: callerCode,
    phones: phonesCode,
    invites: [...text.matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1]!),
    diversions: [...text.matchAll(/^Diversion: (.*)$/gm)].map((m) => m[1]!.trim()),
  };
}

if (!hasSipp) {
  if (process.env.CI === 'true') t.fail('SIPp (Debian package sip-tester) is required in CI');
  else t.test('imad end to end', { skip: 'SIPp is not installed (apt-get install sip-tester)' }, async () => {});
} else {
  t.test('imad routes calls from the trunk by the policy', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());

    t.test('a whitelisted caller reaches the desk', async (t) => {
      const r = await call(s, '+39021234567', 1);
      t.same([r.caller, r.phones], [0, 0], 'both sides completed the call');
      t.same(r.invites, ['81000']);
    });

    t.test('any other caller is offered to the active assistant', async (t) => {
      const r = await call(s, '0299999', 1);
      t.same([r.caller, r.phones], [0, 0]);
      t.same(r.invites, ['2000']);
    });

    t.test('the assistant busy: voicemail, with a Diversion naming the manager', async (t) => {
      const r = await call(s, '0299999', 2, '2000');
      t.same([r.caller, r.phones], [0, 0]);
      t.same(r.invites, ['2000', '8000']);
      t.equal(r.diversions.length, 1);
      t.match(r.diversions[0], /^<sip:1000@127\.0\.0\.1>;reason=no-answer;counter=1/);
    });

    t.test('without subscriptions, a phone is busy while a call through IMA is up on it', async (t) => {
      t.equal(d.state().phones['81000'] ?? 'unknown', 'idle', 'idle after the earlier calls ended');
      const during: string[] = [];
      const poll = setInterval(() => during.push(d.state().phones['81000'] ?? 'unknown'), 100);
      const r = await call(s, '+39021234567', 1, 'none', 1500);
      clearInterval(poll);
      t.same([r.caller, r.phones], [0, 0]);
      t.ok(during.includes('busy'), 'busy during the call');
      t.equal(d.state().phones['81000'], 'idle', 'idle again after it');
    });

    t.test('a request from outside sip.trunk.allow gets 403', async (t) => {
      const code = await sipp(['-sf', scenarios + 'refused-caller.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-i', '127.0.0.2', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
      t.equal(code, 0, 'SIPp got its 403');
    });
  });

  t.test('a run-time change survives a restart and the next call follows it', async (t) => {
    const s = await setup();
    const first = await daemon(s);
    const applied = first.apply({ type: 'setFilter', by: { kind: 'system' }, managerId: 'alice', isOn: false });
    t.same(applied, { ok: true });
    await first.close();
    const second = await daemon(s);
    t.teardown(() => second.close());
    t.equal(second.state().managers.alice?.isFilterOn, false, 'the filter is still off after the restart');
    const r = await call(s, '0299999', 1);
    t.same([r.caller, r.phones], [0, 0]);
    t.same(r.invites, ['81000'], 'filter off: the desk rings');
  });
}
