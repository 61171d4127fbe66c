/**
 * DialogUserAgent end to end over LoopbackNetwork on a ManualClock: calls.
 * - basic call: INVITE/180/200/ACK/BYE, events on both sides, nothing left afterwards (sessions, dialogs, timers)
 * - §13.3.1.4: with every ACK lost the UAS resends its 2xx at 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s and sends BYE at 32 s (ackTimeout)
 * - one lost ACK: the retransmitted 2xx gets the very same ACK (same branch) and the retransmission stops
 * - over TCP the ACK arrives at once: no 2xx retransmission
 * - delayed offer: INVITE without SDP, offer in the 2xx, answer in the ACK the application sends
 * - §15: a callee's bye() before the ACK waits for the ACK
 * - 481 for BYE/INFO/UPDATE/re-INVITE matching no dialog; PRACK in a dialog -> 481 (100rel declined)
 * - RFC 3262 declined: Require: 100rel -> 420 Unsupported: 100rel; Supported: 100rel -> plain provisionals, no RSeq
 * - no onInvite handler: 480
 * - invite() callbacks: onEarly, onConfirmed, onTerminated; INFO in the dialog
 * - early media: 183 with SDP reaches the caller; UPDATE (RFC 3311) in the early dialog and in the confirmed one
 */
import t from 'tap';
import { SipRequest } from '../../src/message/message.js';
import { parseUri } from '../../src/message/uri.js';
import type { Session } from '../../src/dialog/session.js';
import type { UasSession } from '../../src/dialog/uas-session.js';
import { A, B, SDP_A, SDP_B, events, rig } from './fixtures/harness.js';

const answerAll = (s: Session, body = SDP_B) =>
  s.on((e) => {
    if (e.type === 'request') e.request.respond(200, e.request.request.method === 'INFO' ? {} : { body });
  });

t.test('basic call: 180, 200, ACK, BYE; both sides see their events; nothing is left afterwards', async (t) => {
  const r = rig();
  let b: UasSession | undefined;
  let bEvents: string[] = [];
  r.uaB!.onInvite((s) => {
    b = s;
    bEvents = events(s);
    s.progress(180);
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  const aEvents = events(a);
  await r.run(50);
  t.equal(a.state.kind, 'confirmed');
  t.equal(b?.state.kind, 'confirmed');
  t.equal(a.dialog?.dialog.id.remoteTag, b?.dialog?.dialog.id.localTag, 'both sides agree on the dialog id');
  a.bye();
  await r.run(50);
  t.same(aEvents, ['early', 'provisional 180', 'confirmed', 'terminated localBye']);
  t.same(bEvents, ['ack', 'confirmed', 'bye', 'terminated remoteBye']);
  t.same(r.lines('A>B'), ['INVITE', 'ACK', 'BYE']);
  t.same(r.lines('B>A'), ['180 Ringing', '200 OK', '200 OK']);
  const ack = r.wire().find((w) => w.line.startsWith('ACK'))!.text;
  t.match(ack, /^ACK sip:bob@127\.0\.0\.2:5070;transport=udp SIP\/2\.0/, 'the ACK goes to the remote target');
  t.match(ack, /CSeq: 1 ACK/);
  t.match(r.wire().find((w) => w.line.startsWith('BYE'))!.text, /CSeq: 2 BYE/);
  await r.drain();
  t.same(r.uaA.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.same(r.uaB!.size, { sessions: 0, dialogs: 0, lingering: 0 });
  t.equal(r.clock.pending, 0, 'no timer left');
  await r.close();
});

t.test('§13.3.1.4: no ACK ever arrives: 2xx at 0, 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s, then BYE at 32 s', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { drop: (m) => m.kind === 'request' && m.method === 'ACK' });
  let bEvents: string[] = [];
  r.uaB!.onInvite((s) => {
    bEvents = events(s);
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  const aEvents = events(a);
  await r.run(40_000);
  const ok = r.wire().filter((w) => w.dir === 'B>A' && w.line.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(w.text)).map((w) => w.at);
  t.same(ok, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  const bye = r.wire().filter((w) => w.dir === 'B>A' && w.line.startsWith('BYE'));
  t.same(bye.map((w) => w.at), [32000], 'BYE when the 2xx is given up');
  t.same(bEvents, ['terminated ackTimeout']);
  t.same(aEvents, ['confirmed', 'bye', 'terminated remoteBye']);
  t.equal(r.wire().filter((w) => w.dir === 'A>B' && w.line.startsWith('ACK')).length, 11, 'the caller ACKed every 2xx');
  await r.drain();
  t.same(r.uaB!.size, { sessions: 0, dialogs: 0, lingering: 0 });
  await r.close();
});

t.test('a lost ACK: the retransmitted 2xx gets the same ACK (same branch); retransmission stops', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { drop: (m, i) => m.kind === 'request' && m.method === 'ACK' && i === 1 });
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call();
  await r.run(5000);
  const acks = r.wire().filter((w) => w.line.startsWith('ACK'));
  t.same(acks.map((w) => [w.at, w.fate]), [[0, 'dropped'], [500, 'sent']]);
  const branch = (text: string) => /branch=([^;\r\n]+)/.exec(text)?.[1];
  t.equal(branch(acks[0]!.text), branch(acks[1]!.text), 'the same ACK, branch included');
  t.same(r.wire().filter((w) => w.dir === 'B>A' && w.line.startsWith('SIP/2.0 200')).map((w) => w.at), [0, 500]);
  t.equal(a.state.kind, 'confirmed');
  a.bye();
  await r.drain();
  await r.close();
});

t.test('over TCP the ACK comes at once: no 2xx retransmission', async (t) => {
  const r = rig({ protocol: 'tcp' });
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call();
  await r.run(5000);
  t.same(r.lines('B>A'), ['200 OK']);
  a.bye();
  await r.run(100);
  t.same(r.lines('A>B'), ['INVITE', 'ACK', 'BYE']);
  await r.drain();
  await r.close();
});

t.test('delayed offer: the offer comes in the 2xx; the application ACKs with the answer', async (t) => {
  const r = rig();
  let ackBody = '';
  r.uaB!.onInvite((s) => {
    s.on((e) => {
      if (e.type === 'ack') ackBody = Buffer.from(e.ack.body).toString();
    });
    s.accept({ body: SDP_B });
  });
  const a = r.call({ body: undefined });
  const aEvents = events(a);
  await r.run(50);
  t.same(aEvents, ['confirmed (ack pending)']);
  t.same(r.lines('A>B'), ['INVITE'], 'no ACK before the application has its answer');
  t.equal(a.isAckPending, true);
  t.ok(a.ack({ body: SDP_A }));
  t.equal(a.isAckPending, false);
  t.notOk(a.ack({ body: SDP_A }), 'only once');
  await r.run(50);
  t.equal(ackBody, SDP_A);
  t.match(r.wire().find((w) => w.line.startsWith('ACK'))!.text, /Content-Type: application\/sdp/);
  a.bye();
  await r.drain();
  await r.close();
});

t.test('§15: the callee MUST NOT send BYE before the ACK: bye() waits for it', async (t) => {
  const r = rig();
  r.net.setConditions(A, B, { delayMs: 300 });
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    s.accept({ body: SDP_B });
    s.bye();
  });
  r.call();
  await r.run(1000);
  const at = (re: RegExp) => r.wire().find((w) => re.test(w.line))?.at;
  t.ok(at(/^BYE/)! >= at(/^ACK/)! + 300, 'BYE sent when the ACK arrived');
  t.same(b?.state, { kind: 'terminated', cause: { kind: 'localBye' } });
  await r.drain();
  await r.close();
});

