/**
 * Serializing a parsed message reuses its received octets while nothing changed:
 * - unchanged: the octets come back as received (folding, compact names and
 *   spacing kept), without leading CRLFs or octets past Content-Length
 * - without Content-Length the message is re-rendered (the serializer adds one)
 * - every change re-renders: each Headers mutator, method, uri, status, reason,
 *   body, the Headers object, the header encoding; deleting an absent header is no change
 * - after any sequence of changes to a generated message, serialize(m) equals
 *   the serialization of a message built in code from the same parts
 * - the body cut lazily from the input is the received body
 * - a bodiless message re-rendered keeps its header encoding (latin1 octets, UTF-8)
 */
import t from 'tap';
import fc from 'fast-check';
import {
  Headers,
  SipRequest,
  SipResponse,
  parseMessage,
  parseUri,
  serializeMessage,
  type SipMessage,
} from '../../src/index.js';
import { message } from './fixtures/arbitraries.js';

const invite = [
  'INVITE sip:1000@192.0.2.10 SIP/2.0',
  'v: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK1',
  'Max-Forwards:   70',
  'f: "Rossi" <sip:+3902123@192.0.2.20>;tag=abc',
  'To: <sip:1000@192.0.2.10>',
  'Subject: folded',
  '  over two lines',
  'i: call-1@192.0.2.20',
  'CSeq: 101 INVITE',
  'l: 5',
  '',
  'v=0\r\n',
].join('\r\n');

const ok = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK1',
  'From: <sip:a@192.0.2.20>;tag=abc',
  'To: <sip:b@192.0.2.10>;tag=def',
  'Call-ID: call-2',
  'CSeq: 1 OPTIONS',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

/** What serializeMessage writes for the same parts when it has no received octets to reuse. */
function rendered(m: SipMessage): Buffer {
  const headers = m.headers.clone();
  const copy =
    m.kind === 'request'
      ? new SipRequest({ method: m.method, uri: m.uri, headers, body: m.body })
      : new SipResponse({ status: m.status, reason: m.reason, headers, body: m.body });
  copy.headerEncoding = m.headerEncoding;
  return serializeMessage(copy);
}

t.test('an unchanged parsed message serializes as the octets received', async (t) => {
  const m = parseMessage(Buffer.from('\r\n\r\n' + invite + 'trailing octets past Content-Length'));
  t.equal(serializeMessage(m).toString(), invite, 'no leading CRLFs, nothing past Content-Length, folding and spacing kept');
  t.equal(Buffer.from(m.body).toString(), 'v=0\r\n');
  t.not(serializeMessage(m).toString(), rendered(m).toString(), 'a re-rendering would unfold and respace');
  const r = parseMessage(ok);
  t.equal(serializeMessage(r).toString(), ok);
  t.equal(r.body.byteLength, 0);
});

t.test('a message without Content-Length is re-rendered with one', async (t) => {
  const m = parseMessage(ok.replace('Content-Length: 0\r\n', ''));
  t.match(serializeMessage(m).toString(), /\r\nContent-Length: 0\r\n\r\n$/);
});

t.test('every change re-renders the message', async (t) => {
  const changes: Array<[string, (m: SipMessage) => void]> = [
    ['headers.set', (m) => m.headers.set('Max-Forwards', '69')],
    ['headers.append', (m) => m.headers.append('X-Added', 'yes')],
    ['headers.prepend', (m) => m.headers.prepend('Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtop')],
    ['headers.removeFirst', (m) => m.headers.removeFirst('via')],
    ['headers.delete', (m) => m.headers.delete('subject')],
    ['headers replaced', (m) => (m.headers = new Headers([...m.headers.entries()].slice(1)))],
    ['body', (m) => (m.body = Buffer.from('v=1\r\n'))],
    ['header encoding', (m) => (m.headerEncoding = 'latin1')],
    ['method', (m) => ((m as SipRequest).method = 'INFO')],
    ['uri', (m) => ((m as SipRequest).uri = parseUri('sip:2000@192.0.2.10'))],
  ];
  for (const [what, change] of changes) {
    const m = parseMessage(invite);
    change(m);
    t.same(serializeMessage(m), rendered(m), what);
    t.not(serializeMessage(m).toString(), invite, `${what}: not the received octets`);
  }
  for (const [what, change] of [
    ['status', (m: SipResponse) => (m.status = 202)],
    ['reason', (m: SipResponse) => (m.reason = 'Fine')],
  ] as const) {
    const m = parseMessage(ok) as SipResponse;
    change(m);
    t.same(serializeMessage(m), rendered(m), what);
    t.not(serializeMessage(m).toString(), ok, `${what}: not the received octets`);
  }
});

t.test('deleting an absent header or setting the same body changes nothing', async (t) => {
  const m = parseMessage(invite);
  t.equal(m.headers.delete('x-absent'), 0);
  m.body = m.body;
  (m as SipRequest).method = 'INVITE';
  t.equal(serializeMessage(m).toString(), invite);
});

t.test('after any changes, a generated message serializes as one built from its parts', async (t) => {
  const change = fc.oneof(
    fc.constant((m: SipMessage) => m.headers.set('Max-Forwards', '10')),
    fc.constant((m: SipMessage) => m.headers.removeFirst('via')),
    fc.constant((m: SipMessage) => m.headers.prepend('Via', 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKp')),
    fc.constant((m: SipMessage) => m.headers.append('Record-Route', '<sip:127.0.0.1;lr>')),
    fc.constant((m: SipMessage) => void m.headers.delete('call-id')),
    fc.constant((m: SipMessage) => (m.body = Buffer.from('changed'))),
    fc.constant((m: SipMessage) => {
      if (m.kind === 'request') m.uri = parseUri('sip:x@127.0.0.1');
      else m.reason = 'Changed';
    }),
  );
  fc.assert(
    fc.property(message, fc.array(change, { minLength: 1, maxLength: 3 }), (bytes, changes) => {
      const m = parseMessage(bytes);
      for (const c of changes) c(m);
      t.same(serializeMessage(m), rendered(m));
      return true;
    }),
    { numRuns: 200 },
  );
});

t.test('a bodiless message re-rendered keeps its header encoding: latin1 octets as received, UTF-8 as UTF-8', async (t) => {
  // 0xE9 alone is not UTF-8: the parser reads the header section as latin1.
  const bytes = Buffer.from(ok.replace('Call-ID: call-2', 'Subject: caf\xe9\r\nCall-ID: call-2'), 'latin1');
  const m = parseMessage(bytes);
  t.equal(m.headerEncoding, 'latin1');
  m.headers.prepend('Via', 'SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKp');
  const out = serializeMessage(m);
  t.ok(out.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a])), 'the latin1 octet comes back as one octet');
  t.equal(out.byteLength, bytes.byteLength + 'Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKp\r\n'.length);

  const built = new SipResponse({ status: 200, reason: 'OK', headers: [['Subject', 'café']] });
  const utf8 = serializeMessage(built);
  t.ok(utf8.includes(Buffer.from('Subject: café\r\n', 'utf8')), 'é is written as its two UTF-8 octets');
  t.equal(utf8.toString('utf8'), 'SIP/2.0 200 OK\r\nSubject: café\r\nContent-Length: 0\r\n\r\n');
});
