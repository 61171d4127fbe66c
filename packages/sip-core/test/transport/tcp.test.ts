/**
 * TCP through SipTransportLayer on real loopback sockets:
 * - round trip layer to layer; sent-by is our TCP listening point; the response
 *   goes back on the connection the request came on (RFC 3261 §18.2.2).
 * - connection reuse both ways: the accepted connection carries requests to that
 *   peer, the opened one is kept for the next request.
 * - response routing: same connection by source, or by received/rport; once it is
 *   closed, a new connection to received/sent-by and the sent-by port.
 * - idle connections close after idleTimeoutMs of the injected clock; traffic postpones it.
 * - an oversize message or a broken stream closes that connection only.
 * - a framed request that does not parse gets a 400 on the same connection, which stays open.
 * - RFC 5626 §4.4.1: a CRLFCRLF ping gets a CRLF pong.
 * - RFC 3261 §18.1.1: a UDP request over 1300 octets goes over TCP when we listen on TCP.
 * - connect refused -> SendResult ok:false with SIP_ERR_TRANSPORT.
 * - concurrent sends share one connect; a throwing message handler is contained.
 * - fuzz: a message split into random chunks across writes arrives whole.
 */
import t from 'tap';
import fc from 'fast-check';
import { ManualClock } from '../../src/clock.js';
import type { SipRequest, SipResponse } from '../../src/message/message.js';
import { SipTransportLayer, type TransportLayerOptions } from '../../src/transport/transport-layer.js';
import { RawTcp, branch, closedTcpPort, inbox, openLayer, portOf, rawRequest, request, responseTo, until } from './fixtures/sockets.js';

type T = { teardown(fn: () => unknown): void };
const listen = (t: T, specs: string[], opts: Partial<TransportLayerOptions> = {}) =>
  openLayer(t, (o) => SipTransportLayer.listen(o), { listen: specs, ...opts });

t.test('TCP: a request and its response MUST make the round trip; connections MUST be reused both ways', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const b = await listen(t, ['tcp://127.0.0.1:0']);
  const aIn = inbox(a);
  const bIn = inbox(b);
  const req = request();
  const sent = await a.sendRequest(req, { protocol: 'tcp', host: '127.0.0.1', port: portOf(b, 'tcp') });
  t.same(sent, { ok: true, via: { protocol: 'tcp', host: '127.0.0.1', port: portOf(b, 'tcp') } });
  // RFC 3261 §18.1.1: sent-by names where we listen, so the server can reconnect.
  t.match(req.headers.get('via'), `SIP/2.0/TCP 127.0.0.1:${portOf(a, 'tcp')};branch=`);
  const got = await bIn.next('request at b');
  t.equal(got.source.protocol, 'tcp');
  t.ok(got.source.connectionId);
  t.ok((await b.sendResponse(responseTo(got.message), got.source)).ok);
  t.equal(((await aIn.next('response at a')).message as SipResponse).status, 200);
  t.equal(a.connections().length, 1);
  t.equal(a.connections()[0]?.isOutgoing, true);
  // The opened connection is kept for the next request.
  t.ok((await a.sendRequest(request(), { protocol: 'tcp', host: '127.0.0.1', port: portOf(b, 'tcp') })).ok);
  await bIn.next('second request at b');
  // b sends to a's address:port as seen on the accepted connection: that connection is reused.
  const back = await b.sendRequest(request(), { protocol: 'tcp', host: got.source.address, port: got.source.port });
  t.ok(back.ok);
  const atA = await aIn.next('request from b at a');
  t.equal(atA.message.kind, 'request');
  t.equal(atA.source.connectionId, a.connections()[0]?.id, 'arrived on the connection a opened');
  t.equal(a.connections().length, 1);
  t.equal(b.connections().length, 1);
  t.equal(b.connections()[0]?.isOutgoing, false);
});

