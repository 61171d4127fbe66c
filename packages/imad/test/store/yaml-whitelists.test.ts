/**
 * YAML whitelist edits made while imad was stopped are applied at the next start,
 * as a SIGHUP would apply them, and whitelist entries added at run time stay.
 */
import t from 'tap';
import pino from 'pino';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../src/daemon.js';
import { whitelistCommands } from '../../src/store/yaml-whitelists.js';
import { freeTcpPort, freeUdpPort } from '../../src/free-port.js';
import { configOf } from '../fixtures/config.js';

const configWith = async (dir: string, whitelist: string[]) =>
  configOf(
    [
      'sip:',
      `  listen: [ "udp://127.0.0.1:${await freeUdpPort()}" ]`,
      '  trunk: { peers: [ "127.0.0.1:9" ], allow: [ "127.0.0.1/32" ], options_interval: 0s, phone_state: none }',
      `http: { listen: "127.0.0.1:${await freeTcpPort()}" }`,
      `storage: { dir: "${dir}" }`,
      'managers:',
      '  - { id: alice, name: Alice, number: "1000", targets: { desk: "81000", voicemail: "8000" }, assistants: [ bob ], active: [ bob ],',
      `      whitelist: [ ${whitelist.map((p) => `"${p}"`).join(', ')} ] }`,
      'assistants:',
      '  - { id: bob, name: Bob, number: "2000" }',
      '',
    ].join('\n'),
  );

const whitelistOf = (d: { state(): { managers: Record<string, { lists: { whitelist: Record<string, unknown> } } | undefined> } }) =>
  Object.keys(d.state().managers.alice!.lists.whitelist).sort();

t.test('an edit of the YAML whitelist while stopped is applied at start; run-time entries stay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imad-wl-'));
  const logger = pino({ level: 'silent' });

  const first = await startDaemon(await configWith(dir, ['+39021111111', '+39022222222']), { logger });
  t.same(whitelistOf(first), ['+39021111111', '+39022222222']);
  t.same(first.apply({ type: 'addEntry', by: { kind: 'system' }, managerId: 'alice', entry: { list: 'whitelist', pattern: '+39023333333', expiry: { kind: 'never' } } }), { ok: true });
  await first.close();
  t.same(JSON.parse(readFileSync(join(dir, 'yaml-whitelists.json'), 'utf8')), { alice: ['+39021111111', '+39022222222'] });

  // While stopped: one entry removed from the file, one added.
  const second = await startDaemon(await configWith(dir, ['+39022222222', '+39024444444']), { logger });
  t.same(whitelistOf(second), ['+39022222222', '+39023333333', '+39024444444'], 'removed from the file: gone; added: there; added at run time: kept');
  await second.close();

  // Restarting on the same file changes nothing.
  const third = await startDaemon(await configWith(dir, ['+39022222222', '+39024444444']), { logger });
  t.same(whitelistOf(third), ['+39022222222', '+39023333333', '+39024444444']);
  await third.close();
});

t.test('a store from before yaml-whitelists.json existed: YAML entries are added, none removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imad-wl-'));
  const logger = pino({ level: 'silent' });
  const first = await startDaemon(await configWith(dir, ['+39021111111']), { logger });
  await first.close();
  writeFileSync(join(dir, 'yaml-whitelists.json'), '{}\n');
  const second = await startDaemon(await configWith(dir, ['+39025555555']), { logger });
  t.same(whitelistOf(second), ['+39021111111', '+39025555555']);
  await second.close();
});

t.test('a corrupt yaml-whitelists.json stops the start with a clear error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imad-wl-'));
  writeFileSync(join(dir, 'yaml-whitelists.json'), '{"alice": "not a list"}');
  await t.rejects(startDaemon(await configWith(dir, []), { logger: pino({ level: 'silent' }) }), { code: 'IMAD_STORE_CORRUPT', message: /yaml-whitelists\.json/ });
});

t.test('whitelistCommands: the difference, per manager', async (t) => {
  const types = whitelistCommands({ a: ['1', '2'] }, { a: ['2', '3'], b: ['4'] }).map((c) =>
    c.type === 'addEntry' ? `+${c.managerId}:${c.entry.pattern}` : c.type === 'removeEntry' ? `-${c.managerId}:${c.pattern}` : c.type,
  );
  t.same(types, ['+a:3', '-a:1', '+b:4']);
});
