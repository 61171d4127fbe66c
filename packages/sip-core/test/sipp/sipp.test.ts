/**
 * Against a real peer: Debian's SIPp (sip-tester) over loopback, driving the
 * example programs built in dist/examples.
 * - SIPp's built-in uac scenario against the example UAS: 500 calls, 0 failed, over UDP
 * - the same over TCP (-t t1)
 * - over UDP with SIPp dropping 10% of packets (-lost 10): every call completes
 *   through retransmissions on both sides
 * - SIPp's built-in uas scenario against the example UAC, over UDP and over TCP
 * SIPp is required under CI=true; elsewhere these tests are skipped with a notice when it is missing.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const examples = fileURLToPath(new URL('../../dist/examples/', import.meta.url));
const hasSipp = spawnSync('sipp', ['-v'], { encoding: 'utf8' }).error === undefined;

if (!hasSipp) {
  if (process.env.CI === 'true') t.fail('SIPp (Debian package sip-tester) is required in CI');
  else t.test('real-peer tests', { skip: 'SIPp is not installed (apt-get install sip-tester)' }, async () => {});
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

/** Start the example UAS on ephemeral UDP and TCP ports; resolves with them. */
async function startUas(): Promise<{ proc: ChildProcess; udp: number; tcp: number }> {
  const proc = spawn(process.execPath, [examples + 'uas.js', '--listen', 'udp://127.0.0.1:0', '--listen', 'tcp://127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  while (!/listening tcp:\/\/\S+:(\d+)/.test(text) || !/listening udp:\/\/\S+:(\d+)/.test(text)) {
    const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
    text += chunk.toString();
  }
  return { proc, udp: Number(/listening udp:\/\/\S+:(\d+)/.exec(text)![1]), tcp: Number(/listening tcp:\/\/\S+:(\d+)/.exec(text)![1]) };
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

function run(): void {
  t.test('SIPp uac -> example UAS', async (t) => {
    const uas = await startUas();
    t.teardown(() => {
      uas.proc.kill('SIGTERM');
    });

    t.test('500 calls over UDP, 0 failed', async (t) => {
      const r = await exec('sipp', ['-sn', 'uac', `127.0.0.1:${uas.udp}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', '500', '-r', '100', '-timeout', '60s', '-nostdin'], 90_000);
      t.equal(r.code, 0, 'sipp exit code 0: every call succeeded');
      t.same(sippCounts(r.out), { ok: 500, failed: 0 });
    });

    t.test('500 calls over TCP (-t t1), 0 failed', async (t) => {
      const r = await exec('sipp', ['-sn', 'uac', `127.0.0.1:${uas.tcp}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-t', 't1', '-m', '500', '-r', '100', '-timeout', '60s', '-nostdin'], 90_000);
      t.equal(r.code, 0, 'sipp exit code 0');
      t.same(sippCounts(r.out), { ok: 500, failed: 0 });
    });

    t.test('500 calls over UDP with 10% of packets lost: all complete through retransmissions', async (t) => {
      const r = await exec('sipp', ['-sn', 'uac', `127.0.0.1:${uas.udp}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', '500', '-r', '100', '-l', '1000', '-lost', '10', '-timeout', '150s', '-nostdin'], 180_000);
      t.equal(r.code, 0, 'sipp exit code 0');
      t.same(sippCounts(r.out), { ok: 500, failed: 0 });
    });
  });

  for (const transport of ['udp', 'tcp'] as const) {
    t.test(`example UAC -> SIPp uas over ${transport.toUpperCase()}`, async (t) => {
      const port = await freePort();
      const sipp = exec('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), ...(transport === 'tcp' ? ['-t', 't1'] : []), '-m', '100', '-timeout', '60s', '-nostdin'], 90_000);
      // Give SIPp a moment to bind.
      await new Promise((r) => setTimeout(r, 500));
      const uac = await exec(process.execPath, [examples + 'uac.js', '--to', `${transport}://127.0.0.1:${port}`, '--calls', '100', '--rate', '50', '--timeout-ms', '40000', '--linger-ms', transport === 'tcp' ? '6000' : '0'], 60_000);
      t.equal(uac.code, 0, uac.out.trim());
      t.match(uac.out, /calls 100 succeeded 100 failed 0/);
      const s = await sipp;
      t.equal(s.code, 0, 'SIPp uas saw every call complete');
    });
  }
}
