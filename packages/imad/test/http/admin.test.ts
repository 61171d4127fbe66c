/**
 * Admin endpoints and monitoring through real HTTP:
 * - GET /api/config: the file as on disk (admin); others 403, strangers 401
 * - PUT /api/config with an error: 422 with every problem's line and column; the file unchanged
 * - PUT /api/config valid: written (comments kept, file mode kept), reloaded (a renamed manager
 *   shows at once, and as a live event), warnings listed (sip.listen changed)
 * - a daemon started without a file (as a library): GET/PUT /api/config answer 409
 * - GET /api/peers: admin only
 * - POST /api/explain: where a call would go and why; a manager may not explain another's number
 * - GET /api/health (no login), GET /metrics (Prometheus text, no login)
 * - GET /openapi.json equals docs/openapi.json, and lists every fixed path
 */
import t from 'tap';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { Client, apiSetup, loggedIn, openEvents, startApi } from './fixtures.js';

const s = await apiSetup();
const d = await startApi(s);
t.teardown(() => d.close());

t.test('config: read and replace', async (t) => {
  const admin = await loggedIn(d.base, 'admin');
  const got = await admin.get('/api/config');
  t.equal(got.status, 200);
  t.match(got.headers.get('content-type'), /yaml/);
  t.equal(got.text, s.yaml, 'the file as it is on disk');
  t.equal((await (await loggedIn(d.base, 'alice')).get('/api/config')).status, 403, 'a manager may not read it');
  t.equal((await new Client(d.base).get('/api/config')).status, 401);
  t.equal((await (await loggedIn(d.base, 'bob')).request('PUT', '/api/config', undefined, { raw: s.yaml, headers: { 'content-type': 'text/yaml' } })).status, 403);

  const broken = s.yaml.replace('    number: "1100"', '    nubmer: "1100"').replace('level: silent', 'level: loud');
  const bad = await admin.request('PUT', '/api/config', undefined, { raw: broken, headers: { 'content-type': 'text/yaml' } });
  t.equal(bad.status, 422);
  t.ok(bad.body.problems.length >= 2, JSON.stringify(bad.body));
  const lines = broken.split('\n');
  const nubmerLine = lines.findIndex((l) => l.includes('nubmer')) + 1;
  const levelLine = lines.findIndex((l) => l.includes('level: loud')) + 1;
  t.ok(bad.body.problems.some((p: { line: number; column: number; message: string }) => p.line === nubmerLine && p.column === 5 && /nubmer/.test(p.message)), 'the unknown key at its line and column');
  t.ok(bad.body.problems.some((p: { line: number }) => p.line === levelLine), 'the bad level at its line');
  t.equal(readFileSync(s.file, 'utf8'), s.yaml, 'the file is unchanged');

  const carolEvents = await openEvents(await loggedIn(d.base, 'carol'));
  t.teardown(() => carolEvents.close());
  chmodSync(s.file, 0o640);
  const renamed = s.yaml.replace('name: Dave Neri', 'name: Dave Neri-Bianchi  # renamed through the API');
  const ok = await admin.request('PUT', '/api/config', undefined, { raw: renamed, headers: { 'content-type': 'text/yaml' } });
  t.equal(ok.status, 200, JSON.stringify(ok.body));
  t.same(ok.body, { warnings: [] });
  t.equal(readFileSync(s.file, 'utf8'), renamed, 'written as sent, comments kept');
  t.equal(statSync(s.file).mode & 0o777, 0o640, 'the file mode is kept');
  t.equal((await admin.get('/api/managers/dave')).body.name, 'Dave Neri-Bianchi', 'reloaded at once');
  t.ok(await carolEvents.next((e) => e.event === 'manager' && e.data.name === 'Dave Neri-Bianchi', 1000), "dave's assistant sees the new name live");

  const moved = renamed.replace(`udp://127.0.0.1:${s.sipPort}`, 'udp://127.0.0.1:1');
  const warned = await admin.request('PUT', '/api/config', undefined, { raw: moved, headers: { 'content-type': 'text/yaml' } });
  t.equal(warned.status, 200);
  t.match(warned.body.warnings, [/sip.listen changed/]);
  const notText = await admin.request('PUT', '/api/config', { sip: {} });
  t.equal(notText.status, 400, 'a JSON body is not a configuration text');
});

