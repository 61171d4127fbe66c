/**
 * Trunk peers and the ACL:
 * - OPTIONS pings mark answering peers up; new calls go to the first peer not down
 * - a peer that stops answering goes down after the ping timeout and is skipped; it comes back when it answers
 * - 503 to OPTIONS is down; a call's transport failure (markDown) is down at once
 * - with interval 0 nothing is sent and every peer stays usable, except one a call failed on, for a while
 * - a real UDP ping between two endpoints on 127.0.0.1, and to a port nobody listens on
 * - the ACL: CIDRs of both families, IPv4-mapped IPv6 sources
 */
import t from 'tap';
import { Endpoint, LoopbackNetwork, ManualClock, SystemClock } from '@ima/sip-core';
import { PeerMonitor, type PeerStatus } from '../../src/trunk/peers.js';
import { isAllowed } from '../../src/trunk/acl.js';
import { parseCidr } from '../../src/config/net.js';

function world() {
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const ima = new Endpoint({ transport: net.createTransport({ host: '127.0.0.1', port: 5060 }), clock });
  const pbx1 = new Endpoint({ transport: net.createTransport({ host: '127.0.0.2', port: 5080 }), clock });
  const pbx2 = new Endpoint({ transport: net.createTransport({ host: '127.0.0.3', port: 5080 }), clock });
  const changes: string[] = [];
  const monitor = new PeerMonitor({
    endpoint: ima,
    clock,
    peers: [{ host: '127.0.0.2', port: 5080 }, { host: '127.0.0.3', port: 5080 }],
    protocol: 'udp',
    intervalMs: 10_000,
    timeoutMs: 2_000,
    fromUri: 'sip:ima@127.0.0.1',
    onChange: (p, prev: PeerStatus) => changes.push(`${p.host} ${prev}->${p.status}`),
  });
  return { clock, net, ima, pbx1, pbx2, monitor, changes };
}
const statuses = (m: PeerMonitor) => m.health().map((h) => h.status);

t.test('answering peers are up; a silent one goes down, is skipped, and comes back', async (t) => {
  const w = world();
  t.same(statuses(w.monitor), ['unknown', 'unknown']);
  t.equal(w.monitor.firstHealthy()?.host, '127.0.0.2', 'usable before the first answer');
  w.monitor.start();
  w.clock.advance(100);
  t.same(statuses(w.monitor), ['up', 'up']);
  t.ok(w.monitor.health()[0]!.rttMs !== undefined);
  w.net.setConditions('127.0.0.1:5060', '127.0.0.2:5080', { drop: () => true });
  w.clock.advance(10_000 + 2_000 + 100);
  t.same(statuses(w.monitor), ['down', 'up']);
  t.match(w.monitor.health()[0]!.reason, /no answer/);
  t.equal(w.monitor.firstHealthy()?.host, '127.0.0.3', 'new calls skip the silent peer');
  t.same(w.monitor.candidates().map((d) => d.host), ['127.0.0.3', '127.0.0.2'], 'down peers last, as a last resort');
  w.net.clearConditions();
  w.clock.advance(10_000);
  t.same(statuses(w.monitor), ['up', 'up'], 'back when it answers again');
  t.same(w.changes, ['127.0.0.2 unknown->up', '127.0.0.3 unknown->up', '127.0.0.2 up->down', '127.0.0.2 down->up']);
  w.monitor.stop();
  t.equal(w.clock.pending > 0, true);
  w.clock.runAll();
});

t.test('503 to OPTIONS is down; markDown is down at once; all down -> no healthy peer', async (t) => {
  const w = world();
  w.pbx2.on('OPTIONS', (_req, tx) => w.pbx2.respond(tx, 503));
  w.monitor.start();
  w.clock.advance(100);
  t.same(statuses(w.monitor), ['up', 'down']);
  w.monitor.markDown('127.0.0.2', 5080, 'INVITE timed out');
  t.equal(w.monitor.firstHealthy(), undefined);
  w.monitor.stop();
});

