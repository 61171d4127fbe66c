/**
 * TLS through SipTransportLayer on real loopback sockets, with the self-signed
 * fixture certificate (test/fixtures/tls, SAN 127.0.0.1 and ::1):
 * - round trip layer to layer over 127.0.0.1 and ::1 (skipped without IPv6 loopback);
 *   sent-by is our TLS listening point; the response returns on the same connection,
 *   which is reused for the next request.
 * - a peer whose certificate we cannot verify: SendResult ok:false (SIP_ERR_TRANSPORT),
 *   and the server that refused the handshake keeps serving.
 * - a peer that accepts TCP but never finishes the handshake: the connect times out on the
 *   injected clock and the send gives ok:false.
 * - a plain TCP peer on the TLS port: the handshake fails, the listener keeps serving.
 * - setup errors are refused at listen(): a tls:// spec without the tls option, a missing file,
 *   a bad listen spec, a port in use.
 */
import t from 'tap';
import { type Socket, createServer } from 'node:net';
import { ManualClock } from '../../src/clock.js';
import type { SipResponse } from '../../src/message/message.js';
import { SipTransportLayer, type TransportLayerOptions } from '../../src/transport/transport-layer.js';
import { RawTcp, TLS_DIR, TLS_OPTS, hasIpv6Loopback, inbox, openLayer, portOf, request, responseTo, until } from './fixtures/sockets.js';

type T = { teardown(fn: () => unknown): void };
const listen = (t: T, specs: string[], opts: Partial<TransportLayerOptions> = {}) =>
  openLayer(t, (o) => SipTransportLayer.listen(o), { listen: specs, tls: TLS_OPTS, ...opts });
const hasV6 = await hasIpv6Loopback();

for (const family of [4, 6] as const) {
  const host = family === 4 ? '127.0.0.1' : '::1';
  const spec = family === 4 ? 'tls://127.0.0.1:0' : 'tls://[::1]:0';
  const name = `TLS over IPv${family}: a request and its response MUST make the round trip on one verified connection`;
  (family === 6 && !hasV6 ? t.skip.bind(t) : t.test.bind(t))(name, async (t) => {
    const a = await listen(t, [spec]);
    const b = await listen(t, [spec]);
    const aIn = inbox(a);
    const bIn = inbox(b);
    const req = request();
    const dest = { protocol: 'tls' as const, host, port: portOf(b, 'tls', family) };
    t.same(await a.sendRequest(req, dest), { ok: true, via: dest });
    const sentBy = family === 6 ? `[::1]:${portOf(a, 'tls', 6)}` : `127.0.0.1:${portOf(a, 'tls')}`;
    t.match(req.headers.get('via'), `SIP/2.0/TLS ${sentBy};branch=`);
    const got = await bIn.next('request at b');
    t.equal(got.source.protocol, 'tls');
    t.equal(got.message.topVia?.transport, 'TLS');
    t.ok((await b.sendResponse(responseTo(got.message), got.source)).ok);
    t.equal(((await aIn.next('response at a')).message as SipResponse).status, 200);
    t.ok((await a.sendRequest(request(), dest)).ok);
    const second = await bIn.next('second request');
    t.equal(second.source.connectionId, got.source.connectionId, 'the connection is reused');
    t.equal(a.connections().length, 1);
    t.equal(a.connections()[0]?.protocol, 'tls');
  });
}

