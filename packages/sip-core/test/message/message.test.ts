/**
 * The message API:
 * - Headers: case-insensitive and compact names, list splitting that respects
 *   quotes and <>, set/append/prepend/removeFirst/delete keep order and drop the typed cache
 * - building requests and responses in code; serialization fixes Content-Length,
 *   keeps header order and unknown headers verbatim
 * - typed accessors: Via (received, rport, maddr, ttl), Contact "*" / expires / q,
 *   Event, Subscription-State, Content-Type, Session-Expires, Reason, Diversion,
 *   P-Asserted-Identity, Remote-Party-ID, Allow/Supported/Require, Expires, Date
 * - a malformed optional header throws at its read, each time, and not at parse
 * - errorResponseFor: 400 copies Via/From/To/Call-ID/CSeq; nothing for ACK or responses
 * - URIs: toString gives back the text; formatting from parts escapes; equality per §19.1.4
 */
import t from 'tap';
import {
  Headers,
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  errorResponseFor,
  formatVia,
  makeVia,
  parseMessage,
  parseUri,
  serializeMessage,
  uriEquals,
} from '../../src/index.js';

const base = [
  'INVITE sip:1000@192.0.2.10 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK1;rport=5062;received=192.0.2.21;maddr=192.0.2.99;ttl=16',
  'v: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK2, SIP/2.0/UDP b.example.com;branch=z9hG4bK3',
  'f: "Rossi, Mario" <sip:+3902123@192.0.2.20;user=phone>;tag=abc',
  't: <sip:1000@192.0.2.10>',
  'i: call-1@192.0.2.20',
  'CSeq: 101 INVITE',
  'Max-Forwards: 70',
  'm: <sip:+3902123@192.0.2.20:5060;transport=udp>;expires=60;q=0.5, "Desk" <sip:81000@192.0.2.20>',
  'Event: presence;id=7',
  'Subscription-State: active;expires=3600',
  'c: application/sdp;charset=utf-8',
  'x: 1800;refresher=uac',
  'Min-SE: 90',
  'Reason: Q.850;cause=16;text="Normal call clearing", SIP;cause=487',
  'Diversion: <sip:1099@192.0.2.20>;reason=unconditional;counter=1',
  'P-Asserted-Identity: "Mario" <sip:+3902123@192.0.2.20>, <tel:+3902123>',
  'Remote-Party-ID: "Mario" <sip:+3902123@192.0.2.20>;party=calling;screen=yes;privacy=off',
  'Allow: INVITE, ACK, BYE',
  'k: timer, 100rel',
  'Require: timer',
  'Expires: 180',
  'Date: Thu, 03 Dec 2026 16:00:00 GMT',
  'X-Unknown:   kept, verbatim ;as=is',
  'Content-Length: 5',
  '',
  'v=0\r\n',
].join('\r\n');

t.test('headers are found by any case and by compact form', async (t) => {
  const m = parseMessage(base);
  t.equal(m.headers.get('VIA'), 'SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK1;rport=5062;received=192.0.2.21;maddr=192.0.2.99;ttl=16');
  t.equal(m.headers.getAll('v').length, 3, 'two values on one line are two values');
  t.equal(m.headers.get('call-id'), 'call-1@192.0.2.20');
  t.same(m.headers.getAll('from'), ['"Rossi, Mario" <sip:+3902123@192.0.2.20;user=phone>;tag=abc'], 'no split inside quotes');
  t.equal(m.headers.getAll('contact').length, 2);
  t.equal(m.headers.get('x-unknown'), 'kept, verbatim ;as=is', 'unknown headers are never split');
  t.equal(m.headers.count('via'), 2);
});