t.test('interval 0: no pings, every peer usable', async (t) => {
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const ima = new Endpoint({ transport: net.createTransport({ host: '127.0.0.1', port: 5060 }), clock });
  const m = new PeerMonitor({ endpoint: ima, clock, peers: [{ host: '127.0.0.9', port: 5080 }], protocol: 'udp', intervalMs: 0, fromUri: 'sip:ima@127.0.0.1' });
  m.start();
  clock.advance(60_000);
  t.equal(net.log.length, 0, 'nothing sent');
  t.equal(m.firstHealthy()?.host, '127.0.0.9');
});

t.test('interval 0: a peer a call failed on is skipped for a while, then tried again', async (t) => {
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const ima = new Endpoint({ transport: net.createTransport({ host: '127.0.0.1', port: 5060 }), clock });
  const peers = [{ host: '127.0.0.8', port: 5080 }, { host: '127.0.0.9', port: 5080 }];
  const m = new PeerMonitor({ endpoint: ima, clock, peers, protocol: 'tcp', intervalMs: 0, unpingedRetryMs: 5_000, fromUri: 'sip:ima@127.0.0.1' });
  m.start();
  m.markDown('127.0.0.8', 5080, 'a call could not be sent to it');
  t.equal(m.firstHealthy()?.host, '127.0.0.9', 'skipped at once');
  clock.advance(4_999);
  t.equal(m.firstHealthy()?.host, '127.0.0.9');
  clock.advance(1);
  t.same(statuses(m), ['unknown', 'unknown'], 'no ping could bring it back, so time does');
  t.equal(m.firstHealthy()?.host, '127.0.0.8');
  t.equal(net.log.length, 0, 'still nothing sent');
  m.markDown('127.0.0.8', 5080, 'again');
  m.stop();
  t.equal(clock.pending, 0, 'stop clears the retry timer');
});

t.test('a real UDP ping on loopback, and one to a port nobody listens on', async (t) => {
  const clock = new SystemClock();
  const pbx = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'], clock });
  const ima = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'], clock });
  const port = (pbx.transport as unknown as { listening(): Array<{ port: number }> }).listening()[0]!.port;
  await pbx.close().then(() => undefined, () => undefined);
  const live = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'], clock });
  const livePort = (live.transport as unknown as { listening(): Array<{ port: number }> }).listening()[0]!.port;
  const m = new PeerMonitor({
    endpoint: ima,
    clock,
    peers: [{ host: '127.0.0.1', port }, { host: '127.0.0.1', port: livePort }],
    protocol: 'udp',
    intervalMs: 60_000,
    timeoutMs: 300,
    fromUri: 'sip:ima@127.0.0.1',
  });
  m.start();
  await new Promise((r) => setTimeout(r, 600));
  t.same(statuses(m), ['down', 'up']);
  t.equal(m.firstHealthy()?.port, livePort);
  m.stop();
  await ima.close();
  await live.close();
});

t.test('ACL: CIDRs of both families, IPv4-mapped sources', async (t) => {
  const allow = ['127.0.0.1/32', '192.0.2.0/24', '2001:db8::/32'].map((c) => {
    const p = parseCidr(c);
    if (!p.ok) throw new Error(c);
    return p.value;
  });
  t.ok(isAllowed('127.0.0.1', allow));
  t.ok(isAllowed('192.0.2.77', allow));
  t.ok(isAllowed('::ffff:192.0.2.77', allow), 'IPv4-mapped IPv6');
  t.ok(isAllowed('2001:db8:1::5', allow));
  t.notOk(isAllowed('127.0.0.2', allow));
  t.notOk(isAllowed('198.51.100.1', allow));
  t.notOk(isAllowed('2001:db9::1', allow));
  t.notOk(isAllowed('not-an-ip', allow));
});