t.test('RFC 3261 §18.2.2: a TCP response MUST use the open connection, else connect to received/sent-by', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const aIn = inbox(a);
  const peer = await listen(t, ['tcp://127.0.0.1:0']);
  const peerIn = inbox(peer);
  const raw = await RawTcp.open(t, portOf(a, 'tcp'));
  // sent-by names the peer layer's listening port; rport asks for the source port.
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:${portOf(peer, 'tcp')};rport;branch=${branch()}`));
  const got = await aIn.next('request on raw connection');
  t.equal(got.message.topVia?.rport, raw.localPort);
  // No source given: received + rport still find the connection it came on.
  t.ok((await a.sendResponse(responseTo(got.message))).ok);
  t.match(await raw.read(/Content-Length: 0\r\n\r\n/), /^SIP\/2\.0 200 /);
  t.equal(peer.connections().length, 0, 'no new connection while the old one is open');
  // The connection goes away: the response goes to sent-by on a new connection.
  raw.socket.destroy();
  await until(() => a.connections().length === 0, 'a to see the close');
  const r = await a.sendResponse(responseTo(got.message, 180), got.source);
  t.same(r, { ok: true, via: { protocol: 'tcp', host: '127.0.0.1', port: portOf(peer, 'tcp') } });
  // The peer layer checks sent-by: its own listening point, so it accepts the response.
  const res = await peerIn.next('response on the new connection');
  t.equal((res.message as SipResponse).status, 180);
});

t.test('an idle connection MUST close after idleTimeoutMs on the injected clock', async (t) => {
  const clock = new ManualClock();
  const a = await listen(t, ['tcp://127.0.0.1:0'], { clock, idleTimeoutMs: 1000 });
  const aIn = inbox(a);
  const raw = await RawTcp.open(t, portOf(a, 'tcp'));
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  await aIn.next('request');
  clock.advance(600);
  // Traffic at 600 postpones the close to 1600.
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  await aIn.next('second request');
  clock.advance(600);
  t.equal(a.connections().length, 1, 'still open at 1200');
  clock.advance(399);
  t.equal(a.connections().length, 1, 'still open at 1599');
  clock.advance(1);
  await raw.waitClosed('the idle close');
  t.equal(a.connections().length, 0);
  t.equal(clock.pending, 0, 'no idle timer left behind');
});

t.test('an oversize message or a broken stream MUST close that connection only', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0'], { maxMessageSize: 2000 });
  const aIn = inbox(a);
  const port = portOf(a, 'tcp');
  const good = await RawTcp.open(t, port);
  const big = await RawTcp.open(t, port);
  const broken = await RawTcp.open(t, port);
  await good.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  await aIn.next('first good request');
  await big.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`, { extra: `X-Pad: ${'x'.repeat(2500)}\r\n` }));
  await big.waitClosed('oversize connection closed');
  // Content-Length is mandatory on streams (RFC 3261 §18.3).
  await broken.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`).replace('Content-Length: 0\r\n', ''));
  await broken.waitClosed('broken stream closed');
  t.equal(a.stats.framingErrors, 2);
  await good.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  t.equal((await aIn.next('good connection still served')).message.kind, 'request');
  t.equal(a.connections().length, 1);
  t.equal(aIn.items.length, 0, 'nothing delivered from the bad connections');
});

t.test('a framed request that does not parse MUST get a 400 on its connection, which stays open', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const aIn = inbox(a);
  const raw = await RawTcp.open(t, portOf(a, 'tcp'));
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`).replace('Max-Forwards: 70', 'Max-Forwards: many'));
  t.match(await raw.read(/Content-Length: 0\r\n\r\n/, 'the 400'), /^SIP\/2\.0 400 /);
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  t.equal((await aIn.next('the next request')).message.kind, 'request');
});

