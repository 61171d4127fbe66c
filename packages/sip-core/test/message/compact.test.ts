/**
 * SipMessage.compact(): a message kept long (a call's INVITE, its ACK) holds only its octets until it is read again.
 * - a parsed message keeps the octets it came in: serializing it returns them without parsing again
 * - reading any header, the Request-URI or the body gives what it gave before; the body is cut from the octets
 * - a built message keeps its header section as text and its body as the same object
 * - a change (header, body, start line) reads the message again first, so nothing else is lost
 * - a message whose octets would not parse (a header value with a line break) is refused and left as it was
 */
import t from 'tap';
import { SipRequest, SipResponse } from '../../src/message/message.js';
import { parseMessage } from '../../src/message/parse.js';
import { messageToString, serializeMessage } from '../../src/message/serialize.js';
import { parseUri } from '../../src/message/uri.js';

const SDP = 'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.1:5060>',
  'Content-Type: application/sdp',
  `Content-Length: ${SDP.length}`,
  '',
  SDP,
].join('\r\n');

t.test('a parsed message keeps the octets it came in and reads the same afterwards', async (t) => {
  const bytes = Buffer.from(INVITE);
  const m = parseMessage(bytes) as SipRequest;
  t.ok(m.compact());
  t.ok(m.isCompact);
  t.equal(serializeMessage(m), bytes, 'the very octets it came in, not parsed again');
  t.ok(m.isCompact);
  t.equal(Buffer.from(m.body).toString(), SDP, 'the body is cut from the octets');
  t.ok(m.isCompact, 'reading the body does not parse it again');
  t.equal(m.method, 'INVITE');
  t.equal(m.uri.toString(), 'sip:bob@example.com');
  t.notOk(m.isCompact, 'the Request-URI is read from the octets again');
  t.equal(m.from.tag, '1928301774');
  t.equal(m.cseq.seq, 314159);
  t.equal(m.headers.get('contact'), '<sip:alice@192.0.2.1:5060>');
});

t.test('a built message keeps its header section as text and its body as it is', async (t) => {
  const body = Buffer.from(SDP);
  const m = new SipRequest({
    method: 'ACK',
    uri: parseUri('sip:bob@192.0.2.4'),
    headers: [['Via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKack1'], ['From', '<sip:a@b>;tag=1'], ['To', '<sip:b@c>;tag=2'], ['Call-ID', 'x'], ['CSeq', '1 ACK'], ['Max-Forwards', '70'], ['Content-Type', 'application/sdp']],
    body,
  });
  const wire = messageToString(m);
  t.ok(m.compact());
  t.equal(m.body, body, 'the same body object');
  t.equal(messageToString(m), wire);
  t.ok(m.isCompact);
  t.equal(m.headers.get('call-id'), 'x');
  t.equal(m.uri.toString(), 'sip:bob@192.0.2.4');
  t.equal(m.body, body, 'still the same body object once read again');
  t.equal(messageToString(m), wire);
});

t.test('a change to a compacted message reads it again first: nothing else is lost', async (t) => {
  const m = parseMessage(Buffer.from(INVITE)) as SipRequest;
  m.compact();
  m.uri = parseUri('sip:carol@example.com');
  t.match(messageToString(m), /^INVITE sip:carol@example\.com SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bK776asdhds\r\n/);
  m.compact();
  m.body = Buffer.from('v=0\r\n');
  t.match(messageToString(m), /Call-ID: a84b4c76e66710@pc33\.example\.com\r\n[\s\S]*Content-Length: 5\r\n\r\nv=0\r\n$/);
  const r = new SipResponse({ status: 183, headers: [['Via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'], ['From', '<sip:a@b>;tag=1'], ['To', '<sip:b@c>;tag=2'], ['Call-ID', 'x'], ['CSeq', '1 INVITE']] });
  r.compact();
  t.equal(r.reason, 'Session Progress');
  r.status = 180;
  t.match(messageToString(r), /^SIP\/2\.0 180 Session Progress\r\nVia: /);
});

t.test('octets that would not parse are refused: the message stays as it was', async (t) => {
  const m = new SipRequest({ method: 'OPTIONS', uri: parseUri('sip:b@c'), headers: [['Via', 'SIP/2.0/UDP h;branch=z9hG4bK2'], ['From', '<sip:a@b>;tag=1'], ['To', '<sip:b@c>'], ['Call-ID', 'y'], ['CSeq', '1 OPTIONS'], ['Subject', 'two\r\nlines']] });
  t.notOk(m.compact());
  t.notOk(m.isCompact);
  t.equal(m.headers.get('subject'), 'two\r\nlines');
});
