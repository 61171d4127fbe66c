/**
 * Phone state through the daemon, end to end: SIPp plays the PBX (pbx.xml), which serves the
 * manager desk's state to IMA's SUBSCRIBE as Cisco UCM serves BLF over a trunk, NOTIFYs each
 * change in the subscription, and answers as the phones. Rule 4 of DESIGN.md: a whitelisted
 * caller reaches the desk only while the desk is not busy or in do-not-disturb.
 * - Event: presence (PIDF): desk on the phone (RPID on-the-phone) -> the whitelisted caller goes to
 *   the assistant; desk idle (basic open) -> the next one rings the desk; desk in DND -> the assistant
 * - Event: dialog (RFC 4235 dialog-info): a confirmed dialog -> the assistant; terminated -> the desk
 * Every NOTIFY must be answered 200 (SIPp fails otherwise); the assistant's number, which the PBX
 * refuses to serve (489), still routes.
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { calledNumber, daemon, dial, eventually, headerValues, pbx, receivedInvites, requireSipp, setup } from './fixtures/e2e.js';
import type { Pbx } from './fixtures/e2e.js';

const whitelisted = '+39021234567';

/** The numbers the phones were asked to ring by the call `dial` just placed (the INVITEs after `before`). */
function rang(p: Pbx, before: number): string[] {
  return receivedInvites(p.messages()).slice(before).map(calledNumber);
}

if (requireSipp('phone state end to end')) {
  for (const event of ['presence', 'dialog'] as const) {
    t.test(`Event: ${event}: the desk's state from the PBX decides where a whitelisted caller goes`, async (t) => {
      const s = await setup({ phoneState: event });
      const p = await pbx(s, { watched: '81000', deskState: 'busy', event });
      let isStopped = false;
      t.teardown(async () => {
        if (!isStopped) await p.stop();
      });
      const d = await daemon(s);
      t.teardown(() => d.close());

      const phone = () => d.state().phones['81000'] ?? 'unknown';
      t.ok(await eventually(() => phone() === 'busy', 20_000), `the PBX's first NOTIFY says the desk is busy (read: ${phone()})`);
      const subscribe = p.messages().find((m) => !m.sent && m.text.startsWith('SUBSCRIBE sip:81000@'));
      t.same(subscribe && [headerValues(subscribe.text, 'Event'), headerValues(subscribe.text, 'Accept')], [[event], [event === 'presence' ? 'application/pidf+xml' : 'application/dialog-info+xml']], 'IMA subscribed to the desk with the configured package');

      let before = receivedInvites(p.messages()).length;
      t.equal((await dial(s, whitelisted)).code, 0, 'the call while the desk is busy completes');
      t.same(rang(p, before), ['2000'], 'desk busy: the whitelisted caller is offered to the assistant');

      await p.setPhoneState('idle');
      t.ok(await eventually(() => phone() === 'idle', 20_000), `the manager hung up: NOTIFY idle (read: ${phone()})`);
      before = receivedInvites(p.messages()).length;
      t.equal((await dial(s, whitelisted)).code, 0);
      t.same(rang(p, before), ['81000'], 'desk idle: the whitelisted caller rings the desk');

      if (event === 'presence') {
        await p.setPhoneState('dnd');
        t.ok(await eventually(() => phone() === 'dnd', 20_000), `do not disturb: NOTIFY dnd (read: ${phone()})`);
        before = receivedInvites(p.messages()).length;
        t.equal((await dial(s, whitelisted)).code, 0);
        t.same(rang(p, before), ['2000'], 'desk in do-not-disturb: the assistant again');
      }

      isStopped = true;
      t.equal(await p.stop(), 0, 'the PBX saw every NOTIFY answered 200 and every call through');
      t.same(receivedInvites(p.messages()).length, event === 'presence' ? 3 : 2, 'one INVITE per call, no retries');
    });
  }
}
