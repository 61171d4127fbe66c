/**
 * Properties (fast-check) of the dialog machine and of whole calls:
 * - §12.2.2 for any sequence of in-dialog CSeqs: a request is accepted iff its CSeq is not lower than the
 *   highest accepted so far (500 otherwise), and the remote sequence number is that highest
 * - CSeq of requests we build: strictly increasing by one, whatever the methods
 * - over a lossy loopback (up to 4 of the first 12 messages lost each way, ACKs included): INVITE, re-INVITE
 *   and BYE always complete with 200, the caller ends by its BYE and the callee by that BYE, and no session,
 *   dialog, transaction or timer is left afterwards
 */
import t from 'tap';
import fc from 'fast-check';
import { parseMessage } from '../../src/message/parse.js';
import type { SipRequest } from '../../src/message/message.js';
import { createRequest, createUasDialog, stepDialog, type DialogState } from '../../src/dialog/dialog.js';
import { A, B, SDP_A, SDP_B, rig } from './fixtures/harness.js';
import type { UasSession } from '../../src/dialog/uas-session.js';

const CRLF = '\r\n';
const msg = (method: string, seq: number, tag?: string): SipRequest =>
  parseMessage(
    [`${method} sip:bob@127.0.0.2:5070 SIP/2.0`, 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK' + seq, 'Max-Forwards: 70', 'From: <sip:a@x>;tag=fa', `To: <sip:b@y>${tag ? ';tag=' + tag : ''}`, 'Call-ID: p1', `CSeq: ${seq} ${method}`, 'Contact: <sip:a@127.0.0.1>', 'Content-Length: 0', '', ''].join(CRLF),
  ) as SipRequest;

t.test('§12.2.2: accepted iff CSeq >= the highest accepted; the remote seq is that highest', async (t) => {
  const d = fc.check(
    fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 30 }), (first, seqs) => {
      let s: DialogState = createUasDialog(msg('INVITE', first), 'tb', '<sip:b@y>', 200);
      let high = first;
      for (const seq of seqs) {
        const r = stepDialog(s, { type: 'request', req: msg('INFO', seq, 'tb') });
        const rejected = r.effects.some((e) => e.type === 'reject' && e.status === 500);
        if (rejected !== seq < high) return false;
        if (!rejected) high = seq;
        s = r.state;
        if (s.dialog.remoteSeq !== high) return false;
      }
      return true;
    }),
  );
  t.notOk(d.failed, fc.defaultReportMessage(d) ?? 'holds');
});

t.test('requests we build: CSeq strictly increasing by one', async (t) => {
  const d = fc.check(
    fc.property(fc.array(fc.constantFrom('INFO', 'UPDATE', 'INVITE', 'MESSAGE', 'NOTIFY'), { minLength: 1, maxLength: 20 }), (methods) => {
      let s: DialogState = createUasDialog(msg('INVITE', 7), 'tb', '<sip:b@y>', 200);
      let expected = 1;
      for (const m of methods) {
        const r = createRequest(s, m);
        if (r.request.cseq.seq !== expected || r.request.cseq.method !== m) return false;
        s = r.state;
        expected++;
      }
      return true;
    }),
  );
  t.notOk(d.failed, fc.defaultReportMessage(d) ?? 'holds');
});

t.test('lossy loopback: INVITE, re-INVITE, BYE always complete and nothing is left', async (t) => {
  const drops = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 4 });
  const d = await fc.check(
    fc.asyncProperty(drops, drops, async (dropAB, dropBA) => {
      const r = rig();
      r.net.setConditions(A, B, { drop: (_m, i) => dropAB.includes(i) });
      r.net.setConditions(B, A, { drop: (_m, i) => dropBA.includes(i) });
      let b: UasSession | undefined;
      let bEnd = '';
      r.uaB!.onInvite((s) => {
        b = s;
        s.on((e) => {
          if (e.type === 'request') e.request.respond(200, { body: SDP_B });
          if (e.type === 'terminated') bEnd = e.cause.kind;
        });
        s.progress(180);
        s.accept({ body: SDP_B });
      });
      const a = r.call();
      let aEnd = '';
      let reinvite = 0;
      a.on((e) => {
        if (e.type === 'terminated') aEnd = e.cause.kind;
        if (e.type === 'confirmed') {
          void a.request('INVITE', { body: SDP_A }).then((o) => {
            reinvite = o.kind === 'response' ? o.response.status : -1;
            a.bye();
          });
        }
      });
      await r.drain(400_000);
      const ok =
        aEnd === 'localBye' &&
        bEnd === 'remoteBye' &&
        reinvite === 200 &&
        b !== undefined &&
        r.uaA.size.sessions === 0 &&
        r.uaB!.size.sessions === 0 &&
        r.uaA.size.dialogs === 0 &&
        r.uaB!.size.dialogs === 0 &&
        r.epA.transactions.size.client + r.epA.transactions.size.server === 0 &&
        r.epB.transactions.size.client + r.epB.transactions.size.server === 0 &&
        r.clock.pending === 0;
      await r.close();
      if (!ok) t.comment(JSON.stringify({ dropAB, dropBA, aEnd, bEnd, reinvite, a: r.uaA.size, b: r.uaB!.size }));
      return ok;
    }),
    { numRuns: 60 },
  );
  t.notOk(d.failed, fc.defaultReportMessage(d) ?? 'holds');
  t.equal(d.numRuns, 60);
});
