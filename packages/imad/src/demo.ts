/**
 * `imad demo`: a newcomer's first minute. Starts the daemon on loopback with a
 * demo directory, beside a simulated PBX and phones built on @ima/sip-core,
 * places one call for each routing rule, and prints what was expected, what
 * happened and the policy's reason. Succeeds only when every row matches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type Command, WEEKDAYS } from '@ima/ima-policy';
import { DialogUserAgent, Endpoint, SystemClock } from '@ima/sip-core';
import { parseConfig } from './config/load.js';
import { type Daemon, startDaemon } from './daemon.js';
import { freeUdpPort } from './free-port.js';

export interface DemoRow {
  readonly rule: string;
  readonly caller: string;
  readonly dialled: string;
  readonly expected: string;
  readonly actual: string;
  readonly reason: string;
  readonly isMatch: boolean;
}



const demoConfig = (imaPort: number, pbxPort: number, dir: string) => `
sip:
  listen: [ "udp://127.0.0.1:${imaPort}" ]
  trunk:
    peers: [ "127.0.0.1:${pbxPort}" ]
    allow: [ "127.0.0.1/32" ]
    transport: udp
    options_interval: 0
    phone_state: none
http:
  listen: "127.0.0.1:0"
storage:
  dir: ${dir}
log:
  level: warn
managers:
  - id: alice
    name: Alice Rossi
    number: "1000"
    targets: { desk: "81000", mobile: "+393331234567", voicemail: "8000", alternative: "1099" }
    assistants: [ bob ]
    active: [ bob ]
    filter: on
    availability: available
    no_answer: 2s
    fallback: voicemail
    whitelist: [ "+39021234567" ]
    time_zone: UTC
assistants:
  - { id: bob, name: Bob Bianchi, number: "2000" }
users: []
`;

const SDP = 'v=0\r\no=demo 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

export async function runDemo(print: (line: string) => void = () => undefined): Promise<{ rows: DemoRow[]; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'imad-demo-'));
  const imaPort = await freeUdpPort();
  const pbxPort = await freeUdpPort();
  const parsed = parseConfig(demoConfig(imaPort, pbxPort, dir), { baseDir: dir });
  if (!parsed.ok) throw new Error(`demo configuration: ${parsed.problems.map((p) => p.message).join('; ')}`);
  // The reason column is the policy's reason for the call as it was routed: read from the daemon's own log lines.
  let lastRouted: string | undefined;
  const sink = {
    write(line: string): void {
      try {
        const entry = JSON.parse(line) as { msg?: string; reason?: string };
        if (entry.msg === 'routed') lastRouted = entry.reason;
      } catch {
        // not JSON: not ours
      }
    },
  };
  const daemon: Daemon = await startDaemon(parsed.config, { logger: pino({ level: 'info' }, sink) });
  const clock = new SystemClock();

  // The PBX's phones: every number answers, except those told to ring without answering.
  const silent = new Set<string>();
  let lastAnswered: string | undefined;
  const phonesEp = await Endpoint.listen({ listen: [`udp://127.0.0.1:${pbxPort}`], clock });
  const phones = new DialogUserAgent({ endpoint: phonesEp, contact: `<sip:phones@127.0.0.1:${pbxPort}>` });
  phones.onInvite((session) => {
    const number = session.invite.uri.kind === 'sip' ? (session.invite.uri.user ?? '') : '';
    session.progress(180);
    if (silent.has(number)) return;
    lastAnswered = number;
    session.accept({ body: SDP });
  });

  // The PBX's trunk side: places calls for the manager's public number to IMA.
  const callerPort = await freeUdpPort();
  const callerEp = await Endpoint.listen({ listen: [`udp://127.0.0.1:${callerPort}`], clock });
  const pbx = new DialogUserAgent({ endpoint: callerEp, contact: `<sip:pbx@127.0.0.1:${callerPort}>` });
  const place = (caller: string, dialled: string): Promise<string> =>
    new Promise((resolve) => {
      lastAnswered = undefined;
      const s = pbx.invite({
        uri: `sip:${dialled}@127.0.0.1:${imaPort}`,
        dest: { protocol: 'udp', host: '127.0.0.1', port: imaPort },
        from: `"Demo caller" <sip:${caller}@127.0.0.1>`,
        body: SDP,
        onConfirmed: () => clock.setTimeout(() => s.bye(), 100),
        onTerminated: (cause) => {
          if (cause.kind === 'rejected') resolve(`rejected ${cause.status}`);
          else if (cause.kind === 'localBye' || cause.kind === 'remoteBye') resolve(lastAnswered ?? 'answered (unknown)');
          else resolve(cause.kind);
        },
      });
    });

  const system = { kind: 'system' } as const;
  const apply = (c: Command) => {
    const r = daemon.apply(c);
    if (!r.ok) throw new Error(`demo: ${r.reason}`);
  };

  const today = WEEKDAYS[(new Date().getUTCDay() + 6) % 7]!;
  const otherDay = WEEKDAYS[(WEEKDAYS.indexOf(today) + 3) % 7]!;
  const cases: Array<{ rule: string; caller: string; expected: string; before?: () => void; after?: () => void }> = [
    { rule: 'filter off', caller: '0299999', expected: '81000', before: () => apply({ type: 'setFilter', by: system, managerId: 'alice', isOn: false }), after: () => apply({ type: 'setFilter', by: system, managerId: 'alice', isOn: true }) },
    { rule: 'whitelisted caller', caller: '+39021234567', expected: '81000' },
    { rule: 'caller not whitelisted', caller: '0299999', expected: '2000' },
    { rule: 'assistant calling', caller: '2000', expected: '81000' },
    { rule: 'assistant no answer', caller: '0299999', expected: '8000', before: () => silent.add('2000'), after: () => silent.delete('2000') },
    {
      rule: 'forward to mobile',
      caller: '0299999',
      expected: '+393331234567',
      before: () => apply({ type: 'setForward', by: system, managerId: 'alice', forward: { kind: 'target', target: 'mobile' } }),
      after: () => apply({ type: 'setForward', by: system, managerId: 'alice', forward: { kind: 'off' } }),
    },
    {
      rule: 'blocked caller',
      caller: '+39066666123',
      expected: '8000',
      before: () => apply({ type: 'addEntry', by: system, managerId: 'alice', entry: { list: 'block', pattern: '+39066666*', expiry: { kind: 'never' } } }),
    },
    {
      rule: 'outside office hours',
      caller: '0299999',
      expected: '8000',
      before: () => apply({ type: 'setSchedule', by: system, managerId: 'alice', schedule: { hours: [{ day: otherDay, from: '09:00', to: '17:00' }], outside: { kind: 'target', target: 'voicemail' } } }),
      after: () => apply({ type: 'setSchedule', by: system, managerId: 'alice', schedule: null }),
    },
  ];

  const rows: DemoRow[] = [];
  try {
    for (const c of cases) {
      c.before?.();
      lastRouted = undefined;
      const actual = await place(c.caller, '1000');
      // Let the end of the call reach the daemon (phone states) before the next rule.
      await new Promise((r) => setTimeout(r, 200));
      c.after?.();
      rows.push({ rule: c.rule, caller: c.caller, dialled: '1000', expected: c.expected, actual, reason: lastRouted ?? '(not routed)', isMatch: actual === c.expected });
    }
  } finally {
    pbx.close();
    phones.close();
    await callerEp.close();
    await phonesEp.close();
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const widths = [22, 14, 8, 15, 15];
  const row = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(' ');
  print(row(['rule', 'caller', 'dialled', 'expected', 'actual', 'reason']));
  for (const r of rows) print(row([r.rule, r.caller, r.dialled, r.expected, r.actual + (r.isMatch ? '' : '  <-- MISMATCH'), r.reason]));
  const ok = rows.every((r) => r.isMatch);
  print(ok ? `all ${rows.length} rules routed as expected` : `${rows.filter((r) => !r.isMatch).length} of ${rows.length} rules did not route as expected`);
  return { rows, ok };
}
