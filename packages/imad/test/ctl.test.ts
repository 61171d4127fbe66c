/**
 * imad ctl, run as operators run it (node dist/cli.js ctl -c FILE ...) against a running daemon:
 * - status and calls answer JSON; the socket is mode 0600
 * - filter / availability / forward / whitelist-add / whitelist-remove / assistant change the state (and the store)
 * - explain says where a call would go and why
 * - bad commands, unknown managers and values, a call that does not exist: exit 1 with a reason
 * - no daemon running: exit 1, "is it running?"
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';
import { ctl as ctlProcess } from './sipp/fixtures/e2e.js';

const dir = mkdtempSync(join(tmpdir(), 'imad-ctl-'));
const probe = createSocket('udp4');
probe.bind(0, '127.0.0.1');
await once(probe, 'listening');
const port = probe.address().port;
probe.close();
const file = join(dir, 'imad.yaml');
writeFileSync(
  file,
  `
sip:
  listen: [ "udp://127.0.0.1:${port}" ]
  trunk:
    peers: [ "127.0.0.1:5999" ]
    allow: [ "127.0.0.1/32" ]
    transport: udp
    options_interval: 0
    phone_state: none
http:
  listen: "127.0.0.1:0"
storage:
  dir: ${dir}/var
log:
  level: warn
managers:
  - id: alice
    name: Alice Rossi
    number: "1000"
    targets: { desk: "81000", voicemail: "8000", mobile: "+393331234567" }
    assistants: [ bob ]
    active: [ bob ]
    filter: on
    whitelist: [ "+39021234567" ]
assistants:
  - { id: bob, name: Bob Bianchi, number: "2000" }
users: []
`,
);

/** Run `imad ctl` as a separate process (asynchronously: the daemon under test shares this event loop). */
const ctl = (...args: string[]) => ctlProcess(file, ...args);

t.test('no daemon running: a clear error', async (t) => {
  const r = await ctl('status');
  t.equal(r.code, 1);
  t.match(r.err, /is it running\?/);
});

t.test('ctl against a running daemon', async (t) => {
  const parsed = parseConfig(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8')), { baseDir: dir });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const d = await startDaemon(parsed.config, { logger: pino({ level: 'silent' }) });
  t.teardown(() => d.close());

  t.equal(statSync(join(dir, 'var', 'imad.sock')).mode & 0o777, 0o600, 'the socket is for the daemon user only');
  const status = await ctl('status');
  t.equal(status.code, 0, status.err);
  const s = JSON.parse(status.out) as { managers: Array<{ id: string; filter: boolean }>; calls: { calls: number } };
  t.same(s.managers.map((m) => [m.id, m.filter]), [['alice', true]]);
  t.equal(s.calls.calls, 0);
  t.same(JSON.parse((await ctl('calls')).out), []);

  t.same(await ctl('filter', 'alice', 'off'), { code: 0, out: 'done\n', err: '' });
  t.equal(d.state().managers.alice?.isFilterOn, false);
  t.equal((await ctl('availability', 'alice', 'away')).code, 0);
  t.equal(d.state().managers.alice?.availability, 'away');
  t.equal((await ctl('forward', 'alice', 'mobile')).code, 0);
  t.same(d.state().managers.alice?.forward, { kind: 'target', target: 'mobile' });
  t.equal((await ctl('forward', 'alice', '+390299999')).code, 0);
  t.same(d.state().managers.alice?.forward, { kind: 'number', number: '+390299999' });
  t.equal((await ctl('forward', 'alice', 'off')).code, 0);
  t.equal((await ctl('whitelist-add', 'alice', '+39065555*')).code, 0);
  t.ok(Object.keys(d.state().managers.alice!.lists.whitelist).some((p) => p.startsWith('+39065555')));
  t.equal((await ctl('whitelist-remove', 'alice', '+39065555*')).code, 0);
  t.notOk(Object.keys(d.state().managers.alice!.lists.whitelist).some((p) => p.startsWith('+39065555')));
  t.equal((await ctl('assistant', 'bob', 'offline')).code, 0);
  t.equal(d.state().assistants.bob?.availability, 'offline');

  const ex = await ctl('explain', '+39021234567', '1000');
  t.equal(ex.code, 0, ex.err);
  t.match(JSON.parse(ex.out), { decision: { kind: 'manager', number: '81000' } }, 'filter off: the desk');

  for (const [args, why] of [
    [['filter', 'nobody', 'on'], /no manager "nobody"/],
    [['filter', 'alice', 'maybe'], /on or off/],
    [['availability', 'alice', 'sleeping'], /must be one of/],
    [['assistant', 'zed', 'away'], /no assistant/],
    [['steer', 'no-such-call', 'voicemail'], /no live call/],
    [['explain', '123'], /caller number and a called number/],
    [['reboot'], /unknown command "reboot"/],
  ] as const) {
    const r = await ctl(...args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.err, why);
  }
});
