/**
 * Trunk failover, end to end with SIPp as the PBX nodes (phones.xml answers OPTIONS pings 200):
 * - two peers in sip.trunk.peers, OPTIONS every 500 ms; nothing answers on the first: it is marked
 *   down, the second answers its pings and is up, and the call's outbound INVITE goes to the second
 * - the first peer comes back (a SIPp starts answering there): it is up again, and the next call's
 *   INVITE goes to it, the first in configured order, and not to the second
 * - the first peer stops answering: down again, and the next call goes to the second
 * - over TCP, a first peer that refuses the connection: the call goes to the second at once, without pings
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { join } from 'node:path';
import { daemon, eventually, freeTcpPort, freeUdpPort, requireSipp, phonesSaw, placeCall, recordingLogger, scenarios, setup, sippServer } from './fixtures/e2e.js';

if (requireSipp('failover')) {
  t.test('first peer down, second peer takes the call; the first back, it takes the next', async (t) => {
    const base = await setup();
    const firstPort = await freeUdpPort(); // nothing listens there (yet)
    const s = { ...base, yaml: base.config({ peers: [`127.0.0.1:${firstPort}`, `127.0.0.1:${base.pbxPort}`], optionsInterval: '500ms' }) };
    const pbx = (port: number, trace: string) =>
      sippServer(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(port), '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace]);
    const secondTrace = join(s.dir, 'second.msg');
    const second = pbx(base.pbxPort, secondTrace);
    t.teardown(() => void second.stop());
    await new Promise((r) => setTimeout(r, 400));

    const { logger, lines } = recordingLogger();
    const started = Date.now();
    const d = await daemon(s, logger);
    t.teardown(() => d.close());
    const statuses = () => d.peers.health().map((p) => p.status).join(',');
    t.ok(await eventually(() => statuses() === 'down,up', 10_000), `the first peer is down, the second up (${statuses()})`);
    t.comment(`down,up ${Date.now() - started} ms after start`);
    t.match(d.peers.health()[0]?.reason, /no answer to OPTIONS/);

    t.equal(await placeCall(s, '+39021234567'), 0, 'the caller completed the call');
    t.same(phonesSaw(secondTrace).invites, ['81000'], 'the second peer was sent the INVITE');

    const firstTrace = join(s.dir, 'first.msg');
    const first = pbx(firstPort, firstTrace);
    t.teardown(() => void first.stop());
    const back = Date.now();
    t.ok(await eventually(() => statuses() === 'up,up', 10_000), `the first peer is up again (${statuses()})`);
    t.comment(`up,up ${Date.now() - back} ms after the first peer started answering`);
    t.equal(await placeCall(s, '+39021234567'), 0, 'the caller completed the next call');
    t.same(phonesSaw(firstTrace).invites, ['81000'], 'the first peer, back, was sent the next INVITE');
    t.same(phonesSaw(secondTrace).invites, ['81000'], 'and the second peer no other');

    t.equal(await first.stop(), 0, 'the first peer answered every ping and its call, then stops answering');
    const gone = Date.now();
    t.ok(await eventually(() => statuses() === 'down,up', 10_000), `the first peer is down again (${statuses()})`);
    t.comment(`down,up ${Date.now() - gone} ms after the first peer stopped answering`);
    t.equal(await placeCall(s, '+39021234567'), 0, 'the caller completed a third call');

    await d.close();
    t.equal(await second.stop(), 0, 'the second peer answered every ping and its calls');
    t.same(phonesSaw(secondTrace).invites, ['81000', '81000'], 'the second peer took the third call');
    // The first peer's changes, each logged once (not once per ping). The second's are not pinned: a SIPp slow
    // to start on a loaded machine misses the first ping, and that is logged too.
    const changes = lines.filter((l) => /"msg":"trunk peer"/.test(l)).map((l) => JSON.parse(l) as { peer: string; to: string });
    t.same(changes.filter((c) => c.peer === `127.0.0.1:${firstPort}`).map((c) => c.to), ['down', 'up', 'down'], "each change of the first peer's health logged once");
  });
}

if (requireSipp('failover on a call')) {
  t.test('a call refused by the first peer goes to the second at once, before any ping could tell', async (t) => {
    const base = await setup();
    const refusing = await freeTcpPort(); // nothing listens there: the TCP connection is refused
    const s = {
      ...base,
      yaml: base.config({ listen: [`udp://127.0.0.1:${base.imaPort}`, `tcp://127.0.0.1:${base.imaPort}`], peers: [`127.0.0.1:${refusing}`, `127.0.0.1:${base.pbxPort}`], transport: 'tcp' }),
    };
    const trace = join(s.dir, 'second.msg');
    const second = sippServer(['-sf', scenarios + 'phones.xml', '-t', 't1', '-i', '127.0.0.1', '-p', String(base.pbxPort), '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace]);
    t.teardown(() => void second.stop());
    await new Promise((r) => setTimeout(r, 400));
    const { logger, lines } = recordingLogger();
    const d = await daemon(s, logger);
    t.teardown(() => d.close());
    t.same(d.peers.health().map((p) => p.status), ['unknown', 'unknown'], 'no pings (options_interval 0): nothing known of the peers');

    const started = Date.now();
    t.equal(await placeCall(s, '+39021234567'), 0, 'the caller completed the call');
    t.comment(`call completed in ${Date.now() - started} ms`);
    t.same(phonesSaw(trace).invites, ['81000'], 'the second peer was sent the INVITE');
    t.same(d.peers.health().map((p) => p.status), ['down', 'unknown'], 'the refusing peer is skipped for the next calls');
    t.match(d.peers.health()[0]?.reason, /could not be sent/);
    t.equal(await placeCall(s, '+39021234567'), 0, 'the next call completed');
    t.same(phonesSaw(trace).invites, ['81000', '81000'], 'straight to the second peer');
    // SIPp first: over TCP it may count the daemon closing its connection, while it stops, as an error.
    t.equal(await second.stop(), 0, 'the second peer saw both calls whole');
    await d.close();
    t.ok(lines.some((l) => /"msg":"trunk peer"/.test(l) && l.includes(`127.0.0.1:${refusing}`)), 'the change is logged');
  });
}