t.test('typed accessors read the headers a B2BUA lives on', async (t) => {
  const m = parseMessage(base);
  const v = m.via[0]!;
  t.same([v.transport, v.host, v.port, v.branch, v.received, v.rport, v.maddr, v.ttl], ['UDP', '192.0.2.20', 5060, 'z9hG4bK1', '192.0.2.21', 5062, '192.0.2.99', 16]);
  t.equal(m.via[1]!.host, '[2001:db8::1]');
  t.equal(m.from.displayName, 'Rossi, Mario');
  t.equal((m.from.uri as SipUri).param('user'), 'phone');
  t.equal(m.from.tag, 'abc');
  t.equal(m.to.tag, undefined);
  const c = m.contact;
  if (c === '*') return t.fail('contact');
  t.same([c[0]!.expires, c[0]!.q, c[1]!.displayName], [60, 0.5, 'Desk']);
  t.same(m.event, { type: 'presence', id: '7', params: m.event!.params });
  t.equal(m.subscriptionState?.state, 'active');
  t.equal(m.subscriptionState?.expires, 3600);
  t.equal(m.contentType?.mediaType, 'application/sdp');
  t.equal(m.contentType?.params.get('charset'), 'utf-8');
  t.same([m.sessionExpires?.deltaSeconds, m.sessionExpires?.refresher, m.minSE], [1800, 'uac', 90]);
  t.same(m.reasons.map((r) => [r.protocol, r.cause, r.text]), [['Q.850', 16, 'Normal call clearing'], ['SIP', 487, undefined]]);
  t.equal(m.diversion[0]!.params.get('reason'), 'unconditional');
  t.same(m.pAssertedIdentity.map((p) => p.uri.scheme), ['sip', 'tel']);
  t.equal(m.remotePartyId[0]!.params.get('party'), 'calling');
  t.same(m.allow, ['INVITE', 'ACK', 'BYE']);
  t.same(m.supported, ['timer', '100rel']);
  t.same(m.require, ['timer']);
  t.equal(m.expires, 180);
  t.equal(m.date?.toISOString(), '2026-12-03T16:00:00.000Z');
  t.equal(Buffer.from(m.body).toString(), 'v=0\r\n');
});

t.test('Contact: * and missing headers', async (t) => {
  const m = parseMessage(base.replace(/m: [^\r]*/, 'm: *'));
  t.equal(m.contact, '*');
  const n = parseMessage(base.replace(/Event: [^\r]*\r\n/, ''));
  t.equal(n.event, undefined);
});

t.test('a malformed optional header throws at each read, not at parse', async (t) => {
  const m = parseMessage(base.replace('Expires: 180', 'Expires: soon').replace('x: 1800;refresher=uac', 'x: 1800;refresher=nobody'));
  t.throws(() => m.expires, SipParseError);
  t.throws(() => m.expires, SipParseError);
  t.throws(() => m.sessionExpires, SipParseError);
  t.equal(m.callId, 'call-1@192.0.2.20');
});

t.test('changing headers drops the cached typed value', async (t) => {
  const m = parseMessage(base);
  t.equal(m.via.length, 3);
  m.headers.removeFirst('via');
  t.equal(m.via.length, 2);
  t.equal(m.via[0]!.branch, 'z9hG4bK2');
  m.headers.removeFirst('via');
  t.equal(m.via.length, 1, 'the rest of a shared line stays');
  m.headers.prepend('Via', formatVia(makeVia({ transport: 'udp', host: '127.0.0.1', port: 5060, branch: 'z9hG4bKnew', rport: true })));
  t.equal(m.topVia?.branch, 'z9hG4bKnew');
  t.equal(m.topVia?.rport, true);
  m.headers.set('Max-Forwards', '69');
  t.equal(m.maxForwards, 69);
  t.equal(m.headers.delete('date'), 1);
  t.equal(m.date, undefined);
  // The headers parseMessage checks keep their typed values by position: changes by any name reach them too.
  const from = m.from;
  t.equal(m.headers.parsed('from', () => 'not read again'), from, 'one typed value per header, whichever way it is asked for');
  m.headers.set('f', '<sip:new@example.com>;tag=n1');
  t.equal(m.from.tag, 'n1', 'changed by its compact form');
  t.equal(m.contentLength, 5);
  m.headers.delete('l');
  t.equal(m.contentLength, undefined, 'deleted by its compact form');
  m.headers.append('Content-Length', '12');
  t.equal(m.contentLength, 12);
});

