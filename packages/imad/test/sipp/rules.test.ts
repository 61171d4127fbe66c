/**
 * Every routing rule of DESIGN.md and the policy issue, end to end: SIPp places the PBX's call to
 * the manager's public number (1000) at the daemon, and SIPp as the PBX's phones (pbx.xml) reads
 * the Request-URI and the Diversion of what IMA sends them. Each case sets alice's settings through
 * the daemon's commands and puts them back afterwards.
 * - filter off: any caller rings the desk, with no Diversion
 * - an assistant calling their manager: the desk when she is available (even with the filter on);
 *   busy or away: 486 with a Reason naming why, and no phone rings
 * - forward all to mobile, alternative, voicemail or any number: that number, Diversion naming the
 *   manager's public number with reason unconditional; it wins over the whitelist
 * - a blocked caller: voicemail with Diversion reason deflection; with block_action reject: 603 and
 *   no phone rings; the block list wins over the whitelist
 * - a schedule: outside office hours, the chosen target (Diversion reason time-of-day); inside them,
 *   the usual rules
 * - exclusive filter mode: only the screen list goes to the assistants, everyone else rings the desk
 * - a VIP caller goes to the named assistant only; a one-call whitelist entry lets exactly one call through
 * - no assistant available: the fallback at once (voicemail, or mobile), Diversion reason unavailable
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t, { type Test } from 'tap';
import { localTime, WEEKDAYS } from '@ima/ima-policy';
import type { Command, ManagerCommand } from '@ima/ima-policy';
import { bodyOf, calledNumber, daemon, dial, firstLine, headerValues, pbx, receivedInvites, requireSipp, setup } from './fixtures/e2e.js';
import type { DialOptions, Traced } from './fixtures/e2e.js';

const whitelisted = '+39021234567';
const stranger = '0299999';
const mobile = '+393331234567';
/** The Diversion IMA adds: the manager's public number, so that the box or the forward is hers (RFC 5806). */
const diversion = (reason: string) => [`<sip:1000@127.0.0.1>;reason=${reason};counter=1;privacy=off`];

