/**
 * A disk that refuses the store's writes while calls go on (a daemon in this process, SIPp as the PBX):
 * - a call whose routing uses up a one-call whitelist entry still reaches the desk; the state change
 *   that could not be stored is logged and not made (the entry stays)
 * - once the disk takes writes again, the next call uses the entry up as usual
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { StateStore } from '../../src/store/state-store.js';
import { call, daemon, outcome, recordingLogger, requireSipp, setup } from './fixtures/e2e.js';

if (requireSipp('a refused store write during a call')) {
  t.test('a one-call entry used while the disk refuses writes: the call still routes', async (t) => {
    const s = await setup();
    const rec = recordingLogger();
    const d = await daemon(s, rec.logger);
    t.teardown(() => d.close());
    t.same(d.apply({ type: 'addEntry', by: { kind: 'system' }, managerId: 'alice', entry: { list: 'whitelist', pattern: '0277777', expiry: { kind: 'one-call' } } }), { ok: true });
    const entry = () => d.state().managers['alice']?.lists.whitelist['0277777'];

    const commit = StateStore.prototype.commit;
    StateStore.prototype.commit = () => {
      throw new Error('ENOSPC: no space left on device');
    };
    let refused;
    try {
      refused = outcome(await call(s, '0277777', 1));
    } finally {
      StateStore.prototype.commit = commit;
    }
    t.same(refused, { caller: 0, phones: 0, invites: ['81000'] }, 'the whitelisted caller reaches the desk');
    t.ok(rec.lines.some((l) => l.includes('state change not stored') && l.includes('ENOSPC')), 'the refused write is logged with its cause');
    t.ok(entry() !== undefined, 'the entry was not used up, since that could not be stored');

    t.same(outcome(await call(s, '0277777', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'the disk writes again: the entry lets this call through');
    t.equal(entry(), undefined, 'and is used up now');
  });
}
