/**
 * RFC 5118 (SIP torture tests for IPv6), §4, messages written from the RFC text:
 * - 4.1 an IPv6 reference in the Request-URI, Via and Contact is accepted
 * - 4.2 an IPv6 address without brackets in the Request-URI is refused
 * - 4.3 [2001:db8::10:5070] is an address without a port
 * - 4.4 [2001:db8::10]:5070 has port 5070
 * - 4.5 Via received= with and without brackets are both accepted
 * - 4.6/4.8 IPv6 in SDP is body, kept byte for byte
 * - 4.7 IPv4 and IPv6 mixed in Via and Route
 * - 4.9 IPv4-mapped IPv6 addresses
 * - 4.10 "::" before an embedded IPv4 address is valid, ":::" (the RFC 3261 ABNF flaw) is not
 */
import t from 'tap';
import { SipParseError, type SipRequest, type SipUri, parseMessage, serializeMessage } from '../../src/index.js';

function register(ruri: string, extra: string[] = [], body = ''): string {
  return [
    `REGISTER ${ruri} SIP/2.0`,
    'To: sip:user@example.com',
    'From: sip:user@example.com;tag=81x2',
    'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
    'Call-ID: SSG9559905523997077@hlau_4100',
    'Max-Forwards: 70',
    'CSeq: 98176 REGISTER',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
const ruri = (m: string) => (parseMessage(m) as SipRequest).uri as SipUri;

t.test('4.1: a valid IPv6 reference in Request-URI, Via and Contact is accepted', async (t) => {
  const m = parseMessage(register('sip:[2001:db8::10]', ['Contact: "Caller" <sip:caller@[2001:db8::1]>'])) as SipRequest;
  const u = m.uri as SipUri;
  t.equal(u.host, '[2001:db8::10]');
  t.equal(u.hostname, '2001:db8::10');
  t.equal(u.port, undefined);
  t.equal(m.via[0]!.host, '[2001:db8::9:1]');
  const c = m.contact;
  t.equal(c !== '*' && (c[0]!.uri as SipUri).host, '[2001:db8::1]');
});

t.test('4.2: an IPv6 address without brackets in the Request-URI is refused', async (t) => {
  t.throws(() => parseMessage(register('sip:2001:db8::10')), SipParseError);
});

t.test('4.3: [2001:db8::10:5070] is an address, not a port', async (t) => {
  const u = ruri(register('sip:[2001:db8::10:5070]'));
  t.equal(u.host, '[2001:db8::10:5070]');
  t.equal(u.port, undefined);
});

t.test('4.4: [2001:db8::10]:5070 has port 5070', async (t) => {
  const u = ruri(register('sip:[2001:db8::10]:5070'));
  t.equal(u.host, '[2001:db8::10]');
  t.equal(u.port, 5070);
});

t.test('4.5: received= in Via with and without brackets is accepted', async (t) => {
  for (const rcv of ['[2001:db8::9:255]', '2001:db8::9:255']) {
    const m = parseMessage(
      register('sip:[2001:db8::10]').replace(
        'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
        `Via: SIP/2.0/UDP [2001:db8::9:1];received=${rcv};branch=z9hG4bKas3-111`,
      ),
    );
    t.equal(m.via[0]!.received, rcv);
    t.equal(m.via[0]!.branch, 'z9hG4bKas3-111');
  }
});

t.test('4.6 and 4.8: IPv6 addresses in SDP are body, relayed byte for byte', async (t) => {
  const sdp = 'v=0\r\no=assistant 971731711378798081 0 IN IP6 2001:db8::20\r\ns=-\r\nc=IN IP6 2001:db8::20\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n';
  const m = parseMessage(register('sip:[2001:db8::10]', ['Content-Type: application/sdp'], sdp));
  t.equal(Buffer.from(m.body).toString(), sdp);
  t.equal(Buffer.from(parseMessage(serializeMessage(m)).body).toString(), sdp);
});

t.test('4.7: IPv4 and IPv6 mixed in Via and Route', async (t) => {
  const m = parseMessage(
    register('sip:[2001:db8::10]', [
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKas3-222',
      'Route: <sip:[2001:db8::9:255];lr>, <sip:192.0.2.2;lr>',
    ]),
  );
  t.same(m.via.map((v) => v.host), ['[2001:db8::9:1]', '192.0.2.1']);
  t.same(m.route.map((r) => (r.uri as SipUri).host), ['[2001:db8::9:255]', '192.0.2.2']);
});

t.test('4.9: IPv4-mapped IPv6 addresses are accepted', async (t) => {
  const m = parseMessage(
    register('sip:[::ffff:192.0.2.10]', ['Contact: <sip:caller@[::ffff:192.0.2.10]:19823>']).replace(
      '[2001:db8::9:1];',
      '[::ffff:192.0.2.10]:19823;',
    ),
  );
  t.equal(m.via[0]!.host, '[::ffff:192.0.2.10]');
  t.equal(m.via[0]!.port, 19823);
  const c = m.contact;
  t.equal(c !== '*' && (c[0]!.uri as SipUri).port, 19823);
});

t.test('4.10: "::" before an IPv4 tail is valid; ":::" from the RFC 3261 ABNF flaw is refused', async (t) => {
  t.equal(ruri(register('sip:[2001:db8::192.0.2.1]')).host, '[2001:db8::192.0.2.1]');
  t.throws(() => parseMessage(register('sip:[2001:db8:::192.0.2.1]')), SipParseError);
  const m = parseMessage(register('sip:[2001:db8::10]', ['Contact: <sip:caller@[2001:db8:::192.0.2.1]>']));
  t.throws(() => m.contact, SipParseError, 'in a Contact: refused at its first read');
});
