/**
 * Properties of the message layer over messages generated from the grammar:
 * - generated messages parse, and parse(serialize(parse(x))) equals parse(x)
 * - compact(): a parsed message, and one changed since, read the same and serialize to the same octets afterwards
 * - parsing arbitrary bytes throws nothing but SipParseError
 * - mutations of valid messages (truncation, bit flips, duplicated or deleted
 *   lines) throw nothing but SipParseError, at parse or at any accessor's read
 */
import t from 'tap';
import fc from 'fast-check';
import { SipParseError, parseMessage, serializeMessage, type SipMessage } from '../../src/index.js';
import { message } from './fixtures/arbitraries.js';

const ACCESSORS = [
  'via', 'from', 'to', 'callId', 'cseq', 'maxForwards', 'contentLength', 'contact', 'route', 'recordRoute',
  'contentType', 'expires', 'event', 'subscriptionState', 'allow', 'supported', 'require', 'proxyRequire',
  'unsupported', 'sessionExpires', 'minSE', 'reasons', 'diversion', 'pAssertedIdentity', 'remotePartyId', 'date', 'retryAfter',
] as const;

/** Everything a reader can see of a message, as plain data. */
function view(m: SipMessage) {
  const c = m.contact;
  return {
    start: m.kind === 'request' ? [m.method, m.uri.toString()] : [m.status, m.reason],
    via: m.via.map((v) => [v.transport, v.host, v.port, [...v.params]]),
    from: [m.from.displayName, m.from.uri.toString(), [...m.from.params]],
    to: [m.to.displayName, m.to.uri.toString(), [...m.to.params]],
    callId: m.callId,
    cseq: m.cseq,
    maxForwards: m.maxForwards,
    contact: c === '*' ? c : c.map((x) => [x.displayName, x.uri.toString(), [...x.params]]),
    headers: [...m.headers.entries()].filter(([n]) => !/^(content-length|l)$/i.test(n)),
    body: Buffer.from(m.body).toString('hex'),
  };
}

/** Parse and read every accessor; only SipParseError may come out. */
function parseAndReadAll(bytes: Uint8Array): void {
  let m: SipMessage;
  try {
    m = parseMessage(bytes);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw e;
    return;
  }
  for (const a of ACCESSORS) {
    try {
      void (m as unknown as Record<string, unknown>)[a];
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
  serializeMessage(m);
}

t.test('generated messages parse, and parse(serialize(parse(x))) equals parse(x)', async (t) => {
  fc.assert(
    fc.property(message, (bytes) => {
      const m = parseMessage(bytes);
      const again = parseMessage(serializeMessage(m));
      t.same(view(again), view(m));
      return true;
    }),
    { numRuns: 300 },
  );
});

t.test('compact() keeps what a reader sees and what goes on the wire, parsed or changed since', async (t) => {
  fc.assert(
    fc.property(message, (bytes) => {
      const m = parseMessage(bytes);
      for (const change of [() => {}, () => m.headers.append('X-Changed', 'yes')]) {
        change();
        const seen = view(m);
        const wire = serializeMessage(m);
        t.ok(m.compact());
        t.ok(serializeMessage(m).equals(wire) && m.isCompact, 'serializing a compacted message does not parse it again');
        t.same(view(m), seen);
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

t.test('parsing arbitrary bytes throws only SipParseError', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => parseAndReadAll(b)), { numRuns: 2000 });
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => parseAndReadAll(Buffer.from('INVITE sip:a@b SIP/2.0\r\n' + s + '\r\n\r\n'))),
    { numRuns: 1000 },
  );
});

t.test('mutations of valid messages throw only SipParseError', async () => {
  const truncate = fc.tuple(message, fc.double({ min: 0, max: 1, noNaN: true })).map(([b, f]) => b.subarray(0, Math.floor(b.length * f)));
  const flip = fc.tuple(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 5 })).map(([b, flips]) => {
    const c = Buffer.from(b);
    for (const [i, bit] of flips) c[i % c.length]! ^= 1 << bit;
    return c;
  });
  const lines = fc.tuple(message, fc.nat(), fc.nat(), fc.boolean()).map(([b, i, j, dup]) => {
    const text = b.toString('latin1').split('\r\n');
    const k = i % text.length;
    if (dup) text.splice(j % text.length, 0, text[k]!);
    else text.splice(k, 1);
    return Buffer.from(text.join('\r\n'), 'latin1');
  });
  fc.assert(fc.property(fc.oneof(truncate, flip, lines), (b) => parseAndReadAll(b)), { numRuns: 3000 });
});
