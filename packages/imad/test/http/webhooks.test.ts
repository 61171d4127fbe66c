/**
 * Webhooks, received by a local HTTP server:
 * - a manager change is POSTed as JSON {id, event, time, data}, signed with HMAC-SHA256 of the
 *   body under the configured secret (x-ima-signature: sha256=<hex>)
 * - a delivery answered 500 is retried (same delivery id) after the backoff, and then succeeds
 * - a webhook subscribed to `call` only does not get `manager` events
 * - the queue is bounded: when full, the oldest delivery is dropped with a logged warning
 * - a delivery that keeps failing is given up after `attempts` tries and counted in ima_errors_total
 */
import t from 'tap';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import pino from 'pino';
import { WebhookDispatcher } from '../../src/http/webhooks.js';
import { apiSetup, loggedIn, startApi } from './fixtures.js';

const SECRET = 'a-secret-of-24-characters';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

async function receiver(answer: (n: number) => number): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = answer(got.length);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/hook`, got };
}

const until = async (check: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

t.test('signed deliveries, retried after a 500', async (t) => {
  const hook = await receiver((n) => (n === 1 ? 500 : 200));
  const callsOnly = await receiver(() => 200);
  t.teardown(() => {
    for (const r of [hook, callsOnly]) {
      r.server.closeAllConnections();
      r.server.close();
    }
  });
  const s = await apiSetup({
    http: `  webhooks:\n    - { url: "${hook.url}", secret: "${SECRET}", backoff: 50ms, attempts: 3 }\n    - { url: "${callsOnly.url}", secret: "${SECRET}", events: [ call ] }`,
  });
  const d = await startApi(s);
  t.teardown(() => d.close());
  const alice = await loggedIn(d.base, 'alice');
  t.equal((await alice.request('PATCH', '/api/managers/alice', { availability: 'away' })).status, 200);
  const sent = Date.now();
  t.ok(await until(() => hook.got.length >= 2, 3000), 'delivered twice: the 500, then the retry');
  t.comment(`both deliveries within ${Date.now() - sent} ms`);
  const [first, second] = hook.got;
  t.equal(first!.body, second!.body, 'the retry carries the same body');
  t.equal(first!.headers['x-ima-delivery'], second!.headers['x-ima-delivery'], 'and the same delivery id');
  const expected = `sha256=${createHmac('sha256', SECRET).update(second!.body).digest('hex')}`;
  t.equal(second!.headers['x-ima-signature'], expected, 'the signature checks out with the secret');
  t.equal(second!.headers['x-ima-event'], 'manager');
  const doc = JSON.parse(second!.body);
  t.match(doc, { event: 'manager', time: /^\d{4}-/, data: { id: 'alice', availability: 'away' } });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(hook.got.length, 2, 'no more deliveries after the success');
  t.equal(callsOnly.got.length, 0, 'the call-only webhook got no manager event');
});

t.test('bounded queue and giving up', async (t) => {
  // A receiver that never answers holds the only delivery slot, so the rest wait in the queue.
  const hung = createServer(() => undefined);
  hung.listen(0, '127.0.0.1');
  await once(hung, 'listening');
  t.teardown(() => {
    hung.closeAllConnections();
    hung.close();
  });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  const hooks = [{ url: `http://127.0.0.1:${(hung.address() as { port: number }).port}/`, secret: SECRET, events: ['manager' as const], attempts: 1, backoffMs: 10 }];
  let givenUp = 0;
  const w = new WebhookDispatcher({ hooks: () => hooks, logger, onGiveUp: () => givenUp++, maxQueue: 2, concurrency: 1, timeoutMs: 300 });
  t.teardown(() => w.close());
  for (let i = 0; i < 5; i++) w.publish('manager', { n: i });
  t.equal(w.pending, 3, 'one in flight, two queued');
  const dropped = lines.map((l) => JSON.parse(l)).filter((l) => /dropped the oldest/.test(l.msg));
  t.equal(dropped.length, 2, 'two deliveries dropped, each with a warning');
  t.equal(dropped[0].level, 40, 'a warning');
  t.ok(await until(() => givenUp === 3, 3000), 'the three kept deliveries timed out once each and were given up');
  t.equal(w.pending, 0);
});
