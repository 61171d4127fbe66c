/**
 * How many live event streams (GET /api/events) one user may hold, through real HTTP:
 * - 20 streams of one login open; the 21st gets 429 with the reason, whether it comes with the
 *   session cookie or an API token of the same login
 * - another login is not affected
 * - once one of the 20 is closed, a new one opens and receives events
 */
import t from 'tap';
import { MAX_STREAMS_PER_LOGIN } from '../../src/http/event-hub.js';
import { type Client, type EventStream, apiSetup, loggedIn, openEvents, startApi } from './fixtures.js';

const s = await apiSetup();
const d = await startApi(s);
t.teardown(() => d.close());

/** GET /api/events once more: its status and, when refused, its body (an accepted stream is closed at once). */
async function tryEvents(c: Client): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (c.cookies.size > 0) headers['cookie'] = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (c.token !== undefined) headers['authorization'] = `Bearer ${c.token}`;
  const controller = new AbortController();
  const res = await fetch(c.base + '/api/events', { headers, signal: controller.signal });
  if (res.status === 200) {
    controller.abort();
    return { status: 200, body: undefined };
  }
  return { status: res.status, body: await res.json() };
}

t.test('20 streams per login; the 21st gets 429 with the reason; closing one makes room', async (t) => {
  t.equal(MAX_STREAMS_PER_LOGIN, 20);
  const bob = await loggedIn(d.base, 'bob');
  const streams: EventStream[] = [];
  t.teardown(() => streams.forEach((x) => x.close()));
  for (let i = 0; i < MAX_STREAMS_PER_LOGIN; i++) streams.push(await openEvents(bob));
  t.equal(streams.length, 20, 'twenty streams open');

  const refused = await tryEvents(bob);
  t.equal(refused.status, 429, 'the 21st is refused');
  t.match(refused.body, { error: /bob already has 20 live event streams open/ }, 'saying why');
  const script = await loggedIn(d.base, 'bob');
  const made = await script.request('POST', '/api/tokens', { name: 'watcher' });
  script.cookies.clear();
  script.token = made.body.token as string;
  t.equal((await tryEvents(script)).status, 429, "an API token of the same login counts against the same streams");

  const alice = await loggedIn(d.base, 'alice');
  const aliceEvents = await openEvents(alice);
  t.teardown(() => aliceEvents.close());
  t.pass('another login opens a stream meanwhile');

  streams.shift()!.close();
  let reopened: EventStream | undefined;
  for (let i = 0; i < 40 && reopened === undefined; i++) {
    // The server learns of the closed socket a moment later.
    reopened = await openEvents(bob).catch(() => undefined);
    if (reopened === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(reopened, 'a closed stream makes room for a new one');
  streams.push(reopened!);
  t.equal((await tryEvents(bob)).status, 429, 'and the limit holds again');
  t.equal((await bob.request('PATCH', '/api/managers/alice', { filter: false })).status, 200);
  t.ok(await reopened!.next((e) => e.event === 'manager' && e.data.id === 'alice' && e.data.filter === false, 1000), 'the new stream carries events');
});
