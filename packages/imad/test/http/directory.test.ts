/**
 * Managers and assistants through real HTTP requests, for every role:
 * - GET /api/managers: admin all, a manager their own, an assistant those whose pool holds them
 * - GET /api/managers/{id}: 403 for a manager that is not visible, 404 for none, 401 without login
 * - PATCH /api/managers/{id}: every field; a manager on another manager 403; an assistant of the
 *   pool 200, outside it 403; all or nothing (a refused field changes none)
 * - bad bodies: unknown field, wrong type, wrong enum value, empty body -> 400 naming the field
 * - whitelist and block list: add (201), remove (200), remove an absent entry (404), bad entry 400
 * - assistants: list per role, PATCH own availability 200, someone else's 403
 */
import t from 'tap';
import { Client, apiSetup, loggedIn, startApi } from './fixtures.js';

const s = await apiSetup();
const d = await startApi(s);
t.teardown(() => d.close());
const as = async (login: string) => loggedIn(d.base, login);

t.test('who sees which managers', async (t) => {
  const ids = async (login: string) => ((await (await as(login)).get('/api/managers')).body as Array<{ id: string }>).map((m) => m.id).sort();
  t.same(await ids('admin'), ['alice', 'dave']);
  t.same(await ids('alice'), ['alice']);
  t.same(await ids('bob'), ['alice']);
  t.same(await ids('carol'), ['alice', 'dave'], 'carol is in both pools');
  t.same(await ids('erin'), ['dave']);
  t.equal((await new Client(d.base).get('/api/managers')).status, 401);

  const alice = await as('alice');
  const one = await alice.get('/api/managers/alice');
  t.equal(one.status, 200);
  t.match(one.body, {
    id: 'alice',
    name: 'Alice Rossi',
    number: '1000',
    targets: { desk: '81000', voicemail: '8000', mobile: '+393331234567' },
    assistants: ['bob', 'carol'],
    filter: true,
    filterMode: 'inclusive',
    availability: 'available',
    forward: 'off',
    active: ['bob'],
    alerting: 'parallel',
    no_answer: 5,
    fallback: 'voicemail',
    schedule: null,
    timeZone: 'UTC',
    whitelist: [{ entry: '+39021234567', expires: null, oneCall: false }],
    blocklist: [],
    phone: 'unknown',
  });
  t.equal((await alice.get('/api/managers/dave')).status, 403, "a manager cannot read another manager");
  t.equal((await (await as('erin')).get('/api/managers/alice')).status, 403, 'an assistant outside the pool cannot read');
  t.equal((await alice.get('/api/managers/nobody')).status, 404);
});

t.test('PATCH per role and every field', async (t) => {
  const alice = await as('alice');
  t.equal((await alice.request('PATCH', '/api/managers/dave', { filter: false })).status, 403, 'a manager cannot change another');
  t.equal((await (await as('erin')).request('PATCH', '/api/managers/alice', { filter: false })).status, 403, 'an assistant outside the pool cannot change');
  const bob = await as('bob');
  const r = await bob.request('PATCH', '/api/managers/alice', {
    filter: false,
    filterMode: 'exclusive',
    availability: 'busy',
    forward: { number: '+390612345' },
    active: ['carol', 'bob'],
    alerting: 'sequential',
    no_answer: 12,
    fallback: 'mobile',
    schedule: { hours: [{ day: 'mon', from: '09:00', to: '18:00' }], outside: 'voicemail' },
    blockAction: 'reject',
  });
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.match(r.body, {
    filter: false,
    filterMode: 'exclusive',
    availability: 'busy',
    forward: { number: '+390612345' },
    active: ['carol', 'bob'],
    alerting: 'sequential',
    no_answer: 12,
    fallback: 'mobile',
    schedule: { hours: [{ day: 'mon', from: '09:00', to: '18:00' }], outside: 'voicemail' },
    blockAction: 'reject',
  });
  t.equal(d.state().managers['alice']?.noAnswerMs, 12_000, 'the daemon state changed');
  const admin = await as('admin');
  const back = await admin.request('PATCH', '/api/managers/alice', { forward: 'voicemail', schedule: null });
  t.equal(back.status, 200);
  t.equal(back.body.forward, 'voicemail');
  t.equal(back.body.schedule, null);
});

t.test('PATCH is all or nothing', async (t) => {
  const alice = await as('alice');
  const before = (await alice.get('/api/managers/alice')).body;
  const r = await alice.request('PATCH', '/api/managers/alice', { availability: 'away', active: ['erin'] });
  t.equal(r.status, 400, 'erin is not in the pool');
  t.equal(r.body.field, 'active');
  t.match(r.body.error, /erin/);
  const after = (await alice.get('/api/managers/alice')).body;
  t.same(after, before, 'the valid availability was not applied either');
  const noTarget = await (await as('dave')).request('PATCH', '/api/managers/dave', { filter: true, fallback: 'mobile' });
  t.equal(noTarget.status, 400, 'dave has no mobile');
  t.equal(noTarget.body.field, 'fallback');
  t.equal(d.state().managers['dave']?.isFilterOn, false, 'filter stayed off');
});

