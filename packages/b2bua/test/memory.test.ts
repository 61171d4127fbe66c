/**
 * What a call held through the B2BUA keeps (issue #4: 10,000 held calls in under 200 MB):
 * its two sessions' dialogs, each side's SDP and the INVITEs compacted, nothing of the set-up.
 * - answered and ACKed: both INVITEs (the caller's and ours to the callee) are compacted
 * - after 64*T1: no transaction is left, and the INVITE transactions, the callee's 180 and 2xx are garbage
 * - the held call can still be retargeted (the new callee gets the caller's SDP) and hung up
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import type { ClientTransaction, SessionEvent, UasSession } from '@ima/sip-core';
import type { Call } from '../src/index.js';
import { SDP_C, callee, rig, uriOf } from './fixtures/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

t.test('a held call keeps none of the messages and transactions that set it up, and goes on', async (t) => {
  let call: Call | undefined;
  const garbage = new Map<string, WeakRef<object>>();
  const r = rig({ route: (_invite, c) => ((call = c), { targets: [{ uri: uriOf('B') }] }) });
  const request = r.b2bua.endpoint.request.bind(r.b2bua.endpoint);
  r.b2bua.endpoint.request = (req, dest, handlers): ClientTransaction => {
    const tx = request(req, dest, handlers);
    if (req.method === 'INVITE') garbage.set('our INVITE transaction to the callee', new WeakRef(tx));
    return tx;
  };
  const invite = r.b2bua.ua.invite.bind(r.b2bua.ua);
  r.b2bua.ua.invite = (opts) =>
    invite(opts).on((e: SessionEvent) => {
      if (e.type === 'provisional' || e.type === 'confirmed') garbage.set(`the callee's ${e.response!.status}`, new WeakRef(e.response!));
    });
  r.b2bua.on((e) => {
    if (e.type === 'created') garbage.set("the caller's INVITE transaction", new WeakRef((e.call.inbound as UasSession).serverTransaction!));
  });
  callee(r.callees.B, r.clock, { answerMs: 100 });
  callee(r.callees.C, r.clock, { answerMs: 100, sdp: SDP_C });
  const a = r.call();
  await r.run(1000);
  t.equal(a.state.kind, 'confirmed');
  t.ok(call!.inbound.invite.isCompact, "the caller's INVITE is compacted");
  t.ok(call!.answeredLeg!.session.invite.isCompact, 'our INVITE to the callee is compacted');

  await r.run(64 * 500);
  t.match(r.b2bua.stats, { calls: 1, sessions: 2, dialogs: 2, transactions: 0 }, 'the call is up; its INVITE transactions have ended');
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  for (const [what, ref] of garbage) t.equal(ref.deref(), undefined, `${what} is garbage`);
  t.equal(garbage.size, 4);

  const moved = call!.retarget({ uri: uriOf('C') });
  await r.run(1000);
  t.same(await moved, { ok: true, leg: 2 });
  t.match(r.wire().find((w) => w.dir === 'X>C' && w.line === 'INVITE')?.text, /Max-Forwards: 69\r\n[\s\S]*\r\n\r\nv=0\r\no=a 1 1 /, "C gets the caller's SDP and hop count");
  a.bye();
  await r.drain();
  t.same(r.events.at(-1), 'ended callerBye [1:ended 200, 2:ended 200]');
  t.match(r.b2bua.stats, { calls: 0, sessions: 0, dialogs: 0, transactions: 0 });
  await r.close();
});
