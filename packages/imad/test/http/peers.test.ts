/**
 * Trunk health through the API: a PBX that answers OPTIONS is up; once it falls silent it goes
 * down; an admin's live stream gets a `peers` event, a manager's does not; /api/health turns
 * degraded (503) and /metrics shows the peer down.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { apiSetup, loggedIn, openEvents, startApi } from './fixtures.js';

/** A PBX that answers every OPTIONS with 200 (RFC 3261 §8.2.6: Via, From, To, Call-ID, CSeq copied). */
async function answeringPbx() {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const text = msg.toString();
    if (!text.startsWith('OPTIONS ')) return;
    const copied = text.split('\r\n').filter((l) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i.test(l));
    socket.send(`SIP/2.0 200 OK\r\n${copied.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

t.test('a PBX that falls silent: peers event to admins, health degraded', async (t) => {
  const pbx = await answeringPbx();
  const s = await apiSetup({ optionsInterval: '200ms', pbxPort: pbx.address().port });
  const d = await startApi(s);
  t.teardown(() => d.close());
  const admin = await openEvents(await loggedIn(d.base, 'admin'));
  const alice = await openEvents(await loggedIn(d.base, 'alice'));
  t.teardown(() => {
    admin.close();
    alice.close();
  });
  const until = Date.now() + 5000;
  while (d.peers.health()[0]?.status !== 'up' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  t.equal(d.peers.health()[0]?.status, 'up', 'the answering PBX is up');
  t.equal((await fetch(d.base + '/api/health')).status, 200);
  pbx.close();
  const down = await admin.next((e) => e.event === 'peers' && e.data[0]?.status === 'down', 5000);
  t.match(down?.data, [{ host: '127.0.0.1', port: s.pbxPort, status: 'down', reason: /./ }], 'the admin is told');
  t.notOk(alice.events.some((e) => e.event === 'peers'), 'a manager is not');
  const health = await fetch(d.base + '/api/health');
  t.equal(health.status, 503);
  t.match(await health.json(), { status: 'degraded', peers: [{ status: 'down' }] });
  t.match(await (await fetch(d.base + '/metrics')).text(), new RegExp(`^ima_trunk_peer_up\\{peer="127.0.0.1:${s.pbxPort}"\\} 0$`, 'm'));
});
