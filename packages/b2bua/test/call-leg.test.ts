/**
 * Where a leg's INVITE goes, and back:
 * - uriOfDestination: `sip:user@host:port`, `;transport=` for TCP and TLS only, IPv6 in brackets
 * - destinationOfUri(uriOfDestination(user, dest)) is dest, for every transport and address family
 */
import t from 'tap';
import fc from 'fast-check';
import type { Destination } from '@ima/sip-core';
import { destinationOfUri, uriOfDestination } from '../src/index.js';

t.test('uriOfDestination writes the first hop into the URI, UDP as the default', async (t) => {
  t.equal(uriOfDestination('2000', { protocol: 'udp', host: '10.0.0.5', port: 5060 }), 'sip:2000@10.0.0.5:5060');
  t.equal(uriOfDestination('2000', { protocol: 'tcp', host: '10.0.0.5', port: 5080 }), 'sip:2000@10.0.0.5:5080;transport=tcp');
  t.equal(uriOfDestination('+39333', { protocol: 'tls', host: 'pbx.example.com', port: 5061 }), 'sip:+39333@pbx.example.com:5061;transport=tls');
  t.equal(uriOfDestination('8000', { protocol: 'udp', host: '::1', port: 5060 }), 'sip:8000@[::1]:5060');
});

t.test('destinationOfUri reads back what uriOfDestination wrote', async (t) => {
  const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
  const dest = fc.record({ protocol: fc.constantFrom('udp' as const, 'tcp' as const, 'tls' as const), host, port: fc.integer({ min: 1, max: 65535 }) });
  fc.assert(
    fc.property(fc.stringMatching(/^\+?[0-9]{1,15}$/), dest, (user, d: Destination) => {
      const back = destinationOfUri(uriOfDestination(user, d));
      return back !== undefined && back.protocol === d.protocol && back.port === d.port && back.host.replace(/^\[|\]$/g, '') === d.host;
    }),
    { numRuns: 500 },
  );
  t.pass('round trip');
});
