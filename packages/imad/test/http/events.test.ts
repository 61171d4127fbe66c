/**
 * Live events (GET /api/events) through real HTTP:
 * - a change made by another user (an assistant switches the filter off) reaches the manager's
 *   stream within a second, as a `manager` event carrying the whole record
 * - an assistant's availability reaches the managers of the pool as an `assistant` event
 * - a user who may not see the subject gets nothing (erin does not see alice)
 * - a desk phone's state (a fact the system reports) reaches the manager as a `manager` event
 * - a stream with an API token works; without credentials: 401
 * - logging out ends the stream's deliveries
 */
import t from 'tap';
import { Client, apiSetup, loggedIn, openEvents, startApi } from './fixtures.js';

const s = await apiSetup();
const d = await startApi(s);
t.teardown(() => d.close());

t.test('a change made by someone else arrives within a second, filtered by role', async (t) => {
  const alice = await loggedIn(d.base, 'alice');
  const erin = await loggedIn(d.base, 'erin');
  const aliceEvents = await openEvents(alice);
  const erinEvents = await openEvents(erin);
  t.teardown(() => {
    aliceEvents.close();
    erinEvents.close();
  });
  const bob = await loggedIn(d.base, 'bob');
  const sent = Date.now();
  t.equal((await bob.request('PATCH', '/api/managers/alice', { filter: false })).status, 200);
  const got = await aliceEvents.next((e) => e.event === 'manager' && e.data.id === 'alice' && e.data.filter === false, 1000);
  t.ok(got, 'alice saw the change within a second');
  t.comment(`delivered after ${Date.now() - sent} ms`);
  t.match(got?.data, { id: 'alice', name: 'Alice Rossi', filter: false, active: ['bob'] }, 'the whole record');

  t.equal((await bob.request('PATCH', '/api/assistants/bob', { availability: 'away' })).status, 200);
  const assistant = await aliceEvents.next((e) => e.event === 'assistant' && e.data.id === 'bob', 1000);
  t.match(assistant?.data, { id: 'bob', availability: 'away' }, "the pool's manager sees the assistant change");

  const dave = await loggedIn(d.base, 'dave');
  t.equal((await dave.request('PATCH', '/api/managers/dave', { availability: 'away' })).status, 200);
  t.ok(await erinEvents.next((e) => e.event === 'manager' && e.data.id === 'dave', 1000), 'erin sees dave');
  t.notOk(erinEvents.events.some((e) => e.data.id === 'alice' || e.data.id === 'bob'), 'erin saw nothing about alice nor bob');
  t.notOk(aliceEvents.events.some((e) => e.data.id === 'dave'), 'alice saw nothing about dave');

  t.same(d.apply({ type: 'phoneStateChanged', by: { kind: 'system' }, number: '81000', phone: 'busy' }), { ok: true });
  t.ok(await aliceEvents.next((e) => e.event === 'manager' && e.data.phone === 'busy', 1000), "alice's desk phone is busy");
});

t.test('token streams, 401, logout', async (t) => {
  t.equal((await fetch(d.base + '/api/events')).status, 401);
  const admin = await loggedIn(d.base, 'admin');
  const made = await admin.request('POST', '/api/tokens', { name: 'monitor' });
  const script = new Client(d.base);
  script.token = made.body.token;
  const stream = await openEvents(script);
  t.teardown(() => stream.close());
  const carol = await loggedIn(d.base, 'carol');
  await carol.request('PATCH', '/api/managers/dave', { alerting: 'sequential' });
  t.ok(await stream.next((e) => e.event === 'manager' && e.data.alerting === 'sequential', 1000), 'an admin token sees every manager');

  const carolStream = await openEvents(carol);
  t.teardown(() => carolStream.close());
  await admin.request('PATCH', '/api/managers/dave', { alerting: 'first-available' });
  t.ok(await carolStream.next((e) => e.event === 'manager' && e.data.alerting === 'first-available', 1000), "carol's stream carries events while she is logged in");
  await carol.request('POST', '/api/logout');
  await admin.request('PATCH', '/api/managers/dave', { alerting: 'parallel' });
  t.ok(await stream.next((e) => e.event === 'manager' && e.data.alerting === 'parallel', 1000));
  t.notOk(await carolStream.next((e) => e.event === 'manager' && e.data.alerting === 'parallel', 300), 'a logged-out stream gets nothing more');
});