t.test('RFC 5626 §4.4.1: a CRLFCRLF ping MUST get a CRLF pong', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const aIn = inbox(a);
  const raw = await RawTcp.open(t, portOf(a, 'tcp'));
  await raw.write('\r\n\r\n');
  t.equal(await raw.read(/\r\n/, 'the pong'), '\r\n');
  // The stream stays in step: a request after the ping is served.
  await raw.write(rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`));
  t.equal((await aIn.next('request after ping')).message.kind, 'request');
});

t.test('RFC 3261 §18.1.1: a UDP request over 1300 octets MUST go over TCP when we listen on TCP', async (t) => {
  const a = await listen(t, ['udp://127.0.0.1:0', 'tcp://127.0.0.1:0']);
  const udpOnly = await listen(t, ['udp://127.0.0.1:0']);
  const peerUdp = await listen(t, ['udp://127.0.0.1:0']);
  const port = portOf(peerUdp, 'udp');
  const peerTcp = await listen(t, [`tcp://127.0.0.1:${port}`]);
  const udpIn = inbox(peerUdp);
  const tcpIn = inbox(peerTcp);
  const small = request();
  t.same(await a.sendRequest(small, { protocol: 'udp', host: '127.0.0.1', port }), { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port } });
  t.equal((await udpIn.next('small over udp')).message.topVia?.transport, 'UDP');
  const big = request({ body: 'v=0\r\n' + 'a=x-pad:0123456789\r\n'.repeat(70) });
  t.same(await a.sendRequest(big, { protocol: 'udp', host: '127.0.0.1', port }), { ok: true, via: { protocol: 'tcp', host: '127.0.0.1', port } });
  // The Via transport MUST change with it.
  t.match(big.headers.get('via'), `SIP/2.0/TCP 127.0.0.1:${portOf(a, 'tcp')};`);
  const got = await tcpIn.next('big over tcp');
  t.equal(got.message.topVia?.transport, 'TCP');
  t.equal((got.message as SipRequest).body.byteLength, big.body.byteLength);
  // Without a TCP listener it stays on UDP.
  const big2 = request({ body: 'v=0\r\n' + 'a=x-pad:0123456789\r\n'.repeat(70) });
  t.same(await udpOnly.sendRequest(big2, { protocol: 'udp', host: '127.0.0.1', port }), { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port } });
  t.equal((await udpIn.next('big over udp')).message.topVia?.transport, 'UDP');
});

t.test('a refused connect MUST come back as SendResult ok:false (SIP_ERR_TRANSPORT)', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const port = await closedTcpPort();
  const r = await a.sendRequest(request(), { protocol: 'tcp', host: '127.0.0.1', port });
  t.equal(r.ok, false);
  if (!r.ok) {
    t.equal(r.error.code, 'SIP_ERR_TRANSPORT');
    t.match(r.error.message, /ECONNREFUSED/);
  }
  const res = await a.sendResponse(responseTo(request({ via: `SIP/2.0/TCP 127.0.0.1:${port};branch=${branch()}` })));
  t.equal(res.ok, false);
  t.equal(a.connections().length, 0);
  t.equal(a.stats.sendErrors, 2);
});

t.test('framer fuzz: a message split into random chunks across writes MUST arrive whole', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const aIn = inbox(a);
  const raw = await RawTcp.open(t, portOf(a, 'tcp'));
  const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 12 }), fc.boolean(), async (cuts, withPing) => {
      const callId = `fuzz-${branch()}`;
      const text =
        (withPing ? '\r\n\r\n' : '') +
        rawRequest(`SIP/2.0/TCP 127.0.0.1:5060;branch=${branch()}`, { method: 'INVITE', callId }).replace('Content-Length: 0', `Content-Type: application/sdp\r\nContent-Length: ${body.length}`) +
        body;
      const bytes = Buffer.from(text, 'latin1');
      const points = [0, ...cuts.filter((c) => c < bytes.length).sort((x, y) => x - y), bytes.length];
      for (let i = 1; i < points.length; i++) await raw.write(bytes.subarray(points[i - 1], points[i]));
      const got = await aIn.next('the whole message');
      if (withPing) await raw.read(/\r\n/, 'the pong');
      return got.message.callId === callId && Buffer.from(got.message.body).toString('latin1') === body;
    }),
    { numRuns: 25 },
  );
  t.equal(a.connections().length, 1, 'one connection throughout');
  t.equal(aIn.items.length, 0);
});

t.test('concurrent sends to one peer MUST share one connection; a throwing handler MUST NOT stop the layer', async (t) => {
  const a = await listen(t, ['tcp://127.0.0.1:0']);
  const b = await listen(t, ['tcp://127.0.0.1:0']);
  b.onMessage(() => {
    throw new Error('handler bug');
  });
  const bIn = inbox(b);
  const dest = { protocol: 'tcp' as const, host: '127.0.0.1', port: portOf(b, 'tcp') };
  const results = await Promise.all([a.sendRequest(request(), dest), a.sendRequest(request(), dest), a.sendRequest(request(), dest)]);
  t.same(results.map((r) => r.ok), [true, true, true]);
  for (let i = 0; i < 3; i++) await bIn.next(`request ${i + 1}`);
  t.equal(a.connections().length, 1);
  t.equal(b.connections().length, 1);
  // A Via naming a transport we do not run is a SendResult, not a throw.
  const sctp = await b.sendResponse(responseTo(request({ via: `SIP/2.0/SCTP 127.0.0.1;branch=${branch()}` })));
  t.equal(sctp.ok, false);
});