t.test('a TLS peer whose certificate cannot be verified MUST give ok:false, and the server MUST keep serving', async (t) => {
  const server = await listen(t, ['tls://127.0.0.1:0']);
  const serverIn = inbox(server);
  // No CA file: the self-signed certificate is not in Node's root store.
  const strict = await listen(t, ['udp://127.0.0.1:0'], { tls: { certFile: TLS_OPTS.certFile, keyFile: TLS_OPTS.keyFile } });
  const dest = { protocol: 'tls' as const, host: '127.0.0.1', port: portOf(server, 'tls') };
  const r = await strict.sendRequest(request(), dest);
  t.equal(r.ok, false);
  if (!r.ok) t.equal(r.error.code, 'SIP_ERR_TRANSPORT');
  t.equal(strict.connections().length, 0);
  // rejectUnauthorized: false accepts it (for lab setups).
  const lax = await listen(t, ['udp://127.0.0.1:0'], { tls: { ...TLS_OPTS, caFile: undefined, rejectUnauthorized: false } });
  t.ok((await lax.sendRequest(request(), dest)).ok);
  t.equal((await serverIn.next('request from the lax client')).message.kind, 'request');
});

t.test('a connect that does not complete MUST time out on the injected clock as ok:false', async (t) => {
  // A server that accepts TCP and never answers the TLS handshake.
  const held: Socket[] = [];
  const silent = createServer((s) => {
    s.on('error', () => {});
    held.push(s);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of held) s.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const clock = new ManualClock();
  const client = await listen(t, ['tls://127.0.0.1:0'], { clock, connectTimeoutMs: 5000 });
  const pending = client.sendRequest(request(), { protocol: 'tls', host: '127.0.0.1', port: (silent.address() as { port: number }).port });
  let settled = false;
  void pending.then(() => (settled = true));
  await until(() => held.length === 1, 'the TCP accept');
  clock.advance(4999);
  await new Promise((r) => setImmediate(r));
  t.equal(settled, false, 'still connecting at 4999 ms');
  clock.advance(1);
  const r = await pending;
  t.equal(r.ok, false);
  if (!r.ok) {
    t.equal(r.error.code, 'SIP_ERR_TRANSPORT');
    t.match(r.error.message, /timed out after 5000 ms/);
  }
  t.equal(client.connections().length, 0);
});

t.test('a plain TCP peer on the TLS port MUST NOT stop the listener', async (t) => {
  const server = await listen(t, ['tls://127.0.0.1:0']);
  const serverIn = inbox(server);
  const raw = await RawTcp.open(t, portOf(server, 'tls'));
  await raw.write('OPTIONS sip:x SIP/2.0\r\n\r\n');
  await raw.waitClosed('the failed handshake to close');
  const client = await listen(t, ['tls://127.0.0.1:0']);
  t.ok((await client.sendRequest(request(), { protocol: 'tls', host: '127.0.0.1', port: portOf(server, 'tls') })).ok);
  t.equal((await serverIn.next('request after the bad peer')).message.kind, 'request');
});

t.test('listen() MUST refuse bad setups with a SipError, leaving nothing bound', async (t) => {
  await t.rejects(SipTransportLayer.listen({ listen: ['tls://127.0.0.1:0'] }), { code: 'SIP_ERR_INVALID_ARGUMENT' });
  await t.rejects(SipTransportLayer.listen({ listen: ['tls://127.0.0.1:0'], tls: { certFile: TLS_DIR + 'missing.pem', keyFile: TLS_OPTS.keyFile } }), {
    code: 'SIP_ERR_INVALID_ARGUMENT',
  });
  await t.rejects(SipTransportLayer.listen({ listen: ['sctp://127.0.0.1:5060'] }), { code: 'SIP_ERR_INVALID_ARGUMENT' });
  await t.rejects(SipTransportLayer.listen({ listen: ['udp://example.com:5060'] }), { code: 'SIP_ERR_INVALID_ARGUMENT' });
  const taken = await listen(t, ['udp://127.0.0.1:0', 'tcp://127.0.0.1:0']);
  await t.rejects(SipTransportLayer.listen({ listen: ['udp://127.0.0.1:0', `tcp://127.0.0.1:${portOf(taken, 'tcp')}`] }), { code: 'SIP_ERR_TRANSPORT' });
  await t.rejects(SipTransportLayer.listen({ listen: [`udp://127.0.0.1:${portOf(taken, 'udp')}`] }), { code: 'SIP_ERR_TRANSPORT' });
});
