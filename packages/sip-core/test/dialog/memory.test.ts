/**
 * What a confirmed call keeps (issue #4: 10,000 held calls in under 200 MB): what its ACK, BYE,
 * re-INVITE and CANCEL need, and nothing else of the messages and transactions that set it up.
 * - once confirmed: both INVITEs are compacted (read again, they say the same); the UAS let go of its INVITE transaction
 * - after 64*T1 (Timers L and M): the INVITE transactions, the 180 and the 2xx are garbage
 * - and the call goes on: a re-INVITE with a new Contact moves the remote target, BYE ends it
 */
import t from 'tap';
import type { ClientTransaction } from '../../src/transaction/layer.js';
import type { UasSession } from '../../src/dialog/uas-session.js';
import { SDP_B, collectGarbage, events, rig } from './fixtures/harness.js';

t.test('a confirmed call keeps none of the messages and transactions that set it up', async (t) => {
  const r = rig();
  const garbage = new Map<string, WeakRef<object>>();
  // The INVITE's client transaction, as the UAC session got it from its endpoint.
  const request = r.epA.request.bind(r.epA);
  r.epA.request = (req, dest, handlers): ClientTransaction => {
    const tx = request(req, dest, handlers);
    if (req.method === 'INVITE' && !garbage.has('INVITE client transaction')) garbage.set('INVITE client transaction', new WeakRef(tx));
    return tx;
  };
  let b: UasSession | undefined;
  r.uaB!.onInvite((s) => {
    b = s;
    garbage.set('INVITE server transaction', new WeakRef(s.serverTransaction!));
    s.on((e) => {
      if (e.type === 'request') e.request.respond(200, { body: SDP_B, headers: [['Contact', '<sip:bob@127.0.0.2:5070;transport=udp;moved>']] });
    });
    s.progress(180);
    s.accept({ body: SDP_B });
  });
  const a = r.call();
  const aEvents = events(a);
  a.on((e) => {
    if (e.type === 'provisional' || e.type === 'confirmed') garbage.set(`the ${e.response!.status}`, new WeakRef(e.response!));
  });
  await r.run(50);
  t.equal(a.state.kind, 'confirmed');
  t.equal(b?.state.kind, 'confirmed');
  t.ok(a.invite.isCompact, "the UAC's INVITE is compacted");
  t.ok(b!.invite.isCompact, "the UAS's INVITE is compacted");
  t.equal(b!.serverTransaction, undefined, 'the UAS session let go of its INVITE transaction');
  t.equal(b!.invite.from.tag, a.localTag, 'a compacted INVITE reads as before');
  t.equal(b!.invite.cseq.seq, 1);

  await r.run(64 * 500 + 100);
  t.same(r.epA.transactions.size, { client: 0, server: 0 }, "Timer M: the caller's INVITE transaction has ended");
  t.same(r.epB.transactions.size, { client: 0, server: 0 }, "Timer L: the callee's too");
  await collectGarbage();
  for (const [what, ref] of garbage) t.equal(ref.deref(), undefined, `${what} is garbage`);
  t.equal(garbage.size, 4);

  const o = await new Promise<unknown>((resolve) => {
    void a.request('INVITE', { body: 'v=0\r\n' }).then(resolve);
    void r.run(50);
  });
  t.match(o, { kind: 'response', response: { status: 200 } });
  t.equal(a.dialog?.dialog.remoteTarget.toString(), 'sip:bob@127.0.0.2:5070;transport=udp;moved', 'the re-INVITE moved the remote target');
  a.bye();
  await r.run(50);
  t.same(aEvents, ['early', 'provisional 180', 'confirmed', 'terminated localBye']);
  t.match(r.wire().filter((w) => w.line.startsWith('BYE')).at(-1)?.text, /^BYE sip:bob@127\.0\.0\.2:5070;transport=udp;moved SIP\/2\.0\r\n[\s\S]*CSeq: 3 BYE\r\n/);
  await r.drain();
  await r.close();
});