t.test('no configuration file: 409', async (t) => {
  const other = await apiSetup();
  const loaded = await loadConfig(other.file);
  if (!loaded.ok) throw new Error('the test configuration is valid');
  const library = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
  t.teardown(() => library.close());
  const admin = await loggedIn(`http://127.0.0.1:${library.http.port}`, 'admin');
  const got = await admin.get('/api/config');
  t.equal(got.status, 409);
  t.match(got.body.error, /without a configuration file/);
  t.equal((await admin.request('PUT', '/api/config', undefined, { raw: other.yaml, headers: { 'content-type': 'text/yaml' } })).status, 409);
});

t.test('peers and explain', async (t) => {
  const admin = await loggedIn(d.base, 'admin');
  const peers = await admin.get('/api/peers');
  t.equal(peers.status, 200);
  t.match(peers.body, [{ host: '127.0.0.1', port: s.pbxPort, status: 'unknown', since: /^\d{4}-/ }]);
  t.equal((await (await loggedIn(d.base, 'alice')).get('/api/peers')).status, 403);

  const alice = await loggedIn(d.base, 'alice');
  const screened = await alice.request('POST', '/api/explain', { caller: '0611111111', called: '1000' });
  t.equal(screened.status, 200);
  t.match(screened.body, { decision: 'assistants', managerId: 'alice', targets: ['2000'], reason: /filter/ });
  t.ok(screened.body.steps.length > 0, 'with the steps');
  const white = await alice.request('POST', '/api/explain', { caller: '+39021234567', called: '1000' });
  t.match(white.body, { decision: 'manager', targets: ['81000'], reason: /whitelist/ });
  t.equal((await alice.request('POST', '/api/explain', { caller: '1', called: '1100' })).status, 403, "not dave's calls");
  const missing = await alice.request('POST', '/api/explain', { caller: '1' });
  t.equal(missing.status, 400);
  t.equal(missing.body.field, 'called');
  t.match((await admin.request('POST', '/api/explain', { caller: '1', called: '4242' })).body, { decision: 'reject', managerId: null });
});

t.test('health, metrics, openapi: no login', async (t) => {
  const health = await fetch(d.base + '/api/health');
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'ok', calls: 0, peers: [{ status: 'unknown' }] });
  const metrics = await fetch(d.base + '/metrics');
  t.equal(metrics.status, 200);
  const text = await metrics.text();
  for (const name of ['ima_calls_total 0', 'ima_calls_active 0', 'ima_decisions_total{kind="assistants"}', 'ima_trunk_peer_up{peer="127.0.0.1:', 'ima_errors_total{source="http"} 0', 'ima_login_failures_total']) {
    t.ok(text.includes(name), name);
  }
  const served = (await (await fetch(d.base + "/openapi.json")).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  const docs = JSON.parse(readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'));
  t.same(served, docs, 'docs/openapi.json is the served document (regenerate: pnpm --filter @ima/imad openapi)');
  for (const path of ['/api/login', '/api/logout', '/api/me', '/api/managers', '/api/managers/{id}', '/api/managers/{id}/whitelist', '/api/managers/{id}/whitelist/{entry}', '/api/assistants/{id}', '/api/calls', '/api/calls/{id}/steer', '/api/history', '/api/events', '/api/health', '/metrics', '/openapi.json']) {
    t.ok(served.paths[path], path);
  }
  t.ok(served.paths['/api/managers/{id}']?.['patch']?.requestBody, 'PATCH has its body schema');
});
