/**
 * The Via rules as pure functions (no sockets):
 * - stampedVia (RFC 3261 §18.2.1, RFC 3581 §4): received when sent-by is a name or
 *   another address, rport filled when empty (and received then always added), IPv6.
 * - outgoingVia (§18.1.1): transport and sent-by replaced, rport asked for, old received dropped.
 * - responseTarget (§18.2.2, RFC 3581 §4): the routing table for UDP, TCP and TLS.
 * - isSentByUs (§18.1.2): listening addresses, wildcard listeners, connection local ends.
 */
import t from 'tap';
import { parseViaList } from '../../src/message/header-values.js';
import { parseListenSpec } from '../../src/transport/address.js';
import { isSentByUs, outgoingVia, responseTarget, stampedVia } from '../../src/transport/via.js';

const via = (text: string) => parseViaList([text])[0]!;

t.test('stampedVia: received and rport MUST follow RFC 3261 §18.2.1 and RFC 3581 §4', async (t) => {
  const rows: Array<[string, string, number, { received?: string; rport?: number | true } | 'unchanged']> = [
    ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', '192.0.2.1', 5060, 'unchanged'],
    ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', '192.0.2.9', 5060, { received: '192.0.2.9' }],
    ['SIP/2.0/UDP pc.example.com;branch=z9hG4bK1', '192.0.2.1', 5060, { received: '192.0.2.1' }],
    ['SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1', '192.0.2.1', 40000, { received: '192.0.2.1', rport: 40000 }],
    ['SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK1', '192.0.2.1', 40000, { received: '192.0.2.1', rport: 40000 }],
    ['SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1', '2001:DB8:0::1', 5060, 'unchanged'],
    ['SIP/2.0/UDP [2001:db8::1];rport;branch=z9hG4bK1', '2001:db8::2', 6000, { received: '2001:db8::2', rport: 6000 }],
    ['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', '::ffff:192.0.2.1', 5060, 'unchanged'],
  ];
  for (const [text, address, port, want] of rows) {
    const v = via(text);
    const out = stampedVia(v, address, port);
    if (want === 'unchanged') t.equal(out, undefined, `${text} from ${address}: unchanged`);
    else {
      t.equal(out?.received, want.received, `${text} from ${address}: received`);
      t.equal(out?.rport, want.rport, `${text} from ${address}: rport`);
      t.equal(out?.branch, v.branch, 'branch kept');
    }
  }
});

t.test('outgoingVia: sent-by and transport MUST be what was used, with rport', async (t) => {
  const v = via('SIP/2.0/UDP old.example.com:5099;branch=z9hG4bK7;received=192.0.2.1;rport=1234;x=y');
  const out = outgoingVia(v, 'tcp', '::1', 5070);
  t.equal(out.transport, 'TCP');
  t.equal(out.host, '[::1]');
  t.equal(out.port, 5070);
  t.equal(out.rport, true);
  t.equal(out.received, undefined);
  t.equal(out.branch, 'z9hG4bK7');
  t.equal(out.params.get('x'), 'y');
});

t.test('responseTarget: responses MUST be routed per RFC 3261 §18.2.2 and RFC 3581 §4', async (t) => {
  const rows: Array<[string, ReturnType<typeof responseTarget>]> = [
    ['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', { protocol: 'udp', host: '192.0.2.1', port: 5060 }],
    ['SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1', { protocol: 'udp', host: '192.0.2.1', port: 5070 }],
    ['SIP/2.0/UDP pc.example.com:5070;received=192.0.2.9;branch=z9hG4bK1', { protocol: 'udp', host: '192.0.2.9', port: 5070 }],
    ['SIP/2.0/UDP 10.0.0.1:5070;received=192.0.2.9;rport=40000;branch=z9hG4bK1', { protocol: 'udp', host: '192.0.2.9', port: 40000 }],
    ['SIP/2.0/UDP 10.0.0.1:5070;received=192.0.2.9;rport;branch=z9hG4bK1', { protocol: 'udp', host: '192.0.2.9', port: 5070 }],
    ['SIP/2.0/UDP 10.0.0.1;maddr=239.1.1.1;ttl=16;received=192.0.2.9;rport=4;branch=z9hG4bK1', { protocol: 'udp', host: '239.1.1.1', port: 5060, ttl: 16 }],
    ['SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK1', { protocol: 'udp', host: '2001:db8::1', port: 5070 }],
    ['SIP/2.0/TCP 10.0.0.1:5070;received=192.0.2.9;rport=40000;branch=z9hG4bK1', { protocol: 'tcp', host: '192.0.2.9', port: 5070 }],
    ['SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1', { protocol: 'tcp', host: '10.0.0.1', port: 5060 }],
    ['SIP/2.0/TLS 10.0.0.1;branch=z9hG4bK1', { protocol: 'tls', host: '10.0.0.1', port: 5061 }],
    ['SIP/2.0/SCTP 10.0.0.1;branch=z9hG4bK1', undefined],
  ];
  for (const [text, want] of rows) t.same(responseTarget(via(text)), want, text);
});

t.test('isSentByUs: only our listening points (RFC 3261 §18.1.2)', async (t) => {
  const listening = [parseListenSpec('udp://127.0.0.1:5060'), parseListenSpec('tcp://0.0.0.0:5070'), parseListenSpec('tls://[::1]:5061')];
  const local = new Set(['127.0.0.1', '192.0.2.44', '::1']);
  const rows: Array<[string, boolean]> = [
    ['SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1', true],
    ['SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1', true],
    ['SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1', false],
    ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', false],
    ['SIP/2.0/TCP 192.0.2.44:5070;branch=z9hG4bK1', true],
    ['SIP/2.0/TCP 192.0.2.45:5070;branch=z9hG4bK1', false],
    ['SIP/2.0/TLS [::1]:5061;branch=z9hG4bK1', true],
    ['SIP/2.0/TLS [::1];branch=z9hG4bK1', true],
    ['SIP/2.0/UDP localhost:5060;branch=z9hG4bK1', false],
    ['SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1', false],
  ];
  for (const [text, want] of rows) t.equal(isSentByUs(via(text), listening, local), want, text);
  t.equal(isSentByUs(via('SIP/2.0/TCP 127.0.0.1:41000;branch=z9hG4bK1'), listening, local, { address: '127.0.0.1', port: 41000 }), true, 'the local end of the connection');
});