t.test('serialization fixes Content-Length and keeps order and unknown headers', async (t) => {
  const m = parseMessage(base);
  m.body = Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const text = serializeMessage(m).toString();
  t.match(text, new RegExp(`\r\nContent-Length: ${m.body.byteLength}\r\n\r\nv=0`));
  t.match(text, /X-Unknown: kept, verbatim ;as=is\r\n/);
  const names = [...m.headers.entries()].map(([n]) => n);
  const again = parseMessage(text);
  t.same([...again.headers.entries()].map(([n]) => n), names);
});

t.test('requests and responses built in code', async (t) => {
  const req = new SipRequest({
    method: 'OPTIONS',
    uri: parseUri('sip:127.0.0.1:5080'),
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx'],
      ['From', '<sip:ima@127.0.0.1>;tag=1'],
      ['To', '<sip:127.0.0.1:5080>'],
      ['Call-ID', 'opt-1'],
      ['CSeq', '1 OPTIONS'],
      ['Max-Forwards', '70'],
    ],
  });
  const text = serializeMessage(req).toString();
  t.match(text, /^OPTIONS sip:127.0.0.1:5080 SIP\/2.0\r\n/);
  t.match(text, /Content-Length: 0\r\n\r\n$/, 'added when absent');
  t.equal(parseMessage(text).cseq.method, 'OPTIONS');
  const res = new SipResponse({ status: 486, headers: new Headers(req.headers.entries() as unknown as [string, string][]) });
  t.equal(res.reason, 'Busy Here');
  t.match(serializeMessage(res).toString(), /^SIP\/2.0 486 Busy Here\r\n/);
});

t.test('errorResponseFor: a 400 that copies what can be read', async (t) => {
  const raw = base.replace('CSeq: 101 INVITE', 'CSeq: 101 BYE');
  let err: SipParseError | undefined;
  try {
    parseMessage(raw);
  } catch (e) {
    err = e as SipParseError;
  }
  t.ok(err);
  const res = errorResponseFor(raw, err!)!;
  t.equal(res.status, 400);
  t.match(res.reason, /^Bad Request - CSeq/);
  t.equal(res.headers.count('via'), 2);
  t.equal(res.headers.get('call-id'), 'call-1@192.0.2.20');
  t.equal(res.headers.get('cseq'), '101 BYE');
  t.equal(errorResponseFor(raw.replace('INVITE sip', 'ACK sip'), err!), undefined, 'ACK is never answered');
  t.equal(errorResponseFor('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a\r\n\r\n', err!), undefined, 'responses are never answered');
  t.equal(errorResponseFor('INVITE sip:a@b SIP/2.0\r\nFrom: x\r\n\r\n', err!), undefined, 'no Via, no way back');
});

t.test('URIs: toString gives back the text, parts are escaped, equality per RFC 3261 §19.1.4', async (t) => {
  const text = 'sip:%61lice@Example.COM;transport=udp;lr?subject=project%20x';
  const u = parseUri(text) as SipUri;
  t.equal(u.toString(), text);
  t.equal(u.user, 'alice');
  t.equal(u.headers.get('subject'), 'project x');
  t.ok(uriEquals(u, parseUri('sip:alice@example.com;lr;transport=UDP?subject=project%20x')));
  t.notOk(uriEquals(u, parseUri('sip:Alice@example.com;transport=udp?subject=project%20x')), 'user is case-sensitive');
  t.notOk(uriEquals(parseUri('sip:a@h'), parseUri('sip:a@h;transport=tcp')), 'transport must match if either has it');
  t.equal(new SipUri({ scheme: 'sip', user: 'a b@c', host: 'h', port: 5060, params: new Map([['lr', null]]) }).toString(), 'sip:a%20b%40c@h:5060;lr');
  t.equal(u.with({ port: 5070 }).toString(), 'sip:alice@Example.COM:5070;transport=udp;lr?subject=project%20x');
  t.throws(() => parseUri('sip:a@h:99999'), SipParseError);
  t.throws(() => parseUri('sip:a b@h'), SipParseError);
  t.equal(parseUri('tel:+39-02-1234;phone-context=+39').toString(), 'tel:+39-02-1234;phone-context=+39');
  t.throws(() => parseUri('tel:abc'), SipParseError);
});