if (requireSipp('routing rules end to end')) {
  t.test('each routing rule, through the daemon to the phones', async (t) => {
    const s = await setup({
      targets: { mobile, alternative: '1099' },
      assistants: [
        { id: 'bob', name: 'Bob Bianchi', number: '2000' },
        { id: 'carol', name: 'Carol Verdi', number: '2001' },
      ],
      active: ['bob'],
    });
    const p = await pbx(s);
    t.teardown(() => p.stop());
    const d = await daemon(s);
    t.teardown(() => d.close());

    /** Applies a change to alice's settings for one case, and `undo` when the case ends. */
    const given = (t: Test, change: ManagerCommand, undo: ManagerCommand): void => {
      const alice = (c: ManagerCommand) => ({ ...c, by: { kind: 'system' }, managerId: 'alice' }) as Command;
      t.same(d.apply(alice(change)), { ok: true }, `${change.type} applied`);
      t.teardown(() => void d.apply(alice(undo)));
    };
    /** One call from `caller`; what the phones were sent for it and what the caller got. */
    const ring = async (caller: string, o: DialOptions = {}): Promise<{ code: number | null; invites: Traced[]; rang: string[]; caller: Traced[] }> => {
      const before = receivedInvites(p.messages()).length;
      const r = await dial(s, caller, o);
      const invites = receivedInvites(p.messages()).slice(before);
      return { code: r.code, invites, rang: invites.map(calledNumber), caller: r.messages };
    };
    /** A call IMA must refuse: the final response the caller got, and that no phone was asked to ring. */
    const refused = async (t: Test, caller: string): Promise<Traced | undefined> => {
      const r = await ring(caller, { scenario: 'declined-caller.xml' });
      t.equal(r.code, 0, 'the caller got a final refusal and ACKed it');
      t.same(r.rang, [], 'no phone rings');
      return r.caller.find((m) => !m.sent && /^SIP\/2\.0 [3-6]\d\d /.test(m.text));
    };

    t.test('filter off: any caller rings the desk, with no Diversion', async (t) => {
      given(t, { type: 'setFilter', isOn: false }, { type: 'setFilter', isOn: true });
      const r = await ring(stranger);
      t.equal(r.code, 0);
      t.same(r.rang, ['81000']);
      t.same(headerValues(r.invites[0]!.text, 'Diversion'), [], 'not diverted');
      t.match(headerValues(r.invites[0]!.text, 'From')[0], /^"?Mario Rossi"? <sip:0299999@/, "the desk shows the caller, not the assistant's template");
    });

    t.test('an assistant calling their manager, available: the desk, whatever the filter', async (t) => {
      const r = await ring('2000');
      t.equal(r.code, 0);
      t.same(r.rang, ['81000']);
    });

    for (const availability of ['busy', 'away'] as const) {
      t.test(`an assistant calling their manager, ${availability}: 486 with a Reason the assistant can read`, async (t) => {
        given(t, { type: 'setAvailability', availability }, { type: 'setAvailability', availability: 'available' });
        const final = await refused(t, '2000');
        t.equal(final && firstLine(final.text), 'SIP/2.0 486 Busy Here');
        t.same(final && headerValues(final.text, 'Reason'), [`SIP;cause=486;text="caller is assistant bob; manager alice is ${availability}"`], 'a Reason header says why (RFC 3326)');
      });
    }

    for (const [target, number] of [['mobile', mobile], ['alternative', '1099'], ['voicemail', '8000']] as const) {
      t.test(`forward all to ${target}: ${number} with a Diversion naming the manager, even for a whitelisted caller`, async (t) => {
        given(t, { type: 'setForward', forward: { kind: 'target', target } }, { type: 'setForward', forward: { kind: 'off' } });
        const r = await ring(whitelisted);
        t.equal(r.code, 0);
        t.same(r.rang, [number]);
        t.same(headerValues(r.invites[0]!.text, 'Diversion'), diversion('unconditional'));
      });
    }

    t.test('forward all to any number', async (t) => {
      given(t, { type: 'setForward', forward: { kind: 'number', number: '5555' } }, { type: 'setForward', forward: { kind: 'off' } });
      const r = await ring(stranger);
      t.equal(r.code, 0);
      t.same(r.rang, ['5555']);
      t.same(headerValues(r.invites[0]!.text, 'Diversion'), diversion('unconditional'));
    });

    t.test('a blocked caller goes to voicemail with a Diversion, even when whitelisted', async (t) => {
      given(t, { type: 'addEntry', entry: { list: 'block', pattern: whitelisted, expiry: { kind: 'never' } } }, { type: 'removeEntry', list: 'block', pattern: whitelisted });
      const r = await ring(whitelisted);
      t.equal(r.code, 0);
      t.same(r.rang, ['8000']);
      t.same(headerValues(r.invites[0]!.text, 'Diversion'), diversion('deflection'));
    });

    t.test('a blocked caller, block_action reject: 603 Decline, no phone rings', async (t) => {
      given(t, { type: 'addEntry', entry: { list: 'block', pattern: '0299*', expiry: { kind: 'never' } } }, { type: 'removeEntry', list: 'block', pattern: '0299*' });
      given(t, { type: 'setBlockAction', action: 'reject' }, { type: 'setBlockAction', action: 'voicemail' });
      const final = await refused(t, stranger);
      t.equal(final && firstLine(final.text), 'SIP/2.0 603 Decline');
      t.same(final && headerValues(final.text, 'Reason'), ['SIP;cause=603;text="caller \\"Mario Rossi\\" 0299999 is blocked (0299*), rejected"'], "why, the caller's name quoted");
    });

    t.test('outside office hours: the schedule chosen target, with a Diversion reason time-of-day', async (t) => {
      // Office hours only on the day three days from today: now is outside them, whatever the hour.
      const today = WEEKDAYS.indexOf(localTime('UTC', Date.now())!.day);
      const day = WEEKDAYS[(today + 3) % 7]!;
      given(
        t,
        { type: 'setSchedule', schedule: { hours: [{ day, from: '00:00', to: '24:00' }], outside: { kind: 'target', target: 'mobile' } } },
        { type: 'setSchedule', schedule: null },
      );
      const r = await ring(whitelisted);
      t.equal(r.code, 0);
      t.same(r.rang, [mobile]);
      t.same(headerValues(r.invites[0]!.text, 'Diversion'), diversion('time-of-day'));
    });

    t.test('inside office hours: the usual rules', async (t) => {
      const hours = WEEKDAYS.map((day) => ({ day, from: '00:00', to: '24:00' }));
      given(t, { type: 'setSchedule', schedule: { hours, outside: { kind: 'target', target: 'voicemail' } } }, { type: 'setSchedule', schedule: null });
      const r = await ring(whitelisted);
      t.equal(r.code, 0);
      t.same(r.rang, ['81000']);
    });

    t.test('exclusive filter mode: only the screen list goes to the assistants, everyone else rings the desk', async (t) => {
      given(t, { type: 'setFilterMode', mode: 'exclusive' }, { type: 'setFilterMode', mode: 'inclusive' });
      given(t, { type: 'addEntry', entry: { list: 'screen', pattern: stranger, expiry: { kind: 'never' } } }, { type: 'removeEntry', list: 'screen', pattern: stranger });
      const screened = await ring(stranger);
      t.equal(screened.code, 0);
      t.same(screened.rang, ['2000'], 'on the screen list: the assistant');
      const other = await ring('0311111');
      t.equal(other.code, 0);
      t.same(other.rang, ['81000'], 'not on it: the desk');
    });

    t.test('a VIP caller goes to the named assistant only', async (t) => {
      given(t, { type: 'setActiveAssistants', assistantIds: ['bob', 'carol'] }, { type: 'setActiveAssistants', assistantIds: ['bob'] });
      given(t, { type: 'addEntry', entry: { list: 'vip', pattern: stranger, expiry: { kind: 'never' }, assistantId: 'carol' } }, { type: 'removeEntry', list: 'vip', pattern: stranger });
      const r = await ring(stranger);
      t.equal(r.code, 0);
      t.same(r.rang, ['2001'], "carol's phone, not the pool");
    });

    t.test('a one-call whitelist entry lets exactly one call through', async (t) => {
      given(t, { type: 'addEntry', entry: { list: 'whitelist', pattern: '0277777', expiry: { kind: 'one-call' } } }, { type: 'setFilter', isOn: true });
      const first = await ring('0277777');
      t.same([first.code, first.rang], [0, ['81000']], 'the first call rings the desk');
      const second = await ring('0277777');
      t.same([second.code, second.rang], [0, ['2000']], 'the entry is spent: the next one is screened');
    });

    t.test('no assistant available: the fallback at once, Diversion reason unavailable', async (t) => {
      t.same(d.apply({ type: 'setAssistantAvailability', by: { kind: 'system' }, assistantId: 'bob', availability: 'away' }), { ok: true });
      t.teardown(() => void d.apply({ type: 'setAssistantAvailability', by: { kind: 'system' }, assistantId: 'bob', availability: 'available' }));
      const r = await ring(stranger);
      t.same([r.code, r.rang], [0, ['8000']], 'voicemail by default');
      t.same(headerValues(r.invites[0]!.text, 'Diversion'), diversion('unavailable'));
      given(t, { type: 'setFallback', fallback: 'mobile' }, { type: 'setFallback', fallback: 'voicemail' });
      const m = await ring(stranger);
      t.same([m.code, m.rang], [0, [mobile]], 'fallback mobile');
      t.same(headerValues(m.invites[0]!.text, 'Diversion'), diversion('unavailable'));
    });

    t.test('the PBX saw every call through', async (t) => {
      t.equal(await p.stop(), 0);
      t.ok(receivedInvites(p.messages()).every((m) => bodyOf(m.text).startsWith('v=0')), 'every INVITE carried the SDP offer');
    });
  });
}
