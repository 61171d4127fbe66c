/**
 * TransactionLayer end to end over LoopbackTransport, in virtual time:
 * - request/response: the layer adds a top Via with a z9hG4bK branch, the TU gets exactly one final
 * - exact wire schedules: INVITE A at 0, 500, 1500, ... 31500 and B at 32 s; non-INVITE E capped at T2, F at 32 s;
 *   INVITE server G capped at T2 until H at 32 s (TU told of the timeout)
 * - over TCP: no retransmission at all
 * - 100 Trying at 200 ms when the TU is silent, none when it answers in time
 * - loss: INVITE and 2xx lost still completes (retransmissions, RFC 6026 2xx to TU); 486 with lost ACK -> ACK resent
 * - non-2xx final: the client transaction sends the ACK; the server absorbs it (no onAck)
 * - ACK to 2xx goes to the TU's onAck; 2xx retransmissions after Timer M are stray responses
 * - CANCEL: 200 to CANCEL and 487 to the INVITE by the layer, onCancel; a CANCEL before any provisional waits for one;
 *   a CANCEL matching nothing gets 481; cancel() on a non-INVITE throws
 * - merged request (§8.2.2.2): a second copy with another branch gets 482 and never reaches the TU
 * - loop (§16.3 step 4): our own INVITE in progress that comes back (through a proxy that adds its Via) to the same
 *   Request-URI gets 482, known by its From tag, Call-ID and CSeq or by our branch in its Via stack; sent back to
 *   another Request-URI (a spiral) it reaches the TU; after our transaction has ended it is a new request
 * - transport error on send: onTransportError once, nothing sent afterwards
 * - bad input: a throwing TU, a response without branch, an RFC 2543 request: the layer keeps serving
 */
import t from 'tap';
import { SipError } from '../../src/errors.js';
import { SipRequest } from '../../src/message/message.js';
import { parseUri } from '../../src/message/uri.js';
import { buildCancel, makeResponse } from '../../src/transaction/messages.js';
import { PLACEHOLDER_SENT_BY } from '../../src/transaction/layer.js';
import { A, B, clientLog, pair } from './fixtures/harness.js';
import { request, response } from './fixtures/messages.js';

const times = (w: Array<{ at: number; line: string }>, re: RegExp) => w.filter((r) => re.test(r.line)).map((r) => r.at);

t.test('request/response: top Via with a new z9hG4bK branch; exactly one final to the TU', async (t) => {
  const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, 200)) });
  const log = clientLog();
  const req = request('OPTIONS');
  req.headers.delete('via');
  const tx = p.a.request(req, p.toB, log.handlers);
  t.match(tx.branch, /^z9hG4bK.{8,}/);
  t.equal(p.userB.requests[0], undefined);
  await p.drain();
  t.equal(p.userB.requests.length, 1);
  const got = p.userB.requests[0]!.req;
  t.equal(got.topVia?.branch, tx.branch);
  t.equal(got.topVia?.host, '127.0.0.1', 'the transport replaced the placeholder ' + PLACEHOLDER_SENT_BY);
  t.same(log.events, ['200']);
  t.equal(tx.state, 'terminated');
  t.same(p.a.size, { client: 0, server: 0 });
  t.same(p.b.size, { client: 0, server: 0 });
});

