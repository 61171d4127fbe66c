/**
 * The trunk, end to end with SIPp as the PBX:
 * - a burst of malformed datagrams (before and during a call) leaves the daemon answering calls; the
 *   junk is read as malformed, and a request with a readable Via gets its 400
 * - INVITE to a number IMA does not know: 404
 * - OPTIONS from the PBX (its keepalive): 200 OK with Allow naming INVITE
 * - the PBX refuses every phone-state SUBSCRIBE (489): logged once per number, and calls still route;
 *   the phones' state then comes from the calls through IMA (busy while a call is up)
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SipTransportLayer } from '@ima/sip-core';
import type { AclTransport } from '../../src/trunk/acl-transport.js';
import { call, daemon, eventually, freeUdpPort, phonesSaw, placeCall, recordingLogger, requireSipp, scenarios, setup, sipp, sippServer } from './fixtures/e2e.js';

if (requireSipp('trunk')) {
  t.test('a burst of malformed datagrams leaves the daemon answering', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const me = sock.address().port;
    let badRequests = 0;
    sock.on('message', (m) => {
      if (m.toString().startsWith('SIP/2.0 400 ')) badRequests++;
    });
    const junk = [
      // A Via with stray separators: still answerable (RFC 4475 §3.1.2.1), with a 400.
      Buffer.from(`INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${me};;,;,,\r\n\r\n`),
      Buffer.from('NOTSIP \x00\x01\x02\xff\xfe'),
      Buffer.from('SIP/2.0 4294967301 nope\r\n\r\n'),
      Buffer.alloc(1400, 0x41),
      Buffer.from('INVITE sip:1000@127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\nx'),
    ];
    const layer = (d.b2bua.endpoint.transport as AclTransport).inner as SipTransportLayer;
    const before = layer.stats.parseErrors;
    // 1000 datagrams before the call, then 50 every 20 ms for as long as the call lasts.
    for (let i = 0; i < 1000; i++) sock.send(junk[i % junk.length]!, s.imaPort, '127.0.0.1');
    let sent = 1000;
    const during = setInterval(() => {
      for (let i = 0; i < 50; i++) sock.send(junk[sent++ % junk.length]!, s.imaPort, '127.0.0.1');
    }, 20);
    const r = await call(s, '+39021234567', 1, 'none', 1000);
    clearInterval(during);
    await new Promise((r) => setTimeout(r, 200));
    sock.close();
    t.same([r.caller, r.phones], [0, 0], 'a good call in the middle of the burst goes through');
    t.same(r.invites, ['81000']);
    const parseErrors = layer.stats.parseErrors - before;
    t.comment(`${sent} datagrams sent, ${parseErrors} read as malformed, ${badRequests} answered 400`);
    t.ok(parseErrors >= 50, 'the daemon read the junk (some datagrams may be dropped by the kernel)');
    t.ok(badRequests > 0, 'and answered 400 where it could');
  });

  t.test('INVITE to a number IMA does not know: 404', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const code = await sipp(['-sf', scenarios + 'unknown-number.xml', `127.0.0.1:${s.imaPort}`, '-s', '9999', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
    t.equal(code, 0, 'SIPp got its 404');
  });

  t.test("OPTIONS from the PBX: 200 OK naming INVITE in Allow", async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const code = await sipp(['-sf', scenarios + 'options-ping.xml', `127.0.0.1:${s.imaPort}`, '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '3']);
    t.equal(code, 0, 'SIPp got 200 with Allow: INVITE for each of its 3 pings');
  });

  t.test('a subscription refused by the peer does not stop routing', async (t) => {
    const s = await setup({ phoneState: 'presence' });
    // The PBX is up before imad subscribes: phones.xml answers every SUBSCRIBE 489 Bad Event.
    const trace = join(s.dir, 'pbx.msg');
    const pbx = sippServer(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace]);
    t.teardown(() => void pbx.stop());
    await new Promise((r) => setTimeout(r, 400));
    const { logger, lines } = recordingLogger();
    const d = await daemon(s, logger);
    t.teardown(() => d.close());
    const refusals = () => lines.filter((l) => /refused the subscription/.test(l)).map((l) => (JSON.parse(l) as { number: string }).number);
    t.ok(await eventually(() => refusals().length === 2, 10_000), 'both watched numbers refused');
    t.same(refusals().sort(), ['2000', '81000'], 'logged once per number');

    const during: string[] = [];
    const poll = setInterval(() => during.push(d.state().phones['2000'] ?? 'unknown'), 100);
    t.equal(await placeCall(s, '0299999', 1500), 0, 'a screened call completes');
    clearInterval(poll);
    t.ok(during.includes('busy'), "the assistant's phone is busy while the call through IMA is up");
    t.equal(d.state().phones['2000'], 'idle', 'and idle after it');
    t.equal(await placeCall(s, '+39021234567'), 0, 'a whitelisted call completes');
    t.same(refusals().length, 2, 'no refusal logged again');

    await d.close();
    t.equal(await pbx.stop(), 0, 'the PBX saw every SUBSCRIBE and call through');
    const saw = phonesSaw(trace);
    t.same(saw.invites, ['2000', '81000'], 'the assistant, then the desk');
    t.ok((readFileSync(trace, 'utf8').match(/^SUBSCRIBE sip:/gm) ?? []).length >= 2, 'SUBSCRIBEs were sent and refused');
  });
}
