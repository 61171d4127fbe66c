/**
 * The dialog layer against a real peer: Debian's SIPp (sip-tester) over
 * loopback, driving the dialog examples built in dist/examples and the
 * scenarios in test/sipp/scenarios/.
 * - SIPp uac (INVITE, ACK, re-INVITE hold, re-INVITE resume, UPDATE, BYE) -> dialog UAS: 200 calls over UDP, 200 over TCP
 * - the same over UDP with SIPp dropping 10% of packets (-lost 10): every call completes (2xx retransmission, re-ACK)
 * - SIPp uac -> dialog UAS, callee BYE (the UAS hangs up the user "hangup"): 100 calls over UDP and over TCP
 * - dialog UAC (hold, resume, UPDATE, BYE) -> SIPp uas scenario, over UDP and over TCP
 * - dialog UAC waiting for the callee's BYE -> SIPp uas that hangs up, over UDP and over TCP
 * SIPp is required under CI=true; elsewhere these tests are skipped with a notice when it is missing.
 */
import t from 'tap';
import { examples, exec, freePort, hasSipp, sippCounts, startExample } from './fixtures/sipp.js';
import { fileURLToPath } from 'node:url';

const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));

if (!hasSipp) {
  if (process.env.CI === 'true') t.fail('SIPp (Debian package sip-tester) is required in CI');
  else t.test('dialog real-peer tests', { skip: 'SIPp is not installed (apt-get install sip-tester)' }, async () => {});
} else {
  run();
}

const sippUac = async (scenario: string, port: number, extra: string[]) =>
  ['-sf', scenarios + scenario, `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-timeout', '90s', '-nostdin', ...extra];

function run(): void {
  t.test('SIPp uac -> dialog UAS', async (t) => {
    const uas = await startExample('dialog-uas.js');
    t.teardown(() => {
      uas.proc.kill('SIGTERM');
    });

    t.test('hold, resume, UPDATE, BYE: 200 calls over UDP, 0 failed', async (t) => {
      const r = await exec('sipp', await sippUac('uac-hold-resume.xml', uas.udp, ['-m', '200', '-r', '100']), 120_000);
      t.equal(r.code, 0, 'sipp exit code 0: every call succeeded');
      t.same(sippCounts(r.out), { ok: 200, failed: 0 });
    });

    t.test('hold, resume, UPDATE, BYE: 200 calls over TCP (-t t1), 0 failed', async (t) => {
      const r = await exec('sipp', await sippUac('uac-hold-resume.xml', uas.tcp, ['-t', 't1', '-m', '200', '-r', '100']), 120_000);
      t.equal(r.code, 0, 'sipp exit code 0');
      t.same(sippCounts(r.out), { ok: 200, failed: 0 });
    });

    t.test('hold, resume, UPDATE, BYE over UDP with 10% of packets lost: every call completes', async (t) => {
      const r = await exec('sipp', await sippUac('uac-hold-resume.xml', uas.udp, ['-m', '100', '-r', '50', '-lost', '10', '-max_invite_retrans', '10', '-max_non_invite_retrans', '10']), 150_000);
      t.equal(r.code, 0, 'sipp exit code 0');
      t.same(sippCounts(r.out), { ok: 100, failed: 0 });
    });

    for (const [name, port, extra] of [['UDP', () => uas.udp, []], ['TCP', () => uas.tcp, ['-t', 't1']]] as const) {
      t.test(`callee BYE: 100 calls over ${name}, 0 failed`, async (t) => {
        const r = await exec('sipp', await sippUac('uac-callee-bye.xml', port(), [...extra, '-m', '100', '-r', '100']), 120_000);
        t.equal(r.code, 0, 'sipp exit code 0');
        t.same(sippCounts(r.out), { ok: 100, failed: 0 });
      });
    }
  });

  for (const transport of ['udp', 'tcp'] as const) {
    for (const [flow, scenario] of [['hold', 'uas-hold-resume.xml'], ['callee-bye', 'uas-callee-bye.xml']] as const) {
      t.test(`dialog UAC (${flow}) -> SIPp uas over ${transport.toUpperCase()}`, async (t) => {
        const port = await freePort();
        const sipp = exec('sipp', ['-sf', scenarios + scenario, '-i', '127.0.0.1', '-p', String(port), ...(transport === 'tcp' ? ['-t', 't1'] : []), '-m', '50', '-timeout', '60s', '-nostdin'], 90_000);
        // Give SIPp a moment to bind.
        await new Promise((r) => setTimeout(r, 500));
        const uac = await exec(process.execPath, [examples + 'dialog-uac.js', '--to', `${transport}://127.0.0.1:${port}`, '--calls', '50', '--rate', '50', '--flow', flow, '--timeout-ms', '40000'], 60_000);
        t.equal(uac.code, 0, uac.out.trim());
        t.match(uac.out, /calls 50 succeeded 50 failed 0/);
        const s = await sipp;
        t.equal(s.code, 0, 'SIPp uas saw every call complete');
        t.same(sippCounts(s.out), { ok: 50, failed: 0 });
      });
    }
  }
}
