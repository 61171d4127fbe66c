/**
 * The relay example (dist/examples/relay.js) between real peers: Debian's SIPp
 * (sip-tester) over loopback, scenarios in test/sipp/scenarios/.
 * - basic call: SIPp uac -> relay -> SIPp uas, 100 calls over UDP and over TCP, 0 failed
 * - 10% of the packets lost on both sides (-lost 10 on the SIPp uac and on the SIPp uas) over UDP: every call
 *   completes on both sides (the callee's scenario, uas-lossy.xml, answers a retransmitted INVITE again)
 * - a callee that sends the relay's INVITE straight back to the relay: the relay answers it 482 Loop Detected
 *   (RFC 3261 §16.3 step 4), and the caller gets the 482
 * - caller CANCEL while ringing: the CANCEL reaches the callee (200, 487, ACK on both legs), over UDP and TCP
 * - sequential fork: the first callee is busy (486), the next answers; the caller sees one answer
 * - sequential fork with a no-answer timer: the first callee rings and is CANCELed after 1 s, the next answers
 * - re-INVITE hold, resume and UPDATE relayed end to end
 * - parallel fork to two SIPp uas: one answers, the other rings and gets CANCEL (487, ACK)
 * - callee BYE reaches the caller through the relay, over UDP and TCP
 * - delayed offer: INVITE without SDP, the callee's offer in the 200, the caller's answer in the ACK
 * - 183 with SDP (early media) reaches the caller
 * SIPp is required under CI=true; elsewhere these tests are skipped with a notice when it is missing.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const relayJs = fileURLToPath(new URL('../../dist/examples/relay.js', import.meta.url));
const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));
const hasSipp = spawnSync('sipp', ['-v'], { encoding: 'utf8' }).error === undefined;

if (!hasSipp) {
  if (process.env.CI === 'true') t.fail('SIPp (Debian package sip-tester) is required in CI');
  else t.test('relay real-peer tests', { skip: 'SIPp is not installed (apt-get install sip-tester)' }, async () => {});
} else {
  run();
}

interface Result {
  code: number | null;
  out: string;
}

function exec(cmd: string, args: string[], timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** SIPp's final statistics: successful and failed call counts. */
function sippCounts(out: string): { ok: number; failed: number } {
  const ok = /Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(out);
  const failed = /Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(out);
  return { ok: Number(ok?.[1] ?? -1), failed: Number(failed?.[1] ?? -1) };
}

