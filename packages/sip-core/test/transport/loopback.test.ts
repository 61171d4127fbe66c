/**
 * LoopbackTransport / LoopbackNetwork (in-memory TransportLayer for tests):
 * - a request is delivered by host:port as a new, re-parsed message; the top Via sent-by is rewritten and rport added
 * - the receiver stamps received and rport (RFC 3261 §18.2.1, RFC 3581 §4)
 * - a response is routed by its top Via: received/rport first, sent-by otherwise; over TCP back to the source
 * - per-direction drop (sender sees success), delay (on the clock), duplicate, fail (SIP_ERR_TRANSPORT)
 * - unreachable: UDP loses silently, TCP is refused
 * - a message that does not parse on arrival is counted and not delivered; a throwing handler does not stop others
 * - a closed transport refuses to send and receives nothing
 */
import t from 'tap';
import { ManualClock } from '../../src/clock.js';
import type { SipMessage, SipRequest } from '../../src/index.js';
import { LoopbackNetwork } from '../../src/transport/loopback.js';
import type { Incoming } from '../../src/transport/transport.js';
import { makeResponse } from '../../src/transaction/messages.js';
import { request } from '../transaction/fixtures/messages.js';

function setup(protocol: 'udp' | 'tcp' = 'udp') {
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const a = net.createTransport({ host: '127.0.0.1', port: 5061, protocol });
  const b = net.createTransport({ host: '127.0.0.2', port: 5062, protocol });
  const atA: Incoming[] = [];
  const atB: Incoming[] = [];
  a.onMessage((m) => atA.push(m));
  b.onMessage((m) => atB.push(m));
  return { clock, net, a, b, atA, atB };
}
const toB = { protocol: 'udp' as const, host: '127.0.0.2', port: 5062 };

t.test('a request is re-parsed and delivered by host:port; the transport rewrites sent-by and adds rport', async (t) => {
  const { clock, a, atB } = setup();
  const req = request('OPTIONS', { sentBy: 'placeholder.invalid', branch: 'z9hG4bKabc' });
  const r = await a.sendRequest(req, toB);
  t.same(r, { ok: true, via: toB });
  t.equal(req.topVia?.host, '127.0.0.1', 'the caller sees the Via it was sent with');
  t.equal(atB.length, 0, 'nothing before the clock turns');
  clock.advance(0);
  t.equal(atB.length, 1);
  const got = atB[0]!.message as SipRequest;
  t.not(got, req, 'a new object, through the parser');
  t.equal(got.method, 'OPTIONS');
  t.equal(got.topVia?.host, '127.0.0.1');
  t.equal(got.topVia?.port, 5061);
  t.equal(got.topVia?.branch, 'z9hG4bKabc');
  t.equal(got.topVia?.rport, 5061, 'rport filled by the receiver');
  t.equal(got.topVia?.received, '127.0.0.1');
  t.same(atB[0]!.source, { protocol: 'udp', address: '127.0.0.1', port: 5061, localAddress: '127.0.0.2', localPort: 5062 });
});

t.test('a response is routed by its top Via (received/rport), sent-by otherwise', async (t) => {
  const { clock, a, b, atA, atB } = setup();
  await a.sendRequest(request('OPTIONS'), toB);
  clock.advance(0);
  const req = atB[0]!.message as SipRequest;
  t.same(await b.sendResponse(makeResponse(req, 200), atB[0]!.source), { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port: 5061 } });
  clock.advance(0);
  t.equal(atA.length, 1);
  t.equal((atA[0]!.message as { status: number }).status, 200);
  // Without received/rport: the sent-by host and port.
  const plain = request('OPTIONS', { sentBy: '127.0.0.1:5061' });
  t.same(await b.sendResponse(makeResponse(plain, 404)), { ok: true, via: { protocol: 'udp', host: '127.0.0.1', port: 5061 } });
});

t.test('over TCP a response goes back to the source of the request', async (t) => {
  const { clock, a, b, atA, atB } = setup('tcp');
  await a.sendRequest(request('OPTIONS'), { ...toB, protocol: 'tcp' });
  clock.advance(0);
  t.ok(atB[0]!.source.connectionId);
  const res = makeResponse(atB[0]!.message as SipRequest, 200);
  res.headers.set('Via', 'SIP/2.0/TCP 198.51.100.9:9999;branch=z9hG4bKx');
  await b.sendResponse(res, atB[0]!.source);
  clock.advance(0);
  t.equal(atA.length, 1);
});