t.test('481: in-dialog requests that match no dialog; PRACK in a dialog (we never send reliable provisionals)', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => s.accept({ body: SDP_B }));
  const a = r.call();
  await r.run(50);
  const statuses: string[] = [];
  const send = (method: string, toTag: string, seq: number) => {
    const req = new SipRequest({
      method,
      uri: parseUri('sip:bob@127.0.0.2:5070'),
      headers: [['From', '<sip:alice@127.0.0.1>;tag=' + a.dialog!.dialog.id.localTag], ['To', '<sip:bob@127.0.0.2>;tag=' + toTag], ['Call-ID', a.callId], ['CSeq', `${seq} ${method}`], ['Max-Forwards', '70']],
    });
    r.epA.request(req, r.toB, { onResponse: (res) => res.status >= 200 && statuses.push(`${method} ${res.status}`) });
  };
  for (const m of ['BYE', 'INFO', 'UPDATE', 'INVITE']) send(m, 'nosuchtag', 10);
  send('PRACK', a.dialog!.dialog.id.remoteTag, 11);
  await r.run(100);
  t.same(statuses.sort(), ['BYE 481', 'INFO 481', 'INVITE 481', 'PRACK 481', 'UPDATE 481']);
  t.equal(a.state.kind, 'confirmed', 'the real dialog is untouched');
  a.bye();
  await r.drain();
  await r.close();
});

