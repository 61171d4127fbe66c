/**
 * The common forms (the parser's regular-expression fast path) read values
 * exactly as the full hand-written parser does, over values generated from the grammar:
 * - a Via line in its common form gives the same Via as the full parser
 * - a name-addr in its common form gives the same display name, URI parts and parameters
 * - a SIP URI the common form accepts is accepted by the full scanner, with the same parts
 * - the forms really are taken (the common shapes the bench messages use match)
 * A leading space (which both parsers allow, and no common form does) sends the
 * same value through the full parser.
 */
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import fc from 'fast-check';
import { type FromTo, type NameAddr, type SipUri, type Uri, type Via, parseNameAddrList, parseUri, parseViaList } from '../../src/index.js';
import { parseFrom, parseTo } from '../../src/message/header-values.js';
import { COMMON_NAME_ADDR, COMMON_SIP_URI, COMMON_VIA } from '../../src/message/common-forms.js';
import { scanSipUri } from '../../src/message/uri.js';
import { nameAddr, sipUri, via } from './fixtures/arbitraries.js';

function uriView(u: Uri) {
  if (u.kind !== 'sip') return [u.toString()];
  const s = u as SipUri;
  return [s.toString(), s.scheme, s.user, s.password, s.host, s.port, [...s.params], [...s.headers]];
}
const viaView = (v: Via) => [v.protocolName, v.protocolVersion, v.transport, v.host, v.port, [...v.params], v.branch, v.received, v.rport, v.maddr, v.ttl];
const naView = (n: NameAddr) => [n.displayName, uriView(n.uri), [...n.params]];

/** The outcome of a parse as data: the value, or the error's class. */
function outcome<T>(f: () => T, view: (x: T) => unknown): unknown {
  try {
    return view(f());
  } catch (e) {
    return (e as Error).name;
  }
}

t.test('the common forms match the shapes real traffic uses', async (t) => {
  t.ok(COMMON_VIA.test('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK0f1e2d3c4b5a6;rport'));
  t.ok(COMMON_NAME_ADDR.test('"Mario Rossi" <sip:+390212345678@192.0.2.20>;tag=2198364~7c1a9f2e'));
  t.ok(COMMON_NAME_ADDR.test('<sip:+390212345678@192.0.2.20:5060;transport=udp>;+u.sip!devicename.ccm.cisco.com="SEP001122334455"'));
  t.ok(COMMON_SIP_URI.test('sip:+390212345678@192.0.2.20:5060;transport=udp'));
  t.notOk(COMMON_SIP_URI.test('sip:[2001:db8::1]:5060'), 'IPv6 takes the full parser');
  t.notOk(COMMON_VIA.test('SIP/2.0/UDP a ;branch=x'), 'white space around ";" takes the full parser');
});

/** Checks that every generated value reads the same both ways; returns how many took the common form. */
function agree<T>(values: fc.Arbitrary<string>, form: RegExp, read: (line: string) => T): number {
  let common = 0;
  fc.assert(
    fc.property(values, (line) => {
      if (form.test(line)) common++;
      return isDeepStrictEqual(read(line), read(' ' + line));
    }),
    { numRuns: 1000 },
  );
  return common;
}

/** Without the optional white space the generator puts around "/" (so that the common form can match). */
const tightVia = via.map((v) => v.replace(/^SIP[ \t]*\/2\.0\/[ \t]*/, 'SIP/2.0/'));

t.test('a Via line reads the same through the common form and the full parser', async (t) => {
  const common = agree(tightVia, COMMON_VIA, (line) => outcome(() => parseViaList([line]), (vs) => vs.map(viaView)));
  t.ok(common > 20, `the common form was taken ${common} times in 1000`);
});

t.test('a name-addr reads the same through the common form and the full parser', async (t) => {
  const common = agree(nameAddr, COMMON_NAME_ADDR, (line) => outcome(() => parseNameAddrList([line], 'To'), (ns) => ns.map(naView)));
  t.ok(common > 20, `the common form was taken ${common} times in 1000`);
});

t.test('a SIP URI the common form accepts, the full scanner accepts', async (t) => {
  const candidates = fc.oneof(
    sipUri,
    sipUri.map((u) => u.replace(/%[0-9A-F]{2}/g, '')),
    fc.string({ unit: fc.constantFrom(...'sip:@;=.-_!~*()&+$,?/[]x1%'.split('')), maxLength: 30 }).map((s) => 'sip:' + s),
  );
  let common = 0;
  fc.assert(
    fc.property(candidates, (text) => {
      if (!COMMON_SIP_URI.test(text)) return true;
      common++;
      scanSipUri(text, text.indexOf(':') + 1, 'uri', true);
      // The parts are built from the text either way; building them must not throw.
      return uriView(parseUri(text)).length > 1;
    }),
    { numRuns: 1000 },
  );
  t.ok(common > 20, `the common form was taken ${common} times in 1000`);
});

/**
 * Parameters that the fast paths pick out of the text without splitting it (Via's branch,
 * received, rport, maddr, ttl; From/To's tag): any case, given twice, as flags, with numbers,
 * tokens or quoted values, so that the first one wins and a bad one is refused the same way.
 */
const specialName = fc.constantFrom('branch', 'BRANCH', 'Branch', 'received', 'Received', 'rport', 'RPORT', 'maddr', 'ttl', 'TTL', 'tag', 'TAG', 'Tag', 'ta', 'tags', 'x');
const specialValue = fc.option(fc.oneof(fc.constantFrom('0', '1', '255', '256', '5060', '65536', 'abc', 'z9hG4bK.1', '"q"', '192.0.2.1')), { nil: undefined });
const specialParams = fc.array(fc.tuple(specialName, specialValue).map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)), { maxLength: 4 }).map((p) => p.join(''));

t.test('Via parameters picked out of the text read as the full parser reads them', async (t) => {
  const lines = fc.tuple(fc.constantFrom('SIP/2.0/UDP 192.0.2.10:5060', 'SIP/2.0/TCP pbx.example.com'), specialParams).map(([v, p]) => v + p);
  const common = agree(lines, COMMON_VIA, (line) => outcome(() => parseViaList([line]), (vs) => vs.map(viaView)));
  t.ok(common > 500, `the common form was taken ${common} times in 1000`);
});

t.test('a From/To tag picked out of the text reads as the full parser reads it', async (t) => {
  const ftView = (f: FromTo) => [f.displayName, uriView(f.uri), f.tag, [...f.params]];
  const lines = fc.tuple(fc.constantFrom('<sip:1000@192.0.2.10>', '"a>b;tag=no" <sip:2000@192.0.2.20>', 'Bob <sip:b@example.com>'), specialParams).map(([a, p]) => a + p);
  const common = agree(lines, COMMON_NAME_ADDR, (line) => outcome(() => parseFrom([line]), ftView));
  t.ok(common > 500, `the common form was taken ${common} times in 1000`);
  t.equal(parseTo(['"a>b;tag=no" <sip:2000@192.0.2.20>;x;TAG=yes;tag=later']).tag, 'yes', 'the first tag, after the ">" that closes the URI');
});
