/**
 * Header policy:
 * - the default policy carries identity, diversion and session-timer headers,
 *   and never the ones that belong to one dialog or hop, nor credentials
 * - a custom policy from names as people write them (compact forms too)
 * - Max-Forwards: one less; 0 -> 483; absent -> 69
 * - Diversion (RFC 5806): names the manager, reason, counter one above upstream's
 * - a display name for the callee replaces the name in every identity value, URIs and parameters kept
 */
import t from 'tap';
import { parseMessage, type SipRequest } from '@ima/sip-core';
import { crossingHeaders, diversionFor, nextHop, policyOf, withDisplayName } from '../src/header-policy.js';

const invite = (extra: string[] = [], mf = 'Max-Forwards: 70') =>
  parseMessage(
    [
      'INVITE sip:1000@192.0.2.10 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bK1',
      'From: "Mario" <sip:+3902123@192.0.2.20>;tag=a',
      'To: <sip:1000@192.0.2.10>',
      'Call-ID: c1',
      'CSeq: 1 INVITE',
      mf,
      'Contact: <sip:+3902123@192.0.2.20>',
      'Record-Route: <sip:192.0.2.20;lr>',
      'P-Asserted-Identity: "Mario" <sip:+3902123@192.0.2.20>',
      'Remote-Party-ID: "Mario" <sip:+3902123@192.0.2.20>;party=calling',
      'x: 1800',
      'Authorization: Digest username="a"',
      'User-Agent: Cisco-CUCM14.0',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].filter((l) => l !== '').join('\r\n') + '\r\n\r\n',
  ) as SipRequest;

t.test('the default policy carries identity and session timers, never per-dialog headers or credentials', async (t) => {
  const names = crossingHeaders(invite(['Diversion: <sip:1099@192.0.2.20>;reason=unconditional'])).map(([n]) => n.toLowerCase());
  t.same(names, ['p-asserted-identity', 'remote-party-id', 'x', 'user-agent', 'diversion']);
  for (const never of ['via', 'contact', 'record-route', 'authorization', 'call-id', 'cseq', 'max-forwards']) t.notOk(names.includes(never), never);
});

t.test('a custom policy, from names as people write them', async (t) => {
  const names = crossingHeaders(invite(), policyOf(['Session-Expires', 'User-Agent', 'Via'])).map(([n]) => n);
  t.same(names, ['x', 'User-Agent'], 'compact x is Session-Expires; Via never crosses');
});

t.test('Max-Forwards: one less, 0 is 483, absent counts as 70', async (t) => {
  t.same(nextHop(invite()), { ok: true, maxForwards: 69 });
  t.same(nextHop(invite([], 'Max-Forwards: 0')), { ok: false, status: 483 });
  t.same(nextHop(invite([], 'Max-Forwards: 1')), { ok: true, maxForwards: 0 });
  t.same(nextHop(invite([], 'X-Nothing: 1')), { ok: true, maxForwards: 69 });
});

t.test('Diversion names the manager, with reason and the next counter', async (t) => {
  t.equal(diversionFor(invite(), { number: '1000', host: '192.0.2.10' }, 'no-answer'), '<sip:1000@192.0.2.10>;reason=no-answer;counter=1;privacy=off');
  const upstream = invite(['Diversion: <sip:1099@192.0.2.20>;reason=unconditional;counter=2', 'Diversion: <sip:1098@192.0.2.20>;reason=user-busy']);
  t.equal(diversionFor(upstream, { number: '1000', host: '192.0.2.10', displayName: 'Alice Rossi' }, 'unconditional'), 'Alice Rossi <sip:1000@192.0.2.10>;reason=unconditional;counter=3;privacy=off');
  const bad = invite(['Diversion: <<<garbage']);
  t.match(diversionFor(bad, { number: '1000', host: 'h' }, 'user-busy'), /counter=1/, 'a malformed upstream Diversion does not stop ours');
});

t.test('a display name for the callee goes into every identity value; URIs, parameters and other headers stay', async (t) => {
  const lines = crossingHeaders(
    invite(['P-Asserted-Identity: <tel:+3902123>', 'P-Preferred-Identity: "M" <sip:m@192.0.2.20>, <tel:+3902124>', 'Remote-Party-ID: not a name-addr <<<']),
  );
  const out = withDisplayName(lines, 'Mario > Alice "A"');
  t.same(out, [
    ['P-Asserted-Identity', '"Mario > Alice \\"A\\"" <sip:+3902123@192.0.2.20>'],
    ['Remote-Party-ID', '"Mario > Alice \\"A\\"" <sip:+3902123@192.0.2.20>;party=calling'],
    ['x', '1800'],
    ['User-Agent', 'Cisco-CUCM14.0'],
    ['P-Asserted-Identity', '"Mario > Alice \\"A\\"" <tel:+3902123>'],
    ['P-Preferred-Identity', '"Mario > Alice \\"A\\"" <sip:m@192.0.2.20>, "Mario > Alice \\"A\\"" <tel:+3902124>'],
    ['Remote-Party-ID', 'not a name-addr <<<'],
  ]);
  t.same(lines.map(([, v]) => v).slice(0, 2), ['"Mario" <sip:+3902123@192.0.2.20>', '"Mario" <sip:+3902123@192.0.2.20>;party=calling'], 'the input lines are not changed');
});