/** A port free for both UDP and TCP right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const s = createServer();
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as { port: number }).port;
    s.close();
    const u = createSocket('udp4');
    const ok = await new Promise<boolean>((res) => {
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => res(true));
    });
    u.close();
    if (ok) return port;
  }
}

/** Start the relay on ephemeral UDP and TCP ports; resolves once it prints both. */
async function startRelay(args: string[]): Promise<{ proc: ChildProcess; udp: number; tcp: number }> {
  const proc = spawn(process.execPath, [relayJs, '--listen', 'udp://127.0.0.1:0', '--listen', 'tcp://127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  while (!/listening tcp:\/\/\S+:(\d+)/.test(text) || !/listening udp:\/\/\S+:(\d+)/.test(text)) {
    const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
    text += chunk.toString();
  }
  return { proc, udp: Number(/listening udp:\/\/\S+:(\d+)/.exec(text)![1]), tcp: Number(/listening tcp:\/\/\S+:(\d+)/.exec(text)![1]) };
}

interface Flow {
  readonly transport: 'udp' | 'tcp';
  /** Callee scenarios, each its own SIPp uas, and how many calls each must see. */
  readonly callees: ReadonlyArray<{ readonly scenario: string; readonly calls: number }>;
  readonly caller: { readonly scenario: string; readonly calls: number; readonly rate: number; readonly extra?: readonly string[] };
  readonly calleeExtra?: readonly string[];
  readonly relayArgs?: readonly string[];
}

/** SIPp uas(es) <- relay <- SIPp uac; resolves with both sides' results. */
async function runFlow(flow: Flow): Promise<{ caller: Result; callees: Result[] }> {
  const tflag = flow.transport === 'tcp' ? ['-t', 't1'] : [];
  const ports = await Promise.all(flow.callees.map(() => freePort()));
  const callees = flow.callees.map((c, i) =>
    exec('sipp', ['-sf', scenarios + c.scenario, '-i', '127.0.0.1', '-p', String(ports[i]), ...tflag, '-m', String(c.calls), '-timeout', '90s', '-nostdin', ...(flow.calleeExtra ?? [])], 120_000),
  );
  // Give SIPp a moment to bind.
  await new Promise((r) => setTimeout(r, 500));
  const relay = await startRelay([...ports.flatMap((p) => ['--to', `${flow.transport}://127.0.0.1:${p}`]), ...(flow.relayArgs ?? [])]);
  try {
    const port = flow.transport === 'tcp' ? relay.tcp : relay.udp;
    const c = flow.caller;
    // An explicit free port: SIPp reads -p 0 as its default 5060.
    const callerPort = await freePort();
    const caller = await exec(
      'sipp',
      ['-sf', scenarios + c.scenario, `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', String(callerPort), ...tflag, '-m', String(c.calls), '-r', String(c.rate), '-timeout', '90s', '-nostdin', ...(c.extra ?? [])],
      120_000,
    );
    return { caller, callees: await Promise.all(callees) };
  } finally {
    relay.proc.kill('SIGTERM');
  }
}

function run(): void {
  for (const transport of ['udp', 'tcp'] as const) {
    t.test(`basic call: SIPp uac -> relay -> SIPp uas, 100 calls over ${transport.toUpperCase()}, 0 failed`, async (t) => {
      const r = await runFlow({ transport, callees: [{ scenario: 'uas-basic.xml', calls: 100 }], caller: { scenario: 'uac-basic.xml', calls: 100, rate: 50 } });
      t.equal(r.caller.code, 0, 'the caller saw every call succeed');
      t.same(sippCounts(r.caller.out), { ok: 100, failed: 0 });
      t.same(sippCounts(r.callees[0]!.out), { ok: 100, failed: 0 }, 'the callee saw every call complete');
    });

    t.test(`caller CANCEL while ringing reaches the callee, 50 calls over ${transport.toUpperCase()}`, async (t) => {
      const r = await runFlow({ transport, callees: [{ scenario: 'uas-ring-cancel.xml', calls: 50 }], caller: { scenario: 'uac-cancel.xml', calls: 50, rate: 25 } });
      t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 });
      t.same(sippCounts(r.callees[0]!.out), { ok: 50, failed: 0 }, 'the callee got CANCEL, answered 487 and got the ACK');
    });
  }

  t.test('10% of the packets lost on both sides (-lost 10 on the caller and on the callee) over UDP: every call completes', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'b2bua-sipp-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const lossy = ['-lost', '10', '-max_invite_retrans', '10', '-max_non_invite_retrans', '10'];
    const errors = (name: string) => ['-trace_err', '-error_file', join(dir, name)];
    const r = await runFlow({
      transport: 'udp',
      callees: [{ scenario: 'uas-lossy.xml', calls: 100 }],
      // A message that crosses a retransmission is let through rather than failing the call (see uas-lossy.xml).
      calleeExtra: ['-lost', '10', '-default_behaviors', 'all,-abortunexp', ...errors('uas.log')],
      caller: { scenario: 'uac-basic.xml', calls: 100, rate: 50, extra: [...lossy, ...errors('uac.log')] },
    });
    const log = (name: string) => {
      try {
        return readFileSync(join(dir, name), 'utf8').slice(0, 4000);
      } catch {
        return '';
      }
    };
    t.same(sippCounts(r.caller.out), { ok: 100, failed: 0 }, log('uac.log'));
    // SIPp 3.6 itself now and then stays in a send it jumped back to (a lost 180/200 answered again) and
    // ignores the rest of that call; the relay still completed it, as the caller's count shows.
    const callee = sippCounts(r.callees[0]!.out);
    t.ok(callee.ok >= 98 && callee.ok + callee.failed <= 100, `the callee completed ${callee.ok} of 100 calls\n${log('uas.log')}`);
  });

  t.test('a callee that loops the INVITE back to the relay gets 482 Loop Detected; the caller gets 482; 20 calls', async (t) => {
    const r = await runFlow({ transport: 'udp', callees: [{ scenario: 'uas-loop.xml', calls: 20 }], caller: { scenario: 'uac-loop.xml', calls: 20, rate: 10 } });
    t.same(sippCounts(r.caller.out), { ok: 20, failed: 0 }, 'the caller saw 482 for every call');
    t.same(sippCounts(r.callees[0]!.out), { ok: 20, failed: 0 }, 'every looped INVITE got 482 from the relay');
  });

  t.test('sequential: the first callee is busy (486), the next answers; 50 calls', async (t) => {
    const r = await runFlow({
      transport: 'udp',
      callees: [{ scenario: 'uas-busy.xml', calls: 50 }, { scenario: 'uas-basic.xml', calls: 50 }],
      relayArgs: ['--fork', 'sequential'],
      caller: { scenario: 'uac-basic.xml', calls: 50, rate: 25 },
    });
    t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 }, 'the caller never saw the 486');
    t.same(r.callees.map((c) => sippCounts(c.out)), [{ ok: 50, failed: 0 }, { ok: 50, failed: 0 }]);
  });

  t.test('sequential with --no-answer 1s: the first callee rings and is CANCELed, the next answers; 20 calls', async (t) => {
    const r = await runFlow({
      transport: 'udp',
      callees: [{ scenario: 'uas-ring-cancel.xml', calls: 20 }, { scenario: 'uas-basic.xml', calls: 20 }],
      relayArgs: ['--fork', 'sequential', '--no-answer', '1s'],
      caller: { scenario: 'uac-basic.xml', calls: 20, rate: 20 },
    });
    t.same(sippCounts(r.caller.out), { ok: 20, failed: 0 });
    t.same(r.callees.map((c) => sippCounts(c.out)), [{ ok: 20, failed: 0 }, { ok: 20, failed: 0 }]);
  });

  t.test('re-INVITE hold, resume and UPDATE relayed end to end; 50 calls over UDP', async (t) => {
    const r = await runFlow({ transport: 'udp', callees: [{ scenario: 'uas-hold-resume.xml', calls: 50 }], caller: { scenario: 'uac-hold-resume.xml', calls: 50, rate: 25 } });
    t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 });
    t.same(sippCounts(r.callees[0]!.out), { ok: 50, failed: 0 });
  });

  t.test('parallel fork to two SIPp uas: one answers, the other is CANCELed; 30 calls', async (t) => {
    const r = await runFlow({
      transport: 'udp',
      callees: [{ scenario: 'uas-basic.xml', calls: 30 }, { scenario: 'uas-ring-cancel.xml', calls: 30 }],
      relayArgs: ['--fork', 'parallel'],
      caller: { scenario: 'uac-basic.xml', calls: 30, rate: 15 },
    });
    t.same(sippCounts(r.caller.out), { ok: 30, failed: 0 }, 'the caller sees one answer per call');
    t.same(r.callees.map((c) => sippCounts(c.out)), [{ ok: 30, failed: 0 }, { ok: 30, failed: 0 }]);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    t.test(`callee BYE reaches the caller, 50 calls over ${transport.toUpperCase()}`, async (t) => {
      const r = await runFlow({ transport, callees: [{ scenario: 'uas-callee-bye.xml', calls: 50 }], caller: { scenario: 'uac-callee-bye.xml', calls: 50, rate: 25 } });
      t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 });
      t.same(sippCounts(r.callees[0]!.out), { ok: 50, failed: 0 });
    });
  }

  t.test("delayed offer: the callee's offer reaches the caller in the 200, the answer goes back in the ACK; 50 calls", async (t) => {
    const r = await runFlow({ transport: 'udp', callees: [{ scenario: 'uas-basic.xml', calls: 50 }], caller: { scenario: 'uac-delayed.xml', calls: 50, rate: 25 } });
    t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 });
    t.same(sippCounts(r.callees[0]!.out), { ok: 50, failed: 0 });
  });

  t.test('183 with SDP (early media) reaches the caller; 50 calls', async (t) => {
    const r = await runFlow({ transport: 'udp', callees: [{ scenario: 'uas-early-media.xml', calls: 50 }], caller: { scenario: 'uac-early-media.xml', calls: 50, rate: 25 } });
    t.same(sippCounts(r.caller.out), { ok: 50, failed: 0 });
    t.same(sippCounts(r.callees[0]!.out), { ok: 50, failed: 0 });
  });
}
