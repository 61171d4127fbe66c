/**
 * Restarts of the daemon as operators run it (node dist/cli.js start -c FILE), SIPp playing the PBX:
 * - state changed through `imad ctl` (whitelist-add, filter off), `kill -9` of the daemon, start
 *   again: `imad ctl status` shows it back, and calls route by it
 * - the YAML whitelist edited while imad was stopped: at the next start an added number reaches the
 *   desk, a removed one does not, and an entry added at run time through `imad ctl` stays
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ctlRequest } from '../../src/ctl/server.js';
import { call, ctl, imadStart, outcome, requireSipp, setup } from './fixtures/e2e.js';

if (requireSipp('imad restarts')) {
  t.test('state changed through imad ctl, kill -9 of the daemon, start again: the state is back', async (t) => {
    const s = await setup();
    const file = join(s.dir, 'imad.yaml');
    writeFileSync(file, s.config({ logLevel: 'info' }));
    const first = imadStart(file);
    t.teardown(() => void first.proc.kill('SIGKILL'));
    await first.until(/imad started/);
    t.same(await ctl(file, 'whitelist-add', 'alice', '+390277*'), { code: 0, out: 'done\n', err: '' });
    t.same(await ctl(file, 'filter', 'alice', 'off'), { code: 0, out: 'done\n', err: '' });
    first.proc.kill('SIGKILL');
    await first.exited;
    t.equal(first.proc.signalCode, 'SIGKILL', 'the daemon was killed, not stopped');

    const second = imadStart(file);
    t.teardown(() => void second.proc.kill('SIGKILL'));
    await second.until(/imad started/);
    const status = await ctl(file, 'status');
    t.equal(status.code, 0, status.err);
    t.match(JSON.parse(status.out), { managers: [{ id: 'alice', filter: false }] }, 'ctl status: the filter is still off');
    t.same(outcome(await call(s, '0299999', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'filter off: any caller reaches the desk');

    // The same control socket as imad ctl, without one more process start (slow on a loaded machine).
    t.same(await ctlRequest(join(s.dir, 'var', 'imad.sock'), { cmd: 'filter', args: ['alice', 'on'] }), { ok: true, result: 'done' });
    t.same(outcome(await call(s, '+39027712', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'filter on: the caller whitelisted before the kill reaches the desk');
    t.same(outcome(await call(s, '0299999', 1)), { caller: 0, phones: 0, invites: ['2000'] }, 'and another caller the assistant');
    second.proc.kill('SIGTERM');
    t.equal(await second.exited, 0);
  });

  t.test('the YAML whitelist edited while imad was stopped is applied at the next start', async (t) => {
    const s = await setup();
    const file = join(s.dir, 'imad.yaml');
    writeFileSync(file, s.config({ logLevel: 'info', whitelist: ['+39021234567'] }));
    const first = imadStart(file);
    t.teardown(() => void first.proc.kill('SIGKILL'));
    await first.until(/imad started/);
    t.same(await ctl(file, 'whitelist-add', 'alice', '+390299*'), { code: 0, out: 'done\n', err: '' }, 'an entry added at run time');
    first.proc.kill('SIGTERM');
    t.equal(await first.exited, 0);

    writeFileSync(file, s.config({ logLevel: 'info', whitelist: ['+390288888'] }));
    const second = imadStart(file);
    t.teardown(() => void second.proc.kill('SIGKILL'));
    await second.until(/imad started/);
    t.same(outcome(await call(s, '+390288888', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'the number added to the file reaches the desk');
    t.same(outcome(await call(s, '+39021234567', 1)), { caller: 0, phones: 0, invites: ['2000'] }, 'the number removed from the file does not');
    t.same(outcome(await call(s, '+39029912', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'the entry added at run time stays');
    second.proc.kill('SIGTERM');
    t.equal(await second.exited, 0);
  });
}
