/**
 * UDP through SipTransportLayer on real loopback sockets:
 * - round trip layer to layer over 127.0.0.1 and over ::1 (skipped without IPv6 loopback);
 *   the request's Via carries our sent-by and rport, the response comes back matched.
 * - one socket per listening address serves every peer.
 * - RFC 3261 §18.2.1 / RFC 3581 §4: received and rport stamped on requests from a raw socket.
 * - §18.2.2 response routing: received + rport, received + sent-by port, sent-by, maddr.
 * - §18.1.2: responses whose top Via is not ours are discarded (RFC 4475 bcast.dat).
 * - RFC 4475 §3.3.10: a response is never sent to a broadcast address.
 * - a malformed request gets a 400 back along its Via and the next good request is served.
 * - a datagram of CRLFs (keep-alive) is ignored.
 * - a burst of 1,500 requests that arrives while the event loop is busy waits in the socket's
 *   enlarged kernel buffer and is served in full (skipped where net.core.rmem_max is under 4 MiB).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessage } from '../../src/message/parse.js';
import type { SipRequest, SipResponse } from '../../src/message/message.js';
import { SipTransportLayer } from '../../src/transport/transport-layer.js';
import { RawUdp, branch, hasIpv6Loopback, inbox, openLayer, portOf, rawRequest, request, responseTo } from './fixtures/sockets.js';

const listen = (t: { teardown(fn: () => unknown): void }, specs: string[]) => openLayer(t, (o) => SipTransportLayer.listen(o), { listen: specs });
const BCAST = readFileSync(fileURLToPath(new URL('../conformance/rfc4475/bcast.dat', import.meta.url)));

const hasV6 = await hasIpv6Loopback();

for (const family of [4, 6] as const) {
  const host = family === 4 ? '127.0.0.1' : '::1';
  const spec = family === 4 ? 'udp://127.0.0.1:0' : 'udp://[::1]:0';
  const name = `UDP over IPv${family}: a request and its response MUST make the round trip`;
  // No IPv6 loopback on this machine: the ::1 case is skipped, not failed.
  (family === 6 && !hasV6 ? t.skip.bind(t) : t.test.bind(t))(name, async (t) => {
    const a = await listen(t, [spec]);
    const b = await listen(t, [spec]);
    const bIn = inbox(b);
    const aIn = inbox(a);
    const req = request();
    const sent = await a.sendRequest(req, { protocol: 'udp', host, port: portOf(b, 'udp', family) });
    t.same(sent, { ok: true, via: { protocol: 'udp', host, port: portOf(b, 'udp', family) } });
    // RFC 3261 §18.1.1: sent-by is the address and port we sent from; RFC 3581 §3: rport asked for.
    const sentBy = family === 6 ? `[::1]:${portOf(a, 'udp', 6)}` : `127.0.0.1:${portOf(a, 'udp')}`;
    t.match(req.headers.get('via'), `SIP/2.0/UDP ${sentBy};branch=`);
    t.equal(req.topVia?.rport, true);
    const got = await bIn.next('request at b');
    t.equal(got.source.protocol, 'udp');
    t.equal(got.source.address, host);
    t.equal(got.source.port, portOf(a, 'udp', family));
    const r = got.message as SipRequest;
    t.equal(r.topVia?.rport, portOf(a, 'udp', family), 'rport filled with the source port');
    t.equal(r.topVia?.received, host, 'RFC 3581 §4: received added along with rport');
    const res = await b.sendResponse(responseTo(r), got.source);
    t.ok(res.ok);
    const back = await aIn.next('response at a');
    t.equal((back.message as SipResponse).status, 200);
    t.equal(back.message.topVia?.branch, req.topVia?.branch);
  });
}

t.test('one UDP socket MUST serve every peer', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const got = inbox(layer);
  const port = portOf(layer, 'udp');
  const p1 = await RawUdp.open(t);
  const p2 = await RawUdp.open(t);
  for (const p of [p1, p2]) await p.send(rawRequest(`SIP/2.0/UDP 127.0.0.1:${p.port};branch=${branch()}`), port);
  const m1 = await got.next('first');
  const m2 = await got.next('second');
  t.same(new Set([m1.source.port, m2.source.port]), new Set([p1.port, p2.port]));
  for (const m of [m1, m2]) t.ok((await layer.sendResponse(responseTo(m.message), m.source)).ok);
  t.match(await p1.next(), /^SIP\/2\.0 200 /);
  t.match(await p2.next(), /^SIP\/2\.0 200 /);
});

t.test('RFC 3261 §18.2.1 + RFC 3581 §4: received and rport MUST be stamped on the top Via', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const got = inbox(layer);
  const port = portOf(layer, 'udp');
  const raw = await RawUdp.open(t);
  // sent-by names another host and asks for rport: received + rport.
  await raw.send(rawRequest(`SIP/2.0/UDP 192.0.2.7:5099;rport;branch=${branch()}`), port);
  let via = (await got.next('request 1')).message.topVia!;
  t.equal(via.received, '127.0.0.1');
  t.equal(via.rport, raw.port);
  // sent-by is a host name, no rport: received only.
  await raw.send(rawRequest(`SIP/2.0/UDP client.example.com;branch=${branch()}`), port);
  via = (await got.next('request 2')).message.topVia!;
  t.equal(via.received, '127.0.0.1');
  t.equal(via.rport, undefined);
  // sent-by is the source address, no rport: nothing to add.
  await raw.send(rawRequest(`SIP/2.0/UDP 127.0.0.1:${raw.port};branch=${branch()}`), port);
  via = (await got.next('request 3')).message.topVia!;
  t.equal(via.received, undefined);
  // sent-by is the source address with an empty rport: rport, and received all the same.
  await raw.send(rawRequest(`SIP/2.0/UDP 127.0.0.1:${raw.port};rport;branch=${branch()}`), port);
  via = (await got.next('request 4')).message.topVia!;
  t.equal(via.received, '127.0.0.1');
  t.equal(via.rport, raw.port);
});

t.test('RFC 3261 §18.2.2: UDP responses MUST be routed by the top Via', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const target = await RawUdp.open(t);
  const other = await RawUdp.open(t);
  const respond = (via: string) => layer.sendResponse(responseTo(parseMessage(rawRequest(via)) as SipRequest));
  // received + rport (RFC 3581 §4) wins over the sent-by port.
  let r = await respond(`SIP/2.0/UDP 192.0.2.1:${other.port};received=127.0.0.1;rport=${target.port};branch=${branch()}`);
  t.same(r, { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port: target.port } });
  t.match(await target.next('received+rport'), /^SIP\/2\.0 200 /);
  // received without rport: the sent-by port.
  r = await respond(`SIP/2.0/UDP 192.0.2.1:${target.port};received=127.0.0.1;branch=${branch()}`);
  t.same(r, { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port: target.port } });
  t.match(await target.next('received+sent-by port'), /^SIP\/2\.0 200 /);
  // only sent-by.
  r = await respond(`SIP/2.0/UDP 127.0.0.1:${target.port};branch=${branch()}`);
  t.ok(r.ok);
  t.match(await target.next('sent-by'), /^SIP\/2\.0 200 /);
  // maddr wins over received (here a unicast maddr on loopback).
  r = await respond(`SIP/2.0/UDP 192.0.2.1:${target.port};maddr=127.0.0.1;received=192.0.2.9;branch=${branch()}`);
  t.same(r, { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port: target.port } });
  t.match(await target.next('maddr'), /^SIP\/2\.0 200 /);
  t.equal(other.received.items.length, 0, 'nothing went to the sent-by port when rport was filled');
});

t.test('RFC 4475 §3.3.10 (bcast.dat): a response MUST NOT be sent to a broadcast address', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const got = inbox(layer);
  const raw = await RawUdp.open(t);
  // The response as received: its top Via is not ours, so it is discarded (RFC 3261 §18.1.2).
  await raw.send(BCAST, portOf(layer, 'udp'));
  // A request after it proves the layer read the datagram and kept serving.
  await raw.send(rawRequest(`SIP/2.0/UDP 127.0.0.1:${raw.port};branch=${branch()}`), portOf(layer, 'udp'));
  t.equal((await got.next('the request after bcast.dat')).message.kind, 'request');
  t.equal(layer.stats.misroutedResponses, 1);
  // Forwarded on (its top Via popped), the next Via names 255.255.255.255: refused.
  const res = parseMessage(BCAST) as SipResponse;
  res.headers.removeFirst('via');
  const sent = await layer.sendResponse(res);
  t.equal(sent.ok, false);
  if (!sent.ok) t.equal(sent.error.code, 'SIP_ERR_TRANSPORT');
});

t.test('a malformed request MUST get a 400 along its Via, and the layer MUST keep serving', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const got = inbox(layer);
  const raw = await RawUdp.open(t);
  const port = portOf(layer, 'udp');
  // The Via asks for rport and names another host: the 400 must come back to the source port.
  const bad = rawRequest(`SIP/2.0/UDP 192.0.2.5:5070;rport;branch=${branch()}`).replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS');
  await raw.send(bad, port);
  const answer = await raw.next('the 400');
  t.match(answer, /^SIP\/2\.0 400 /);
  t.match(answer, /received=127\.0\.0\.1/);
  t.equal(layer.stats.parseErrors, 1);
  t.equal(got.items.length, 0, 'nothing delivered for the bad request');
  // A malformed response is dropped silently.
  await raw.send('SIP/2.0 2x0 OK\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n\r\n', port);
  // A keep-alive datagram is ignored.
  await raw.send('\r\n\r\n', port);
  await raw.send(rawRequest(`SIP/2.0/UDP 127.0.0.1:${raw.port};branch=${branch()}`), port);
  const good = await got.next('the good request');
  t.equal(good.message.kind, 'request');
  t.equal(layer.stats.parseErrors, 2);
  t.equal(raw.received.items.length, 0, 'no answer to the bad response nor to the keep-alive');
});

t.test('a response whose top Via sent-by is not ours MUST be discarded (RFC 3261 §18.1.2)', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const got = inbox(layer);
  const raw = await RawUdp.open(t);
  const port = portOf(layer, 'udp');
  const res = (sentBy: string) => `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ${sentBy};branch=${branch()}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: r\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  await raw.send(res(`127.0.0.1:${port + (port === 65535 ? -1 : 1)}`), port);
  await raw.send(res(`127.0.0.1:${port}`), port);
  const m = await got.next('the response for us');
  t.equal(m.message.topVia?.port, port);
  t.equal(layer.stats.misroutedResponses, 1);
});

t.test('UDP sends MUST report failures as SendResult, never throw', async (t) => {
  const layer = await listen(t, ['udp://127.0.0.1:0']);
  const noVia = request();
  noVia.headers.delete('via');
  const r1 = await layer.sendRequest(noVia, { protocol: 'udp', host: '127.0.0.1', port: 5060 });
  t.equal(r1.ok, false);
  // No IPv6 socket to send from.
  const r2 = await layer.sendRequest(request(), { protocol: 'udp', host: '::1', port: 5060 });
  t.equal(r2.ok, false);
  if (!r2.ok) t.equal(r2.error.code, 'SIP_ERR_TRANSPORT');
  await layer.close();
  const r3 = await layer.sendRequest(request(), { protocol: 'udp', host: '127.0.0.1', port: 5060 });
  t.equal(r3.ok, false);
});

const rmemMax = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  } catch {
    return 0;
  }
})();

// The kernel caps the buffer at net.core.rmem_max: where that is small the burst cannot fit, whatever we ask.
(rmemMax >= 4 * 1024 * 1024 ? t.test.bind(t) : t.skip.bind(t))(
  'a burst that arrives while the event loop is busy MUST wait in the UDP receive buffer, not be dropped',
  async (t) => {
    const layer = await listen(t, ['udp://127.0.0.1:0']);
    const got = inbox(layer);
    const dir = mkdtempSync(join(tmpdir(), 'udp-burst-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const done = join(dir, 'sent');
    const count = 1500;
    const via = `SIP/2.0/UDP 127.0.0.1:9;branch=${branch()}`;
    // Another process sends the burst and then writes a file; we block our event loop until that file
    // exists, so every datagram lands while nobody reads the socket (the default 208 KiB holds ~150).
    const sender = `
      const s = require('node:dgram').createSocket('udp4');
      const msg = ${JSON.stringify(rawRequest(via))};
      let left = ${count};
      for (let i = 0; i < ${count}; i++) s.send(msg.replace('Call-ID: ', 'Call-ID: burst' + i + '-'), ${portOf(layer, 'udp')}, '127.0.0.1', () => {
        if (--left === 0) { require('node:fs').writeFileSync(${JSON.stringify(done)}, ''); s.close(); }
      });`;
    const child = spawn(process.execPath, ['-e', sender], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!existsSync(done) && Date.now() < deadline) {
      // busy: the event loop does not run
    }
    t.ok(existsSync(done), 'the sender finished while we were busy');
    await new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 100 && got.items.length < count; i++) await new Promise((r) => setTimeout(r, 20));
    t.equal(got.items.length, count, 'every datagram of the burst was served');
  },
);