t.test('INVITE client: Timer A retransmits at 0, 500, 1500, 3500, 7500, 15500, 31500; Timer B at 32 s', async (t) => {
  const p = pair();
  p.net.setConditions(A, B, { drop: () => true });
  const log = clientLog();
  p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.run(31_999);
  t.equal(log.timeouts, 0);
  await p.run(1);
  t.same(times(p.wire(), /^INVITE/), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.same(log.events, ['timeout']);
  await p.drain();
  t.equal(p.net.log.length, 7, 'nothing sent after terminated');
});

t.test('non-INVITE client: Timer E doubles up to T2 = 4 s; Timer F at 32 s', async (t) => {
  const p = pair();
  p.net.setConditions(A, B, { drop: () => true });
  const log = clientLog();
  p.a.request(request('OPTIONS'), p.toB, log.handlers);
  await p.run(32_000);
  t.same(times(p.wire(), /^OPTIONS/), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.same(log.events, ['timeout']);
});

t.test('INVITE server: Timer G resends the final capped at T2 until Timer H at 32 s', async (t) => {
  const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, 486)) });
  // A bare INVITE sent once, straight through the transport: nobody will ACK or retransmit it.
  await p.ta.sendRequest(request('INVITE'), p.toB);
  await p.run(33_000);
  const finals = times(p.wire(), /^SIP\/2.0 486/);
  t.same(finals, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.same(p.userB.errors, ['timeout'], 'Timer H: the TU is told no ACK came');
});

t.test('over TCP no request or response is retransmitted', async (t) => {
  const p = pair({ protocol: 'tcp' });
  p.net.setConditions(A, B, { drop: () => true });
  const log = clientLog();
  p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.run(32_000);
  t.same(times(p.wire(), /^INVITE/), [0]);
  t.same(log.events, ['timeout']);
});

t.test('the INVITE server sends 100 Trying at 200 ms when the TU has not answered', async (t) => {
  const p = pair();
  p.a.request(request('INVITE'), p.toB, clientLog().handlers);
  await p.run(300);
  t.same(times(p.wire(), /^SIP\/2.0 100/), [200]);
});

t.test('no 100 Trying when the TU sends a provisional within 200 ms', async (t) => {
  const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, 180)) });
  const log = clientLog();
  p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.run(1000);
  t.same(times(p.wire(), /^SIP\/2.0 100/), []);
  t.same(log.responses, [180]);
});

t.test('with loss (2 INVITEs and the first 200 lost) the INVITE still completes through retransmissions', async (t) => {
  let answered = 0;
  const p = pair({
    answer: (tx, req) => {
      answered++;
      const ok = makeResponse(req, 200);
      tx.respond(ok);
      // The TU (dialog layer) retransmits the 2xx itself until the ACK (§13.3.1.4); here once at T1.
      p.clock.setTimeout(() => tx.respond(ok), 500);
    },
  });
  p.net.setConditions(A, B, { drop: (m, i) => m.kind === 'request' && i < 2 });
  p.net.setConditions(B, A, { drop: (m, i) => i === 0 });
  const log = clientLog();
  p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.drain();
  t.equal(answered, 1, 'the TU saw the INVITE once');
  t.same(log.responses, [200], 'the retransmitted 2xx reached the client TU');
  t.same(times(p.wire(), /^INVITE/), [0, 500, 1500]);
});

t.test('a non-2xx final is ACKed by the client transaction; a lost ACK is resent on the retransmitted final', async (t) => {
  const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, 486)) });
  p.net.setConditions(A, B, { drop: (m, i) => m.kind === 'request' && m.method === 'ACK' && i === 1 });
  const log = clientLog();
  p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.drain();
  t.same(log.responses, [486], 'the TU sees the final once');
  t.same(times(p.wire(), /^ACK/), [0, 500]);
  t.same(times(p.wire(), /^SIP\/2.0 486/), [0, 500]);
  t.same(p.userB.acks, [], 'the ACK to a non-2xx is absorbed by the server transaction');
  t.same(p.userB.errors, []);
});

t.test('an ACK to a 2xx reaches onAck; a 2xx after Timer M is a stray response', async (t) => {
  const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, 200, undefined, { toTag: 'tt' })) });
  const log = clientLog();
  const invite = request('INVITE');
  p.a.request(invite, p.toB, log.handlers);
  await p.run(10);
  const ack = request('ACK', { toTag: 'tt' });
  ack.headers.delete('via');
  await p.a.sendAck(ack, p.toB);
  await p.run(10);
  t.equal(p.userB.acks.length, 1);
  await p.run(40_000); // past Timer M and L
  const late = response(invite, 200, 'tt');
  await p.tb.sendResponse(late);
  await p.run(10);
  t.equal(p.userA.strays.length, 1);
  t.same(log.responses, [200]);
});

