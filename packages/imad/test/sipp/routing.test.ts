/**
 * imad end to end, SIPp playing the PBX (its trunk side and its phones) over loopback UDP:
 * - a whitelisted caller reaches the manager's desk (81000)
 * - any other caller is offered to the active assistant (2000)
 * - the assistant busy: the call goes to voicemail (8000) with a Diversion naming the manager's number
 * - a request from an address outside sip.trunk.allow gets 403
 * - a setting changed at run time survives a restart, and the next call follows it
 * SIPp is required under CI=true; elsewhere the test is skipped with a notice when it is missing.
 */
import t from 'tap';
import { call, daemon, freeUdpPort, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';

if (requireSipp('imad end to end')) {
  t.test('imad routes calls from the trunk by the policy', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());

    t.test('a whitelisted caller reaches the desk', async (t) => {
      const r = await call(s, '+39021234567', 1);
      t.same([r.caller, r.phones], [0, 0], 'both sides completed the call');
      t.same(r.invites, ['81000']);
    });

    t.test('any other caller is offered to the active assistant', async (t) => {
      const r = await call(s, '0299999', 1);
      t.same([r.caller, r.phones], [0, 0]);
      t.same(r.invites, ['2000']);
      t.match(r.froms[0], /^"Mario Rossi > Alice Rossi" <sip:0299999@/, "the assistant's phone shows whose call it is; the caller's number is kept");
    });

    t.test('the assistant busy: voicemail, with a Diversion naming the manager', async (t) => {
      const r = await call(s, '0299999', 2, '2000');
      t.same([r.caller, r.phones], [0, 0]);
      t.same(r.invites, ['2000', '8000']);
      t.equal(r.diversions.length, 1);
      t.match(r.diversions[0], /^<sip:1000@127\.0\.0\.1>;reason=no-answer;counter=1/);
    });

    t.test('without subscriptions, a phone is busy while a call through IMA is up on it', async (t) => {
      t.equal(d.state().phones['81000'] ?? 'unknown', 'idle', 'idle after the earlier calls ended');
      const during: string[] = [];
      const poll = setInterval(() => during.push(d.state().phones['81000'] ?? 'unknown'), 100);
      const r = await call(s, '+39021234567', 1, 'none', 1500);
      clearInterval(poll);
      t.same([r.caller, r.phones], [0, 0]);
      t.ok(during.includes('busy'), 'busy during the call');
      t.equal(d.state().phones['81000'], 'idle', 'idle again after it');
    });

    t.test('the assistant does not answer: CANCEL after no_answer, then voicemail with Diversion reason no-answer', async (t) => {
      const r = await call(s, '0299999', 2, 'none', 200, '2000');
      t.same([r.caller, r.phones], [0, 0]);
      t.same(r.invites, ['2000', '8000']);
      t.match(r.diversions[0], /^<sip:1000@127\.0\.0\.1>;reason=no-answer/);
    });

    t.test('a request from outside sip.trunk.allow gets 403 and never reaches the policy', async (t) => {
      let decisions = 0;
      const off = d.on('decision', () => decisions++);
      t.teardown(off);
      const code = await sipp(['-sf', scenarios + 'refused-caller.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-i', '127.0.0.2', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
      t.equal(code, 0, 'SIPp got its 403');
      t.equal(decisions, 0, 'the policy was not asked');
    });
  });

  t.test('a run-time change survives a restart and the next call follows it', async (t) => {
    const s = await setup();
    const first = await daemon(s);
    const applied = first.apply({ type: 'setFilter', by: { kind: 'system' }, managerId: 'alice', isOn: false });
    t.same(applied, { ok: true });
    await first.close();
    const second = await daemon(s);
    t.teardown(() => second.close());
    t.equal(second.state().managers.alice?.isFilterOn, false, 'the filter is still off after the restart');
    const r = await call(s, '0299999', 1);
    t.same([r.caller, r.phones], [0, 0]);
    t.same(r.invites, ['81000'], 'filter off: the desk rings');
  });
}
