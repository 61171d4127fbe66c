/**
 * A reload is all or nothing (a daemon in this process, on loopback):
 * - when the store cannot be written (here: yaml-whitelists.json cannot be replaced), the reload
 *   is refused with the reason, and neither memory (configuration, directory, state) nor disk
 *   (the stored state, read back after closing) holds any part of the new file
 * - once the store can be written again, the same file reloads whole
 */
import t from 'tap';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { StateStore } from '../src/store/state-store.js';
import { daemon, setup } from './sipp/fixtures/e2e.js';

t.test('a reload whose store write fails changes nothing, in memory or on disk', async (t) => {
  const s = await setup({ whitelist: ['+39021234567'] });
  const d = await daemon(s);
  let isClosed = false;
  t.teardown(() => (isClosed ? undefined : d.close()));
  const parsed = parseConfig(s.config({ whitelist: ['+390288888'], drainTimeout: '1s' }), { baseDir: s.dir });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const whitelist = () => Object.keys(d.state().managers['alice']?.lists.whitelist ?? {});
  const before = { config: d.config(), directory: d.directory(), state: d.state() };

  // A folder where the temporary file must go: the atomic write of yaml-whitelists.json fails.
  const blocker = join(s.dir, 'var', 'yaml-whitelists.json.tmp');
  mkdirSync(blocker);
  const refused = d.reload(parsed.config);
  t.match(refused, { ok: false, reason: /YAML whitelists/ }, 'refused, saying what could not be written');
  t.equal(d.config(), before.config, 'the running configuration stays (drain_timeout too)');
  t.equal(d.directory(), before.directory, 'so does the directory');
  t.same(whitelist(), ['+39021234567'], 'and the whitelist');
  t.equal(d.state(), before.state);

  rmdirSync(blocker);
  const applied = d.reload(parsed.config);
  t.same(applied, { ok: true, warnings: [] }, 'the same file reloads once the store can be written');
  t.same(whitelist(), ['+390288888']);
  t.equal(d.config().shutdown.drainTimeoutMs, 1000);

  // On disk: the refused reload left no trace, the applied one is there.
  await d.close();
  isClosed = true;
  const reopened = StateStore.open(join(s.dir, 'var'));
  t.same(Object.keys(reopened.state?.managers['alice']?.lists.whitelist ?? {}), ['+390288888']);
  reopened.store.close();
});

t.test('the refused reload is undone on disk too', async (t) => {
  const s = await setup({ whitelist: ['+39021234567'] });
  const d = await daemon(s);
  const parsed = parseConfig(s.config({ whitelist: ['+390288888'] }), { baseDir: s.dir });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  mkdirSync(join(s.dir, 'var', 'yaml-whitelists.json.tmp'));
  t.match(d.reload(parsed.config), { ok: false });
  await d.close();
  const reopened = StateStore.open(join(s.dir, 'var'));
  t.same(Object.keys(reopened.state?.managers['alice']?.lists.whitelist ?? {}), ['+39021234567'], 'the stored state is the running one');
  reopened.store.close();
});
