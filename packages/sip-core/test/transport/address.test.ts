/**
 * Addresses (no sockets):
 * - listen specs: udp/tcp/tls, IPv4 and bracketed IPv6, default and ephemeral ports;
 *   bad specs throw SIP_ERR_INVALID_ARGUMENT.
 * - canonical IPs: brackets, IPv4-mapped IPv6, IPv6 compression and case.
 * - RFC 4475 §3.3.10: 255.255.255.255 is a broadcast address; unicast and IPv6 are not.
 * - multicast and loopback ranges.
 */
import t from 'tap';
import { canonicalIp, defaultPort, formatListenSpec, isBroadcast, isLoopback, isMulticast, parseListenSpec, sameHost } from '../../src/transport/address.js';

t.test('listen specs MUST parse to protocol, IP literal and port', async (t) => {
  t.same(parseListenSpec('udp://127.0.0.1:5060'), { protocol: 'udp', address: '127.0.0.1', port: 5060 });
  t.same(parseListenSpec('TCP://[::1]:0'), { protocol: 'tcp', address: '::1', port: 0 });
  t.same(parseListenSpec('tls://0.0.0.0'), { protocol: 'tls', address: '0.0.0.0', port: 5061 });
  t.same(parseListenSpec('udp://[2001:DB8:0:0::1]'), { protocol: 'udp', address: '2001:db8::1', port: 5060 });
  t.equal(formatListenSpec(parseListenSpec('tcp://[::1]:5070')), 'tcp://[::1]:5070');
  for (const bad of ['udp://::1:5060', 'udp://[127.0.0.1]:5060', 'ws://127.0.0.1', 'udp://host.example:5060', 'udp://127.0.0.1:70000', '127.0.0.1:5060']) {
    t.throws(() => parseListenSpec(bad), { code: 'SIP_ERR_INVALID_ARGUMENT' }, bad);
  }
  t.equal(defaultPort('udp'), 5060);
  t.equal(defaultPort('TLS'), 5061);
});

t.test('IP addresses MUST compare in one canonical form', async (t) => {
  t.equal(canonicalIp('[::1]'), '::1');
  t.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
  t.equal(canonicalIp('::FFFF:7f00:1'), '127.0.0.1');
  t.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  t.equal(canonicalIp('Host.Example.COM'), 'host.example.com');
  t.ok(sameHost('[2001:db8::1]', '2001:DB8::0:1'));
  t.notOk(sameHost('127.0.0.1', '127.0.0.2'));
});

t.test('RFC 4475 §3.3.10: broadcast addresses MUST be recognised', async (t) => {
  t.ok(isBroadcast('255.255.255.255'));
  t.ok(isBroadcast('::ffff:255.255.255.255'));
  t.notOk(isBroadcast('127.0.0.1'));
  t.notOk(isBroadcast('192.0.2.198'));
  t.notOk(isBroadcast('ff02::1'));
  t.notOk(isBroadcast('example.com'));
});

t.test('multicast ranges MUST be recognised (maddr ttl applies to them only)', async (t) => {
  t.ok(isMulticast('224.0.1.75'));
  t.ok(isMulticast('239.255.255.255'));
  t.notOk(isMulticast('240.0.0.1'));
  t.ok(isMulticast('ff02::1'));
  t.notOk(isMulticast('fe80::1'));
});

t.test('loopback addresses MUST be recognised (to pick the UDP socket that can reach a peer)', async (t) => {
  t.ok(isLoopback('127.0.0.1'));
  t.ok(isLoopback('127.8.9.10'));
  t.ok(isLoopback('[::1]'));
  t.ok(isLoopback('::ffff:127.0.0.1'));
  t.notOk(isLoopback('192.0.2.1'));
  t.notOk(isLoopback('::2'));
});
