/**
 * How a screened call alerts the manager's assistants (bob 2000, carol 2001; no_answer 2s), end to
 * end: SIPp places the call, SIPp as the PBX's phones (pbx.xml) lets the chosen numbers ring
 * unanswered or answers busy, and the order of what the phones received shows the alerting.
 * - sequential (set in the YAML): bob rings, is CANCELed at no_answer, only then carol rings;
 *   neither answers -> voicemail with Diversion reason no-answer; carol answers -> the call is hers;
 *   bob busy (486) -> carol at once
 * - first-available: one assistant only, the one whose phone is known idle (else the first active);
 *   no answer -> the fallback, not the other assistant
 * - parallel: both ring together; bob answers -> carol gets CANCEL; neither answers -> both
 *   CANCELed, then voicemail
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t, { type Test } from 'tap';
import type { AlertingMode, PhoneState } from '@ima/ima-policy';
import { calledNumber, daemon, dial, headerValues, pbx, receivedInvites, requireSipp, setup } from './fixtures/e2e.js';
import type { PbxOptions, Traced } from './fixtures/e2e.js';

const SYSTEM = { kind: 'system' } as const;

if (requireSipp('alerting modes end to end')) {
  t.test('the alerting modes of a screened call, through the daemon', async (t) => {
    const s = await setup({
      assistants: [
        { id: 'bob', name: 'Bob Bianchi', number: '2000' },
        { id: 'carol', name: 'Carol Verdi', number: '2001' },
      ],
      noAnswer: '2s',
      managerYaml: ['alerting: sequential'],
    });
    const d = await daemon(s);
    t.teardown(() => d.close());
    t.equal(d.state().managers.alice?.alerting, 'sequential', 'alerting read from the YAML');

    const alerting = (t: Test, mode: AlertingMode): void => {
      t.same(d.apply({ type: 'setAlerting', by: SYSTEM, managerId: 'alice', alerting: mode }), { ok: true });
      t.teardown(() => void d.apply({ type: 'setAlerting', by: SYSTEM, managerId: 'alice', alerting: 'sequential' }));
    };
    const phone = (number: string, state: PhoneState): void => void d.apply({ type: 'phoneStateChanged', by: SYSTEM, number, phone: state });
    /** A screened call with the phones behaving as `o` says; what the phones received, in order. */
    const screened = async (t: Test, o: PbxOptions) => {
      const p = await pbx(s, o);
      const r = await dial(s, '0299999');
      t.equal(r.code, 0, 'the caller completed its call');
      t.equal(await p.stop(), 0, 'the phones saw what they expected (a CANCEL where they rang unanswered)');
      const messages = p.messages();
      const invites = receivedInvites(messages);
      /** Where in the phones' trace the INVITE to `number`, or the CANCEL of it, arrived (-1: never). */
      const at = (method: 'INVITE' | 'CANCEL', number: string): number => {
        const invite = invites.find((m) => calledNumber(m) === number);
        const callId = invite && headerValues(invite.text, 'Call-ID')[0];
        return messages.findIndex((m: Traced) => !m.sent && m.text.startsWith(`${method} `) && headerValues(m.text, 'Call-ID')[0] === callId);
      };
      return { rang: invites.map(calledNumber), invites, at };
    };

    t.test('sequential, no answer: bob, then carol, then voicemail with Diversion reason no-answer', async (t) => {
      const r = await screened(t, { silent: ['2000', '2001'] });
      t.same(r.rang, ['2000', '2001', '8000']);
      t.ok(r.at('CANCEL', '2000') >= 0 && r.at('CANCEL', '2000') < r.at('INVITE', '2001'), "bob's phone is CANCELed before carol's rings");
      t.ok(r.at('CANCEL', '2001') >= 0 && r.at('CANCEL', '2001') < r.at('INVITE', '8000'), "carol's too, before voicemail");
      t.same(headerValues(r.invites[2]!.text, 'Diversion'), ['<sip:1000@127.0.0.1>;reason=no-answer;counter=1;privacy=off']);
    });

    t.test('sequential: bob does not answer, carol does; the call is hers', async (t) => {
      const r = await screened(t, { silent: ['2000'] });
      t.same(r.rang, ['2000', '2001']);
      t.ok(r.at('CANCEL', '2000') >= 0 && r.at('CANCEL', '2000') < r.at('INVITE', '2001'), 'bob CANCELed first');
    });

    t.test('sequential: bob busy, carol rings at once', async (t) => {
      const r = await screened(t, { busy: '2000' });
      t.same(r.rang, ['2000', '2001']);
    });

    t.test('first-available: only the assistant whose phone is known idle', async (t) => {
      alerting(t, 'first-available');
      phone('2000', 'unknown');
      phone('2001', 'idle');
      const r = await screened(t, {});
      t.same(r.rang, ['2001'], 'carol, idle, rather than bob, unknown');
    });

    t.test('first-available: both idle, the first active; no answer, the fallback and not the other assistant', async (t) => {
      alerting(t, 'first-available');
      phone('2000', 'idle');
      phone('2001', 'idle');
      const r = await screened(t, { silent: ['2000'] });
      t.same(r.rang, ['2000', '8000']);
      t.same(headerValues(r.invites[1]!.text, 'Diversion'), ['<sip:1000@127.0.0.1>;reason=no-answer;counter=1;privacy=off']);
    });

    t.test('parallel: both ring; bob answers, carol gets CANCEL', async (t) => {
      alerting(t, 'parallel');
      const r = await screened(t, { silent: ['2001'] });
      t.same([...r.rang].sort(), ['2000', '2001']);
      t.ok(r.at('CANCEL', '2001') > r.at('INVITE', '2001'), "carol's phone is CANCELed");
      t.equal(r.at('CANCEL', '2000'), -1, "bob's is not");
    });

    t.test('parallel, no answer: both ring together, both CANCELed, then voicemail', async (t) => {
      alerting(t, 'parallel');
      const r = await screened(t, { silent: ['2000', '2001'] });
      t.same([...r.rang.slice(0, 2)].sort(), ['2000', '2001']);
      t.equal(r.rang[2], '8000');
      t.ok(Math.max(r.at('INVITE', '2000'), r.at('INVITE', '2001')) < Math.min(r.at('CANCEL', '2000'), r.at('CANCEL', '2001')), 'both rang before either was CANCELed');
      t.ok(Math.max(r.at('CANCEL', '2000'), r.at('CANCEL', '2001')) < r.at('INVITE', '8000'), 'voicemail after both CANCELs');
    });
  });
}
