/**
 * What crosses from the PBX's call to the leg IMA places, end to end with SIPp on both sides
 * (caller-identity.xml: the headers Cisco UCM puts on a trunk call; pbx.xml: the phones):
 * - the caller's identity is kept: From display name and number, P-Asserted-Identity and
 *   Remote-Party-ID copied unchanged, and the asserted identity is what the whitelist matches
 *   (a caller withholding From, anonymous, still reaches the desk)
 * - a screened call: the assistant's phone shows "Caller > Manager", in From and in P-Asserted-Identity
 *   and Remote-Party-ID (a PBX trusting the trunk may show those), the caller's number kept in each
 * - session timers (Session-Expires, Min-SE) and the PBX's own Diversion cross unchanged; a
 *   diverted call adds IMA's Diversion naming the manager, after the PBX's
 * - SDP is relayed byte for byte both ways: the caller's offer to the phone and the phone's answer
 *   to the caller; with a delayed offer (INVITE without SDP), the phone's offer in the 200 and the
 *   caller's answer in the ACK
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t, { type Test } from 'tap';
import { bodyOf, calledNumber, daemon, dial, firstLine, headerValues, pbx, receivedInvites, requireSipp, sameCall, setup } from './fixtures/e2e.js';
import type { DialOptions, Traced } from './fixtures/e2e.js';

const whitelisted = '+39021234567';
/** Headers of the PBX's INVITE that must reach the phone exactly as they were. */
const KEPT = ['P-Asserted-Identity', 'Remote-Party-ID', 'Session-Expires', 'Min-SE'];

