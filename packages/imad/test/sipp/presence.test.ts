/**
 * Phone state from a real peer: SIPp plays a PBX serving presence over the
 * trunk (test/sipp/scenarios/presence-server.xml): it accepts the SUBSCRIBE and
 * NOTIFYs "on the phone" then "idle" in the dialog; the subscriber must answer
 * both NOTIFYs 200 (SIPp fails the call otherwise) and read busy, then idle.
 * SIPp is required under CI=true; elsewhere the test is skipped with a notice when it is missing.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { Endpoint, SystemClock } from '@ima/sip-core';
import { PhoneStateSubscriber } from '../../src/phone-state/subscriber.js';
import { freeUdpPort, requireSipp, scenarios } from './fixtures/e2e.js';

const scenario = scenarios + 'presence-server.xml';

if (requireSipp('SIPp presence server')) {
  t.test('SIPp presence server -> subscriber: NOTIFYs answered, read as busy then idle', async (t) => {
    const port = await freeUdpPort();
    const sipp = spawn('sipp', ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-timeout', '20s', '-nostdin'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => sipp.on('close', resolve));
    await new Promise((r) => setTimeout(r, 500));
    const clock = new SystemClock();
    const ep = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'], clock });
    const me = (ep.transport as unknown as { listening(): Array<{ port: number }> }).listening()[0]!;
    const states: string[] = [];
    const sub = new PhoneStateSubscriber({
      endpoint: ep,
      clock,
      package: 'presence',
      peer: () => ({ protocol: 'udp', host: '127.0.0.1', port }),
      fromUri: 'sip:ima@127.0.0.1',
      contact: `<sip:ima@127.0.0.1:${me.port}>`,
      onState: (n, s) => states.push(`${n}=${s}`),
    });
    t.teardown(async () => {
      sub.stop();
      sipp.kill('SIGKILL');
      await ep.close();
    });
    sub.watch(['81000']);
    t.equal(await exited, 0, 'SIPp saw its SUBSCRIBE and both NOTIFYs answered 200');
    t.same(states, ['81000=busy', '81000=idle']);
    t.equal(sub.status('81000'), 'active');
  });
}