t.test('CANCEL: the layer answers 200 and sends 487 for the INVITE; the TU is notified', async (t) => {
  const p = pair({ answer: (tx, req) => req.method === 'INVITE' && tx.respond(makeResponse(req, 180)) });
  const log = clientLog();
  const cancelLog = clientLog();
  const tx = p.a.request(request('INVITE'), p.toB, log.handlers);
  await p.run(10);
  tx.cancel(cancelLog.handlers);
  await p.drain();
  t.same(cancelLog.responses, [200]);
  t.same(log.responses, [180, 487]);
  t.equal(p.userB.cancels.length, 1);
  t.equal(p.userB.requests.length, 1, 'the CANCEL is not an onRequest');
  t.ok(p.wire().some((r) => r.line.startsWith('ACK')), 'the 487 was ACKed');
  const cancel = p.net.log.find((r) => r.line.startsWith('CANCEL'));
  t.ok(cancel, 'a CANCEL went out');
});

t.test('CANCEL before any provisional waits for one (§9.1)', async (t) => {
  const p = pair();
  const log = clientLog();
  const tx = p.a.request(request('INVITE'), p.toB, log.handlers);
  tx.cancel();
  await p.run(150);
  t.same(times(p.wire(), /^CANCEL/), [], 'not before a provisional');
  await p.run(100); // 100 Trying at 200 ms
  t.same(times(p.wire(), /^CANCEL/), [200]);
  await p.drain();
  t.same(log.responses, [100, 487]);
});

t.test('a CANCEL that matches no transaction gets 481; cancel() of a non-INVITE throws', async (t) => {
  const p = pair();
  const cancel = buildCancel(request('INVITE', { branch: 'z9hG4bKunknown' }));
  await p.ta.sendRequest(cancel, p.toB);
  await p.run(10);
  t.same(times(p.wire(), /^SIP\/2.0 481/), [0]);
  t.equal(p.userB.cancels.length, 0);
  const options = p.a.request(request('OPTIONS', { callId: 'o@x' }), p.toB, {});
  t.throws(() => options.cancel(), SipError);
});

t.test('merged request (§8.2.2.2): a copy with another branch gets 482 and never reaches the TU', async (t) => {
  const p = pair();
  const first = request('INVITE', { branch: 'z9hG4bKfork1' });
  const second = request('INVITE', { branch: 'z9hG4bKfork2' });
  await p.ta.sendRequest(first, p.toB);
  await p.ta.sendRequest(second, p.toB);
  await p.run(10);
  t.equal(p.userB.requests.length, 1);
  t.same(times(p.wire(), /^SIP\/2.0 482/), [0]);
  const merged = p.net.log.find((r) => r.line.startsWith('SIP/2.0 482'));
  t.match(merged?.bytes.toString(), /branch=z9hG4bKfork2/);
});

/** What B, acting as a proxy, sends back to A: A's request with B's Via on top, optionally rewritten. */
function bounce(got: SipRequest, o: { uri?: string; fromTag?: string; branch?: string } = {}): SipRequest {
  const headers: Array<[string, string]> = [['Via', `SIP/2.0/UDP 127.0.0.2:5070;branch=${o.branch ?? 'z9hG4bKproxy1'}`]];
  got.headers.forEachLine((name, value, key) => {
    if (key === 'from' && o.fromTag !== undefined) headers.push([name, value.replace(/tag=[^;]+/, `tag=${o.fromTag}`)]);
    else if (key !== 'call-id' || o.fromTag === undefined) headers.push([name, value]);
  });
  // A rewritten From tag comes with a new Call-ID too: only our Via still says the request is ours.
  if (o.fromTag !== undefined) headers.push(['Call-ID', 'rewritten@proxy']);
  return new SipRequest({ method: got.method, uri: o.uri !== undefined ? parseUri(o.uri) : got.uri, headers });
}