if (requireSipp('caller identity and SDP end to end')) {
  t.test('the caller identity, the PBX headers and the SDP cross to the outbound leg', async (t) => {
    const s = await setup({ targets: { mobile: '+393331234567' } });
    const p = await pbx(s);
    t.teardown(() => p.stop());
    const d = await daemon(s);
    t.teardown(() => d.close());

    /** One call; the caller's INVITE and what it received, the phone's INVITE and the rest of the phone's leg. */
    const ring = async (caller: string, o: DialOptions) => {
      const before = receivedInvites(p.messages()).length;
      const r = await dial(s, caller, o);
      const invites = receivedInvites(p.messages()).slice(before);
      const leg = invites[0] ? sameCall(p.messages(), invites[0]) : [];
      const sentInvite = r.messages.find((m) => m.sent && m.text.startsWith('INVITE '));
      return { code: r.code, rang: invites.map(calledNumber), invite: invites[0], leg, caller: r.messages, sentInvite };
    };
    const ok200 = (messages: Traced[], sent: boolean) =>
      messages.find((m) => m.sent === sent && firstLine(m.text) === 'SIP/2.0 200 OK' && / INVITE$/.test(headerValues(m.text, 'CSeq')[0] ?? ''));
    const kept = (t: Test, from: Traced | undefined, to: Traced | undefined) => {
      for (const h of KEPT) t.same(to && headerValues(to.text, h), from && headerValues(from.text, h), `${h} unchanged`);
    };
    const sdpBothWays = (t: Test, r: Awaited<ReturnType<typeof ring>>) => {
      t.match(r.sentInvite && bodyOf(r.sentInvite.text), /^v=0\r\n/, 'the caller offered SDP');
      t.equal(r.invite && bodyOf(r.invite.text), r.sentInvite && bodyOf(r.sentInvite.text), "the caller's SDP offer reaches the phone byte for byte");
      t.same(r.invite && headerValues(r.invite.text, 'Content-Type'), ['application/sdp']);
      const answered = ok200(r.leg, true);
      const got = ok200(r.caller, false);
      t.ok(answered && bodyOf(answered.text).includes('o=phone-'), 'the phone answered with its SDP');
      t.equal(got && bodyOf(got.text), answered && bodyOf(answered.text), "the phone's SDP answer reaches the caller byte for byte");
    };

    t.test('P-Asserted-Identity decides who calls: an anonymous From, asserted as whitelisted, reaches the desk', async (t) => {
      const r = await ring('anonymous', { scenario: 'caller-identity.xml', keys: { pai: whitelisted } });
      t.equal(r.code, 0);
      t.same(r.rang, ['81000']);
      t.match(r.invite && headerValues(r.invite.text, 'From')[0], /^"?Mario Rossi"? <sip:anonymous@127\.0\.0\.1:\d+>;tag=/, 'From kept: display name and user');
      kept(t, r.sentInvite, r.invite);
      t.same(r.invite && headerValues(r.invite.text, 'Diversion'), r.sentInvite && headerValues(r.sentInvite.text, 'Diversion'), "the PBX's Diversion kept, none added for the desk");
      sdpBothWays(t, r);
    });

    t.test("a screened call: the assistant's phone shows whose call it is, the caller's number kept", async (t) => {
      const r = await ring('0299999', { scenario: 'caller-identity.xml', keys: { pai: '0299999' } });
      t.equal(r.code, 0);
      t.same(r.rang, ['2000']);
      t.match(r.invite && headerValues(r.invite.text, 'From')[0], /^"Mario Rossi > Alice Rossi" <sip:0299999@127\.0\.0\.1:\d+>;tag=/);
      // A PBX that trusts the trunk may show the asserted identity's name rather than From's: the same name there.
      const renamed = (v: string) => v.replace('"Mario Rossi"', '"Mario Rossi > Alice Rossi"');
      for (const h of ['P-Asserted-Identity', 'Remote-Party-ID']) {
        const sent = r.sentInvite ? headerValues(r.sentInvite.text, h) : [];
        t.match(sent[0], /^"Mario Rossi" <sip:0299999@/, `the PBX sent ${h} with the caller's name`);
        t.same(r.invite && headerValues(r.invite.text, h), sent.map(renamed), `${h}: "Caller > Manager", the caller's number and parameters kept`);
      }
      for (const h of ['Session-Expires', 'Min-SE']) t.same(r.invite && headerValues(r.invite.text, h), r.sentInvite && headerValues(r.sentInvite.text, h), `${h} unchanged`);
      sdpBothWays(t, r);
    });

    t.test("a diverted call keeps the PBX's Diversion and adds IMA's, naming the manager", async (t) => {
      t.same(d.apply({ type: 'setForward', by: { kind: 'system' }, managerId: 'alice', forward: { kind: 'target', target: 'mobile' } }), { ok: true });
      t.teardown(() => void d.apply({ type: 'setForward', by: { kind: 'system' }, managerId: 'alice', forward: { kind: 'off' } }));
      const r = await ring('0299999', { scenario: 'caller-identity.xml', keys: { pai: '0299999' } });
      t.equal(r.code, 0);
      t.same(r.rang, ['+393331234567']);
      const ours = '<sip:1000@127.0.0.1>;reason=unconditional;counter=2;privacy=off';
      const pbxDiversion = r.sentInvite ? headerValues(r.sentInvite.text, 'Diversion') : [];
      const diversions = r.invite ? headerValues(r.invite.text, 'Diversion') : [];
      t.same([...diversions].sort(), [...pbxDiversion, ours].sort(), "the PBX's Diversion unchanged, and IMA's naming the manager");
      t.same(diversions, [ours, ...pbxDiversion], "RFC 5806: IMA's diversion, the most recent, comes first");
      kept(t, r.sentInvite, r.invite);
      sdpBothWays(t, r);
    });

    t.test("a delayed offer: the phone's offer reaches the caller, the caller's answer in the ACK reaches the phone", async (t) => {
      const r = await ring(whitelisted, { scenario: 'caller-late-offer.xml' });
      t.equal(r.code, 0);
      t.same(r.rang, ['81000']);
      t.equal(r.invite && bodyOf(r.invite.text), '', 'no SDP in the INVITE to the phone either');
      const answered = ok200(r.leg, true);
      const got = ok200(r.caller, false);
      t.equal(got && bodyOf(got.text), answered && bodyOf(answered.text), "the phone's offer reaches the caller byte for byte");
      const sentAck = r.caller.find((m) => m.sent && m.text.startsWith('ACK '));
      const gotAck = r.leg.find((m) => !m.sent && m.text.startsWith('ACK '));
      t.ok(sentAck && bodyOf(sentAck.text).startsWith('v=0'), 'the caller answered in its ACK');
      t.equal(gotAck && bodyOf(gotAck.text), sentAck && bodyOf(sentAck.text), "the caller's answer reaches the phone's ACK byte for byte");
    });

    t.test('the PBX saw every call through', async (t) => {
      t.equal(await p.stop(), 0);
    });
  });
}
