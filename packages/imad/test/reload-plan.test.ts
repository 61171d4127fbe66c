/**
 * What a reload may apply to a running daemon (planReload):
 * - every restart-only setting the file changes is named, and keeps its running value
 * - every other setting (trunk allow, log.level, shutdown.drain_timeout, ...) follows the file
 * - a file that changes nothing restart-only needs no restart
 */
import t from 'tap';
import { RESTART_ONLY, planReload } from '../src/reload-plan.js';
import { configOf } from './fixtures/config.js';

const text = (o: { listen: string; allow: string; phoneState: string; dir: string; http: string; level: string; drain: string }) => `
sip:
  listen: [ "${o.listen}" ]
  trunk:
    peers: [ "127.0.0.1:5080" ]
    allow: [ "${o.allow}" ]
    phone_state: ${o.phoneState}
http:
  listen: "${o.http}"
  session_idle: 30m
storage:
  dir: ${o.dir}
log:
  level: ${o.level}
shutdown:
  drain_timeout: ${o.drain}
`;

const base = { listen: 'udp://127.0.0.1:5060', allow: '127.0.0.1/32', phoneState: 'none', dir: '/var/lib/imad', http: '127.0.0.1:8080', level: 'info', drain: '30s' };

t.test('restart-only settings keep their running values and are named; the rest follows the file', async (t) => {
  const running = configOf(text(base));
  const file = configOf(text({ listen: 'udp://127.0.0.1:5070', allow: '127.0.0.0/8', phoneState: 'presence', dir: '/srv/imad', http: '127.0.0.1:9090', level: 'debug', drain: '2s' }));
  const plan = planReload(running, file);
  t.same(plan.needsRestart, ['storage.dir', 'sip.listen', 'sip.trunk.phone_state', 'http.listen']);
  for (const { key, of } of RESTART_ONLY) t.same(of(plan.config), of(running), `${key} keeps its running value`);
  t.same(plan.config.sip.trunk.allow, file.sip.trunk.allow, 'sip.trunk.allow follows the file');
  t.equal(plan.config.log.level, 'debug', 'log.level follows the file');
  t.equal(plan.config.shutdown.drainTimeoutMs, 2000, 'shutdown.drain_timeout follows the file');
});

t.test('a file that changes nothing restart-only needs no restart', async (t) => {
  const running = configOf(text(base));
  const plan = planReload(running, configOf(text({ ...base, allow: '127.0.0.0/24', level: 'warn' })));
  t.same(plan.needsRestart, []);
  t.same(plan.config, configOf(text({ ...base, allow: '127.0.0.0/24', level: 'warn' })), 'the file, unchanged');
});