t.test('RFC 3262 declined: Require: 100rel -> 420 Unsupported: 100rel; Supported: 100rel -> plain provisionals', async (t) => {
  const r = rig();
  r.uaB!.onInvite((s) => {
    s.progress(180);
    s.reject(486);
  });
  // A peer that insists on 100rel (sent raw: our own UAC never asks for it).
  const invite = new SipRequest({
    method: 'INVITE',
    uri: parseUri('sip:bob@127.0.0.2:5070'),
    headers: [['From', '<sip:x@127.0.0.1>;tag=x1'], ['To', '<sip:bob@127.0.0.2>'], ['Call-ID', 'rel1'], ['CSeq', '1 INVITE'], ['Max-Forwards', '70'], ['Contact', '<sip:x@127.0.0.1:5060>'], ['Require', '100rel'], ['Supported', '100rel']],
  });
  const codes: number[] = [];
  r.epA.request(invite, r.toB, { onResponse: (res) => codes.push(res.status) });
  await r.run(50);
  t.same(codes, [420]);
  t.match(r.wire().find((w) => w.line.startsWith('SIP/2.0 420'))!.text, /Unsupported: 100rel/);
  const a2 = r.call({ body: SDP_A, headers: [['Supported', '100rel, timer'], ['Require', '100rel']] });
  const e2 = events(a2);
  await r.run(50);
  t.same(e2, ['early', 'provisional 180', 'terminated rejected 486']);
  const sent = r.wire().filter((w) => w.line.startsWith('INVITE')).at(-1)!.text;
  t.match(sent, /Supported: timer\r\n/, 'our INVITE never offers 100rel, other tags pass');
  t.notMatch(sent, /Require/, 'nor requires it');
  const ringing = r.wire().filter((w) => w.line.startsWith('SIP/2.0 180')).at(-1)!.text;
  t.notMatch(ringing, /RSeq|Require/i, 'never a reliable provisional');
  await r.drain();
  await r.close();
});

t.test('invite() callbacks onEarly, onConfirmed, onTerminated; INFO inside the dialog', async (t) => {
  const r = rig();
  let info = '';
  r.uaB!.onInvite((s) => {
    s.on((e) => {
      if (e.type === 'request') {
        info = Buffer.from(e.request.request.body).toString();
        e.request.respond(200);
      }
    });
    s.progress(183, { body: SDP_B });
    s.accept({ body: SDP_B });
  });
  const seen: string[] = [];
  const a = r.uaA.invite({
    uri: 'sip:bob@127.0.0.2:5070',
    dest: r.toB,
    from: '<sip:alice@127.0.0.1>',
    body: SDP_A,
    onEarly: (res) => seen.push(`early ${res.status} ${res.body.byteLength > 0 ? 'sdp' : ''}`),
    onConfirmed: (res, isAckPending) => seen.push(`confirmed ${res.status} ${isAckPending}`),
    onTerminated: (cause) => seen.push(`terminated ${cause.kind}`),
  });
  await r.run(50);
  const o = a.request('INFO', { body: 'Signal=5\r\n', contentType: 'application/dtmf-relay' });
  await r.run(50);
  t.equal(((await o) as { response: { status: number } }).response.status, 200);
  t.equal(info, 'Signal=5\r\n');
  t.match(r.wire().find((w) => w.line.startsWith('INFO'))!.text, /Content-Type: application\/dtmf-relay/);
  a.bye();
  await r.run(50);
  t.same(seen, ['early 183 sdp', 'confirmed 200 false', 'terminated localBye']);
  await r.drain();
  await r.close();
});

t.test('no onInvite handler: 480', async (t) => {
  const r = rig();
  const a = r.call();
  const e = events(a);
  await r.run(50);
  t.same(e, ['terminated rejected 480']);
  await r.drain();
  await r.close();
});

t.test('early media and UPDATE (RFC 3311): 183 with SDP; UPDATE in the early dialog and after the answer', async (t) => {
  const r = rig();
  let b: UasSession | undefined;
  const bEvents: string[] = [];
  r.uaB!.onInvite((s) => {
    b = s;
    s.on((e) => e.type === 'request' && bEvents.push(`${e.request.request.method} ${Buffer.from(e.request.request.body).toString().slice(0, 3)}`));
    answerAll(s);
    s.progress(183, { body: SDP_B });
  });
  const a = r.call();
  let early = '';
  a.on((e) => {
    if (e.type === 'provisional') early = Buffer.from(e.response.body).toString();
  });
  await r.run(50);
  t.equal(early, SDP_B, 'the 183 carries the SDP');
  t.equal(a.state.kind, 'early');
  const p1 = a.request('UPDATE', { body: SDP_A });
  await r.run(50);
  const up1 = await p1;
  t.equal(up1.kind === 'response' && up1.response.status, 200, 'UPDATE in the early dialog');
  b!.accept({ body: SDP_B });
  await r.run(50);
  const up2 = a.request('UPDATE', { body: SDP_A });
  await r.run(50);
  const o2 = await up2;
  t.equal(o2.kind === 'response' && o2.response.status, 200);
  t.match(o2.kind === 'response' ? Buffer.from(o2.response.body).toString() : '', /o=b/);
  const refresh = a.request('UPDATE');
  await r.run(50);
  t.equal(((await refresh) as { response: { status: number } }).response.status, 200, 'UPDATE without SDP (a session refresh)');
  t.same(bEvents, ['UPDATE v=0', 'UPDATE v=0', 'UPDATE ']);
  a.bye();
  await r.drain();
  await r.close();
});