t.test('bad bodies name the field', async (t) => {
  const alice = await as('alice');
  const cases: Array<[unknown, string]> = [
    [{ filter: 'yes' }, 'filter'],
    [{ filtre: true }, 'filtre'],
    [{ availability: 'sleeping' }, 'availability'],
    [{ no_answer: 0 }, 'no_answer'],
    [{ no_answer: 2.5 }, 'no_answer'],
    [{ forward: { number: 'abc' } }, 'forward'],
    [{ active: 'bob' }, 'active'],
    [{ schedule: { hours: [{ day: 'funday', from: '09:00', to: '10:00' }], outside: 'desk' } }, 'schedule'],
  ];
  for (const [body, field] of cases) {
    const r = await alice.request('PATCH', '/api/managers/alice', body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(r.body.field, new RegExp(`^${field}`), `${JSON.stringify(body)} -> field ${r.body.field}: ${r.body.error}`);
  }
  const empty = await alice.request('PATCH', '/api/managers/alice', {});
  t.equal(empty.status, 400, 'an empty patch');
  const notJson = await alice.request('PATCH', '/api/managers/alice', undefined, { raw: '{nope', headers: { 'content-type': 'application/json' } });
  t.equal(notJson.status, 400, 'a body that is not JSON');
  t.type(notJson.body.error, 'string');
});

t.test('whitelist and block list', async (t) => {
  const carol = await as('carol');
  const added = await carol.request('POST', '/api/managers/dave/whitelist', { entry: '+3902*' });
  t.equal(added.status, 201);
  t.same(added.body.whitelist.map((e: { entry: string }) => e.entry), ['+3902*']);
  const oneCall = await carol.request('POST', '/api/managers/dave/whitelist', { entry: '0612345678', oneCall: true });
  t.equal(oneCall.status, 201);
  t.ok(oneCall.body.whitelist.some((e: { oneCall: boolean }) => e.oneCall), 'a one-call entry');
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  const timed = await carol.request('POST', '/api/managers/dave/whitelist', { entry: '5555', expires });
  t.equal(timed.status, 201);
  t.ok(timed.body.whitelist.some((e: { entry: string; expires: string | null }) => e.entry === '5555' && e.expires === expires), 'an entry with an expiry');
  const past = await carol.request('POST', '/api/managers/dave/whitelist', { entry: '5556', expires: '2001-01-01T00:00:00Z' });
  t.equal(past.status, 400);
  t.equal(past.body.field, 'expires');
  const bad = await carol.request('POST', '/api/managers/dave/whitelist', { entry: 'call me' });
  t.equal(bad.status, 400);
  t.equal(bad.body.field, 'entry');
  const removed = await carol.request('DELETE', `/api/managers/dave/whitelist/${encodeURIComponent('+3902*')}`);
  t.equal(removed.status, 200);
  t.notOk(removed.body.whitelist.some((e: { entry: string }) => e.entry === '+3902*'));
  t.equal((await carol.request('DELETE', '/api/managers/dave/whitelist/999')).status, 404, 'absent entry: 404');
  t.equal((await (await as('bob')).request('POST', '/api/managers/dave/whitelist', { entry: '1' })).status, 403, 'bob is not in the pool of dave');

  const blocked = await carol.request('POST', '/api/managers/dave/blocklist', { entry: '0800*' });
  t.equal(blocked.status, 201);
  t.same(blocked.body.blocklist.map((e: { entry: string }) => e.entry), ['0800*']);
  t.equal((await carol.request('DELETE', '/api/managers/dave/blocklist/0800*')).status, 200);
  t.equal((await carol.request('DELETE', '/api/managers/dave/blocklist/0800*')).status, 404);
});

t.test('assistants', async (t) => {
  const ids = async (login: string) => ((await (await as(login)).get('/api/assistants')).body as Array<{ id: string }>).map((a) => a.id).sort();
  t.same(await ids('admin'), ['bob', 'carol', 'erin']);
  t.same(await ids('alice'), ['bob', 'carol'], "a manager sees the pool");
  t.same(await ids('bob'), ['bob', 'carol'], 'an assistant sees themselves and the colleagues of their pools');
  t.same(await ids('erin'), ['carol', 'erin']);
  const erin = await as('erin');
  const own = await erin.request('PATCH', '/api/assistants/erin', { availability: 'away' });
  t.equal(own.status, 200);
  t.match(own.body, { id: 'erin', availability: 'away', managers: ['dave'], phone: 'unknown' });
  t.equal((await erin.request('PATCH', '/api/assistants/carol', { availability: 'away' })).status, 403, "not someone else's");
  t.equal((await (await as('dave')).request('PATCH', '/api/assistants/erin', { availability: 'offline' })).status, 403, 'a manager cannot set an assistant');
  t.equal((await (await as('admin')).request('PATCH', '/api/assistants/erin', { availability: 'offline' })).status, 200, 'an admin can');
  const bad = await erin.request('PATCH', '/api/assistants/erin', { availability: 'busy' });
  t.equal(bad.status, 400);
  t.equal(bad.body.field, 'availability');
  t.equal((await erin.request('PATCH', '/api/assistants/zed', { availability: 'away' })).status, 404);
});