t.test('loop (§16.3 step 4): our INVITE coming back to the same Request-URI gets 482 and never reaches the TU', async (t) => {
  for (const via of ['merge key', 'our branch in the Via stack'] as const) {
    await t.test(via, async (t) => {
      const p = pair();
      const toA = { protocol: 'udp', host: '127.0.0.1', port: 5060 } as const;
      const log = clientLog();
      p.a.request(request('INVITE', { uri: 'sip:bob@127.0.0.2:5070' }), p.toB, log.handlers);
      await p.run(10);
      const got = p.userB.requests[0]!.req;
      await p.tb.sendRequest(bounce(got, via === 'merge key' ? {} : { fromTag: 'other' }), toA);
      await p.run(10);
      t.equal(p.userA.requests.length, 0, 'the looped INVITE never reaches the TU');
      t.equal(times(p.wire(), /^SIP\/2.0 482 Loop Detected/).length, 1);
      t.same(log.responses, [], 'our own transaction is untouched');
    });
  }
});

t.test('spiral: our INVITE sent back to another Request-URI reaches the TU; once our transaction ended, so does a copy', async (t) => {
  const p = pair();
  const toA = { protocol: 'udp', host: '127.0.0.1', port: 5060 } as const;
  p.a.request(request('INVITE', { uri: 'sip:bob@127.0.0.2:5070' }), p.toB, {});
  await p.run(10);
  const got = p.userB.requests[0]!.req;
  await p.tb.sendRequest(bounce(got, { uri: 'sip:carol@127.0.0.1:5060' }), toA);
  await p.run(10);
  t.equal(p.userA.requests.length, 1, 'a retargeted copy is served');
  t.same(times(p.wire(), /^SIP\/2.0 482/), []);
  // Our INVITE is answered 486 and its transaction ends (Timer D), as does the spiral's (Timer H, nobody ACKs
  // the raw 486): the same request is then a new one, neither looped nor merged.
  p.userB.requests[0]!.tx.respond(makeResponse(got, 486));
  p.userA.requests[0]!.tx.respond(makeResponse(p.userA.requests[0]!.req, 486));
  await p.run(33_000);
  await p.tb.sendRequest(bounce(got, { branch: 'z9hG4bKproxy2' }), toA);
  await p.run(10);
  t.equal(p.userA.requests.length, 2);
  t.same(times(p.wire(), /^SIP\/2.0 482/), []);
});

t.test('a transport error on send reaches the TU once and nothing is sent afterwards', async (t) => {
  const p = pair();
  p.net.setConditions(A, B, { fail: () => true });
  const log = clientLog();
  const tx = p.a.request(request('OPTIONS'), p.toB, log.handlers);
  await p.run(5000);
  t.same(log.events, ['transportError']);
  t.equal(tx.state, 'terminated');
  t.equal(p.net.log.length, 1);
  t.equal(p.clock.pending, 0, 'no timer left');
});

t.test('after bad input the layer keeps serving', async (t) => {
  let calls = 0;
  const p = pair({
    answer: (tx, req) => {
      calls++;
      if (calls === 1) throw new Error('TU bug');
      tx.respond(makeResponse(req, 200));
    },
  });
  // A response with no branch: a stray, not a crash.
  const stray = response(request('OPTIONS'), 200);
  stray.headers.set('Via', 'SIP/2.0/UDP 127.0.0.1:5060');
  await p.tb.sendResponse(stray);
  // An RFC 2543 request (no cookie) and a request whose TU throws.
  await p.ta.sendRequest(request('OPTIONS', { branch: '2543style', callId: 'x@y' }), p.toB);
  await p.run(10);
  t.equal(p.userA.strays.length, 1);
  const log = clientLog();
  p.a.request(request('OPTIONS', { callId: 'z@y' }), p.toB, log.handlers);
  await p.drain();
  t.same(log.responses, [200]);
  t.equal(calls, 2);
});
