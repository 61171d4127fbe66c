/**
 * Addresses:
 * - listen specs: udp/tcp/tls with an IPv4 or bracketed IPv6 literal and a port; names, missing
 *   ports, unknown transports and bad ports are refused with a reason
 * - host:port: names allowed for peers, not for listeners; IPv6 needs brackets
 * - CIDRs: IPv4 and IPv6, bare addresses are single hosts, host bits set is refused with the network meant
 * - cidrContains matches by prefix and family
 */
import t from 'tap';
import { cidrContains, parseCidr, parseHostPort, parseListenSpec } from '../../src/config/net.js';
import type { Parsed } from '../../src/config/net.js';

const message = <T>(p: Parsed<T>): string => (p.ok ? 'ok' : p.message);

t.test('listen specs', async (t) => {
  t.same(parseListenSpec('udp://127.0.0.1:5060'), { ok: true, value: { transport: 'udp', host: '127.0.0.1', port: 5060 } });
  t.same(parseListenSpec('tcp://[::1]:5060'), { ok: true, value: { transport: 'tcp', host: '::1', port: 5060 } });
  t.same(parseListenSpec('TLS://0.0.0.0:5061'), { ok: true, value: { transport: 'tls', host: '0.0.0.0', port: 5061 } });
  t.equal(message(parseListenSpec('127.0.0.1:5060')), 'must look like udp://127.0.0.1:5060 (transport://address:port)');
  t.equal(message(parseListenSpec('sctp://127.0.0.1:5060')), 'unknown transport "sctp": use udp, tcp or tls');
  t.equal(message(parseListenSpec('udp://127.0.0.1')), 'has no port: write it as 127.0.0.1:5060 or [::1]:5060');
  t.equal(message(parseListenSpec('udp://localhost:5060')), '"localhost" is not an IP address (a name would be ambiguous to bind)');
  t.equal(message(parseListenSpec('udp://127.0.0.1:0')), 'port 0 is outside 1-65535');
  t.equal(message(parseListenSpec('udp://127.0.0.1:70000')), 'port 70000 is outside 1-65535');
  t.equal(message(parseListenSpec('udp://127.0.0.1:50a')), 'port "50a" is not a number');
  t.equal(message(parseListenSpec('udp://::1:5060')), 'an IPv6 address needs brackets, as [::1]:5060');
  t.equal(message(parseListenSpec('udp://[::1]5060')), 'unexpected "5060" after "]"');
  t.equal(message(parseListenSpec('udp://[::1:5060')), 'has "[" without "]"');
  t.equal(message(parseListenSpec('udp://[127.0.0.1]:5060')), '"127.0.0.1" in brackets is not an IPv6 address');
  t.equal(message(parseListenSpec('udp://256.1.1.1:5060')), '"256.1.1.1" is not an IPv4 address');
});

t.test('host:port', async (t) => {
  t.same(parseHostPort('pbx-1.example.com:5060', false), { ok: true, value: { host: 'pbx-1.example.com', port: 5060 } });
  t.same(parseHostPort('[2001:db8::1]:5080', false), { ok: true, value: { host: '2001:db8::1', port: 5080 } });
  t.equal(message(parseHostPort('pbx_1:5060', false)), '"pbx_1" is not a host name or IP address');
  t.equal(message(parseHostPort(':5060', false)), 'has no host: write it as pbx.example.com:5060, 127.0.0.1:5060 or [::1]:5060');
  t.equal(message(parseHostPort('2001:db8::1', false)), 'an IPv6 address needs brackets, as [::1]:5060');
  t.equal(message(parseHostPort('pbx', false)), 'has no port: write it as pbx.example.com:5060, 127.0.0.1:5060 or [::1]:5060');
});

t.test('CIDRs', async (t) => {
  t.same(parseCidr('127.0.0.1/32'), { ok: true, value: { family: 4, address: '127.0.0.1', prefix: 32 } });
  t.same(parseCidr('10.0.0.0/8'), { ok: true, value: { family: 4, address: '10.0.0.0', prefix: 8 } });
  t.same(parseCidr('0.0.0.0/0'), { ok: true, value: { family: 4, address: '0.0.0.0', prefix: 0 } });
  t.same(parseCidr('192.0.2.7'), { ok: true, value: { family: 4, address: '192.0.2.7', prefix: 32 } });
  t.same(parseCidr('2001:db8::/32'), { ok: true, value: { family: 6, address: '2001:db8::', prefix: 32 } });
  t.same(parseCidr('::1'), { ok: true, value: { family: 6, address: '::1', prefix: 128 } });
  t.equal(message(parseCidr('10.0.0.1/8')), 'has host bits set: did you mean 10.0.0.0/8?');
  t.equal(message(parseCidr('2001:db8::1/32')), 'has host bits set: did you mean 2001:db8::/32?');
  t.equal(message(parseCidr('2001:db8:0:0:1:0:0:1/64')), 'has host bits set: did you mean 2001:db8::/64?');
  t.equal(message(parseCidr('10.0.0.0/33')), 'prefix length "33" must be a number from 0 to 32');
  t.equal(message(parseCidr('::/129')), 'prefix length "129" must be a number from 0 to 128');
  t.equal(message(parseCidr('10.0.0.0/')), 'prefix length "" must be a number from 0 to 32');
  t.equal(message(parseCidr('pbx/24')), '"pbx" is not an IPv4 or IPv6 address');
});

t.test('cidrContains', async (t) => {
  const net = (text: string) => {
    const p = parseCidr(text);
    if (!p.ok) throw new Error(p.message);
    return p.value;
  };
  t.ok(cidrContains(net('10.0.0.0/8'), '10.255.1.2'));
  t.notOk(cidrContains(net('10.0.0.0/8'), '11.0.0.1'));
  t.ok(cidrContains(net('0.0.0.0/0'), '203.0.113.9'));
  t.ok(cidrContains(net('2001:db8::/32'), '2001:db8:ffff::1'));
  t.notOk(cidrContains(net('2001:db8::/32'), '2001:db9::1'));
  t.notOk(cidrContains(net('::/0'), '127.0.0.1'), 'families never mix');
  t.ok(cidrContains(net('::ffff:10.0.0.0/104'), '::ffff:10.1.2.3'), 'embedded IPv4 tails');
  t.notOk(cidrContains(net('127.0.0.1'), 'pbx.example.com'));
});
