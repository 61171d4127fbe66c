/**
 * The trunk, end to end with SIPp as the PBX:
 * - a burst of malformed datagrams leaves the daemon answering calls
 * - INVITE to a number IMA does not know: 404
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { call, daemon, freeUdpPort, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';

if (requireSipp('trunk')) {
  t.test('a burst of malformed datagrams leaves the daemon answering', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const junk = [
      Buffer.from('INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;;,;,,\r\n\r\n'),
      Buffer.from('NOTSIP \x00\x01\x02\xff\xfe'),
      Buffer.from('SIP/2.0 4294967301 nope\r\n\r\n'),
      Buffer.alloc(1400, 0x41),
      Buffer.from('INVITE sip:1000@127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\nx'),
    ];
    for (let i = 0; i < 1000; i++) sock.send(junk[i % junk.length]!, s.imaPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 500));
    sock.close();
    const r = await call(s, '+39021234567', 1);
    t.same([r.caller, r.phones], [0, 0], 'a good call right after goes through');
    t.same(r.invites, ['81000']);
  });

  t.test('INVITE to a number IMA does not know: 404', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const code = await sipp(['-sf', scenarios + 'unknown-number.xml', `127.0.0.1:${s.imaPort}`, '-s', '9999', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
    t.equal(code, 0, 'SIPp got its 404');
  });
}
