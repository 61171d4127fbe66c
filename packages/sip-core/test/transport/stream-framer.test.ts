/**
 * StreamFramer (RFC 3261 §18.3, RFC 5626 §4.4.1):
 * - a whole message in one chunk; several in one chunk; one split across chunks
 * - the same messages come out whatever the chunk boundaries (property)
 * - CRLFCRLF between messages is a ping, a lone CRLF a pong
 * - missing, malformed, conflicting or lying Content-Length: an error, not a hang
 * - a message or header section over the size limit: an error
 * - after an error, nothing more comes out (the connection must close)
 */
import t from 'tap';
import fc from 'fast-check';
import { StreamFramer, parseMessage } from '../../src/index.js';
import { message } from '../message/fixtures/arbitraries.js';

const opts = (body = '') =>
  Buffer.from(
    `OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

const messages = (evs: ReturnType<StreamFramer['push']>) => evs.filter((e) => e.type === 'message').map((e) => (e as { data: Buffer }).data.toString('latin1'));

t.test('a whole message in one chunk comes out whole', async (t) => {
  const f = new StreamFramer();
  const evs = f.push(opts('hello'));
  t.same(messages(evs), [opts('hello').toString('latin1')]);
  t.equal(f.pending, 0);
});

t.test('several messages in one chunk, and one split byte by byte', async (t) => {
  const f = new StreamFramer();
  t.equal(messages(f.push(Buffer.concat([opts('a'), opts('bb'), opts()]))).length, 3);
  const g = new StreamFramer();
  const all = opts('split');
  const out: string[] = [];
  for (const b of all) out.push(...messages(g.push(Buffer.from([b]))));
  t.same(out, [all.toString('latin1')]);
});

t.test('the same messages come out whatever the chunk boundaries', async (t) => {
  fc.assert(
    fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(400), { maxLength: 8 }), (msgs, cuts) => {
      const stream = Buffer.concat(msgs);
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const f = new StreamFramer();
      const out: string[] = [];
      let last = 0;
      for (const p of [...points, stream.length]) {
        out.push(...messages(f.push(stream.subarray(last, p))));
        last = p;
      }
      t.same(out, msgs.map((m) => m.toString('latin1')));
      for (const o of out) parseMessage(Buffer.from(o, 'latin1'), { stream: true });
      return true;
    }),
    { numRuns: 200 },
  );
});

t.test('keep-alives: CRLFCRLF is a ping, a lone CRLF a pong', async (t) => {
  const f = new StreamFramer();
  t.same(f.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }]);
  t.same(f.push(Buffer.from('\r\n')), [{ type: 'pong' }]);
  const evs = f.push(Buffer.concat([Buffer.from('\r\n\r\n'), opts()]));
  t.same(evs.map((e) => e.type), ['ping', 'message']);
  t.same(f.push(Buffer.from('\r\n\r')), [], 'waits to know');
  t.same(f.push(Buffer.from('\n')), [{ type: 'ping' }]);
});

t.test('a missing Content-Length is an error on a stream', async (t) => {
  const f = new StreamFramer();
  const evs = f.push(Buffer.from(opts().toString('latin1').replace('Content-Length: 0\r\n', '')));
  t.equal(evs[0]?.type, 'error');
  t.same(f.push(opts()), [], 'nothing after an error');
  t.ok(f.failed);
});

t.test('a malformed or conflicting Content-Length is an error', async (t) => {
  for (const cl of ['Content-Length: -5', 'Content-Length: abc', 'Content-Length: 0\r\nl: 4']) {
    const f = new StreamFramer();
    const evs = f.push(Buffer.from(opts().toString('latin1').replace('Content-Length: 0', cl)));
    t.equal(evs[0]?.type, 'error', cl);
  }
});

t.test('a lying Content-Length desynchronises the stream and is an error, not a hang', async (t) => {
  const f = new StreamFramer();
  // Says 10, carries 2: the next message's first octets are taken as body, then the rest is not SIP.
  const lying = Buffer.from(opts('hi').toString('latin1').replace('Content-Length: 2', 'Content-Length: 10'));
  const evs = f.push(Buffer.concat([lying, opts(), opts()]));
  t.same(evs.map((e) => e.type), ['message', 'error']);
});

t.test('over the size limit: error', async (t) => {
  const f = new StreamFramer({ maxMessageSize: 200 });
  const evs = f.push(opts('x'.repeat(300)));
  t.equal(evs[0]?.type, 'error');
  if (evs[0]?.type === 'error') t.equal(evs[0].error.code, 'SIP_ERR_MESSAGE_TOO_LARGE');
  const g = new StreamFramer({ maxMessageSize: 100 });
  const e2 = g.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X-Pad: y\r\n'.repeat(20)));
  t.equal(e2[0]?.type, 'error', 'a header section without end past the limit');
});

t.test('garbage instead of a start line is an error', async (t) => {
  const f = new StreamFramer();
  t.equal(f.push(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not sip at all, much longer than sixty-four octets in total\r\n'))[0]?.type, 'error');
});