t.test('drop: the message is lost, the sender sees success, the log says dropped', async (t) => {
  const { clock, net, a, atB } = setup();
  net.setConditions('127.0.0.1:5061', '127.0.0.2:5062', { drop: (_m, i) => i === 0 });
  t.equal((await a.sendRequest(request('OPTIONS'), toB)).ok, true);
  await a.sendRequest(request('OPTIONS', { branch: 'z9hG4bKsecond' }), toB);
  clock.advance(0);
  t.equal(atB.length, 1);
  t.equal((atB[0]!.message as SipRequest).topVia?.branch, 'z9hG4bKsecond');
  t.match(net.trace(), [/OPTIONS .* \[dropped\]$/, /OPTIONS sip:bob@example.org SIP\/2.0$/]);
});

t.test('delay: delivered exactly delayMs later on the clock', async (t) => {
  const { clock, net, a, atB } = setup();
  net.setConditions('127.0.0.1:5061', '127.0.0.2:5062', { delayMs: 150 });
  await a.sendRequest(request('OPTIONS'), toB);
  clock.advance(149);
  t.equal(atB.length, 0);
  clock.advance(1);
  t.equal(atB.length, 1);
});

t.test('duplicate: delivered twice; the other direction is untouched', async (t) => {
  const { clock, net, a, b, atA, atB } = setup();
  net.setConditions('127.0.0.1:5061', '127.0.0.2:5062', { duplicate: () => true });
  await a.sendRequest(request('OPTIONS'), toB);
  clock.advance(0);
  t.equal(atB.length, 2);
  await b.sendResponse(makeResponse(atB[0]!.message as SipRequest, 200));
  clock.advance(0);
  t.equal(atA.length, 1);
});

t.test('fail: the sender gets SIP_ERR_TRANSPORT and nothing arrives', async (t) => {
  const { clock, net, a, atB } = setup();
  net.setConditions('127.0.0.1:5061', '127.0.0.2:5062', { fail: () => true });
  const r = await a.sendRequest(request('OPTIONS'), toB);
  t.equal(r.ok, false);
  if (!r.ok) t.equal(r.error.code, 'SIP_ERR_TRANSPORT');
  clock.advance(0);
  t.equal(atB.length, 0);
});

t.test('unreachable: a UDP datagram is lost silently, a TCP connection is refused', async (t) => {
  const udp = setup('udp');
  t.equal((await udp.a.sendRequest(request('OPTIONS'), { protocol: 'udp', host: '127.0.0.9', port: 1 })).ok, true);
  const tcp = setup('tcp');
  t.equal((await tcp.a.sendRequest(request('OPTIONS'), { protocol: 'tcp', host: '127.0.0.9', port: 1 })).ok, false);
});

t.test('a message that does not parse on arrival is counted and not delivered', async (t) => {
  const { clock, net, a, atB } = setup();
  const bad = request('OPTIONS');
  bad.headers.set('CSeq', '1 INVITE'); // method mismatch: parseMessage refuses it
  await a.sendRequest(bad, toB);
  clock.advance(0);
  t.equal(atB.length, 0);
  t.equal(net.parseErrors, 1);
});

t.test('a throwing handler does not stop delivery to the next one', async (t) => {
  const { clock, a, b, atB } = setup();
  const seen: SipMessage[] = [];
  b.onMessage(() => {
    throw new Error('bug');
  });
  b.onMessage((m) => seen.push(m.message));
  await a.sendRequest(request('OPTIONS'), toB);
  clock.advance(0);
  t.equal(atB.length, 1);
  t.equal(seen.length, 1);
});

t.test('a closed transport refuses to send and receives nothing', async (t) => {
  const { clock, a, b, atB } = setup();
  await b.close();
  t.equal((await b.sendRequest(request('OPTIONS'), { protocol: 'udp', host: '127.0.0.1', port: 5061 })).ok, false);
  await a.sendRequest(request('OPTIONS'), toB);
  clock.advance(0);
  t.equal(atB.length, 0);
});
