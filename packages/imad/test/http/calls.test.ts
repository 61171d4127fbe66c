/**
 * Live calls, steering and the call history, with SIPp as the PBX and its phones:
 * - a screened call to alice rings bob; answered, it shows in GET /api/calls for bob, alice and
 *   admin (state answered, decision and reason), not for dave nor erin; a `call` event reaches
 *   bob's live stream
 * - erin may not steer it (403); a bad target is a 400 naming `target`; an unknown call 404
 * - bob steers it to voicemail through the API: SIPp sees the new INVITE with a Diversion naming
 *   alice's number, and the caller stays on the line
 * - when it ends it is in GET /api/history with the decision's reason and the outcome, for alice
 *   and admin, not for dave; filters by manager and time; and it is still there after a restart
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort, requireSipp, scenarios, sipp } from '../sipp/fixtures/e2e.js';
import { apiSetup, loggedIn, openEvents, startApi } from './fixtures.js';

if (requireSipp('live calls, steering and history through the API')) {
  t.test('a live call seen, steered to voicemail, then in the history', async (t) => {
    const s = await apiSetup();
    let d = await startApi(s);
    t.teardown(() => d.close());
    const bob = await loggedIn(d.base, 'bob');
    const bobEvents = await openEvents(bob);
    t.teardown(() => bobEvents.close());
    const trace = join(s.dir, 'phones-steer.msg');
    const phones = sipp(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-m', '2', '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace], 40_000);
    await new Promise((r) => setTimeout(r, 400));
    const caller = sipp(['-sf', scenarios + 'caller-steered.xml', `127.0.0.1:${s.sipPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '500', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 40_000);

    let call: { id: string; state: string } | undefined;
    for (let i = 0; i < 100 && call?.state !== 'answered'; i++) {
      call = (await bob.get('/api/calls')).body[0];
      if (call?.state !== 'answered') await new Promise((r) => setTimeout(r, 100));
    }
    t.match(call, { state: 'answered', managerId: 'alice', caller: '0299999', called: '1000', answeredBy: '2000', decision: { kind: 'assistants', reason: /filter/ } }, 'bob sees the call he answered');
    t.ok(await bobEvents.next((e) => e.event === 'call' && e.data.type === 'answered', 1000), 'a call event reached bob');
    t.equal((await (await loggedIn(d.base, 'alice')).get('/api/calls')).body.length, 1, 'alice sees her call');
    t.equal((await (await loggedIn(d.base, 'admin')).get('/api/calls')).body.length, 1, 'admin sees it');
    t.equal((await (await loggedIn(d.base, 'dave')).get('/api/calls')).body.length, 0, 'dave does not');
    const erin = await loggedIn(d.base, 'erin');
    t.equal((await erin.get('/api/calls')).body.length, 0, 'erin does not');
    t.equal((await erin.request('POST', `/api/calls/${call!.id}/steer`, { target: 'voicemail' })).status, 403, 'erin may not steer it');
    const bad = await bob.request('POST', `/api/calls/${call!.id}/steer`, { target: 'the moon' });
    t.equal(bad.status, 400);
    t.equal(bad.body.field, 'target');
    t.equal((await bob.request('POST', '/api/calls/bm9wZQ/steer', { target: 'voicemail' })).status, 404, 'no such call');

    const steered = await bob.request('POST', `/api/calls/${call!.id}/steer`, { target: 'voicemail' });
    t.equal(steered.status, 200, JSON.stringify(steered.body));
    t.type(steered.body.leg, 'number');
    t.equal(await caller, 0, 'the caller took the re-INVITE and finished the call normally');
    t.equal(await phones, 0, 'both phones saw a whole call');
    const text = readFileSync(trace, 'utf8');
    t.same([...text.matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1]), ['2000', '8000']);
    t.match(text, /^Diversion: <sip:1000@127\.0\.0\.1>;reason=deflection/m, 'voicemail is told whose box it is');

    const alice = await loggedIn(d.base, 'alice');
    let history: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50 && history.length === 0; i++) {
      history = (await alice.get('/api/history')).body;
      if (history.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    t.match(history, [{ managerId: 'alice', caller: '0299999', called: '1000', decision: { kind: 'assistants', reason: /filter/ }, outcome: /answered by 8000 \(steered to voicemail\); the caller hung up/ }]);
    t.ok((history[0]!['durationMs'] as number) > 0);
    t.equal((await (await loggedIn(d.base, 'dave')).get('/api/history')).body.length, 0, 'dave sees none of it');
    t.equal((await (await loggedIn(d.base, 'dave')).get('/api/history?manager=alice')).status, 403);
    const future = new Date(Date.now() + 60_000).toISOString();
    t.equal((await alice.get(`/api/history?since=${encodeURIComponent(future)}`)).body.length, 0, 'since filters');
    t.equal((await alice.get(`/api/history?until=${encodeURIComponent(future)}&manager=alice&limit=5`)).body.length, 1, 'until, manager, limit');
    const badQuery = await alice.get('/api/history?limit=lots');
    t.equal(badQuery.status, 400);
    t.equal(badQuery.body.field, 'limit');

    const metrics = await (await fetch(d.base + '/metrics')).text();
    t.match(metrics, /^ima_calls_total 1$/m, 'the call is counted');
    t.match(metrics, /^ima_decisions_total\{kind="assistants"\} 1$/m, 'and its decision');
    t.match(metrics, /^ima_calls_active 0$/m);

    await d.close();
    d = await startApi(s);
    const again = await loggedIn(d.base, 'admin');
    t.same((await again.get('/api/history')).body, history, 'the history survives a restart');
  });
}
