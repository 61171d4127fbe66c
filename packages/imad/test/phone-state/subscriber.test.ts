/**
 * Phone-state subscriptions (RFC 6665) through a simulated PBX on the loopback network:
 * - SUBSCRIBE with the trunk's event package and Accept; NOTIFY bodies become phone states
 * - refreshed in the dialog (To tag, next CSeq) before expiry
 * - NOTIFY before the 2xx is accepted; a NOTIFY for no subscription gets 481
 * - 489 (and 403, 404) is reported once, retried rarely, and not reported again
 * - terminated;reason=deactivated subscribes again with a new dialog
 * - no answer: waits with backoff, then subscribes again
 * - numbers no longer watched are unsubscribed (Expires: 0)
 */
import t from 'tap';
import { Endpoint, LoopbackNetwork, ManualClock, SipRequest, type SipRequest as Req, parseUri } from '@ima/sip-core';
import { PhoneStateSubscriber } from '../../src/phone-state/subscriber.js';

const pidf = (activity: string) =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:x@pbx"><tuple id="t"><status><basic>${activity ? 'closed' : 'open'}</basic></status></tuple><person xmlns="urn:ietf:params:xml:ns:pidf:data-model"><rpid:activities>${activity}</rpid:activities></person></presence>`;

function world(answer: (req: Req) => number = () => 200) {
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const ima = new Endpoint({ transport: net.createTransport({ host: '127.0.0.1', port: 5060 }), clock });
  const pbx = new Endpoint({ transport: net.createTransport({ host: '127.0.0.2', port: 5080 }), clock });
  const subscribes: Req[] = [];
  const states: string[] = [];
  const refused: string[] = [];
  let notifySeq = 0;
  pbx.on('SUBSCRIBE', (req, tx) => {
    subscribes.push(req);
    const status = answer(req);
    pbx.respond(tx, status, undefined, status < 300 ? { toTag: 'pbx1', headers: [['Contact', '<sip:pbx@127.0.0.2:5080>'], ['Expires', req.headers.get('expires')!]] } : {});
  });
  /** The PBX sends a NOTIFY in the dialog of the last SUBSCRIBE. */
  const notify = (body: string | undefined, state = 'active;expires=3600', to = subscribes[subscribes.length - 1]!) => {
    const codes: number[] = [];
    const req = new SipRequest({
      method: 'NOTIFY',
      uri: parseUri('sip:ima@127.0.0.1:5060'),
      headers: [
        ['From', `<sip:${(to.uri as { user?: string }).user}@127.0.0.2>;tag=pbx1`],
        ['To', to.headers.get('from')!],
        ['Call-ID', to.callId],
        ['CSeq', `${++notifySeq} NOTIFY`],
        ['Max-Forwards', '70'],
        ['Contact', '<sip:pbx@127.0.0.2:5080>'],
        ['Event', 'presence'],
        ['Subscription-State', state],
        ...(body === undefined ? [] : ([['Content-Type', 'application/pidf+xml']] as Array<[string, string]>)),
      ],
      body,
    });
    pbx.request(req, { protocol: 'udp', host: '127.0.0.1', port: 5060 }, { onResponse: (r) => r.status >= 200 && codes.push(r.status) });
    clock.advance(10);
    return codes;
  };
  const sub = new PhoneStateSubscriber({
    endpoint: ima,
    clock,
    package: 'presence',
    peer: () => ({ protocol: 'udp', host: '127.0.0.2', port: 5080 }),
    fromUri: 'sip:ima@127.0.0.1',
    contact: '<sip:ima@127.0.0.1:5060>',
    expiresS: 600,
    onState: (n, s) => states.push(`${n}=${s}`),
    onRefused: (n, r) => refused.push(`${n}: ${r}`),
  });
  return { clock, net, ima, pbx, sub, subscribes, states, refused, notify };
}

t.test('subscribe, read NOTIFYs, refresh in the dialog before expiry', async (t) => {
  const w = world();
  w.sub.watch(['81000']);
  w.clock.advance(10);
  t.equal(w.subscribes.length, 1);
  const first = w.subscribes[0]!;
  t.equal(first.event?.type, 'presence');
  t.equal(first.headers.get('accept'), 'application/pidf+xml');
  t.equal(first.uri.toString(), 'sip:81000@127.0.0.2:5080');
  t.equal(w.sub.status('81000'), 'active');
  t.same(w.notify(pidf('<rpid:on-the-phone/>')), [200]);
  t.same(w.notify(pidf('')), [200]);
  t.same(w.states, ['81000=busy', '81000=idle']);
  w.clock.advance(600 * 800);
  t.equal(w.subscribes.length, 2, 'refreshed at 80% of the expiry');
  const refresh = w.subscribes[1]!;
  t.equal(refresh.callId, first.callId, 'in the same dialog');
  t.equal(refresh.to.tag, 'pbx1');
  t.equal(refresh.cseq.seq, 2);
  t.equal(refresh.uri.toString(), 'sip:pbx@127.0.0.2:5080', 'to the remote target');
  w.sub.stop();
  w.clock.advance(10);
  t.equal(w.subscribes[2]?.headers.get('expires'), '0', 'stop unsubscribes');
  w.clock.runAll();
});

t.test('NOTIFY before the 2xx is accepted; a NOTIFY for nothing gets 481', async (t) => {
  const w = world();
  w.sub.watch(['2000']);
  // Deliver the SUBSCRIBE but hold back the 2xx: the NOTIFY overtakes it.
  w.net.setConditions('127.0.0.2:5080', '127.0.0.1:5060', { delayMs: 500 });
  w.clock.advance(10);
  w.net.clearConditions();
  t.same(w.notify(pidf('<rpid:on-the-phone/>')), [200]);
  t.same(w.states, ['2000=busy']);
  const stray = new SipRequest({
    method: 'NOTIFY',
    uri: parseUri('sip:ima@127.0.0.1:5060'),
    headers: [['From', '<sip:x@127.0.0.2>;tag=z'], ['To', '<sip:ima@127.0.0.1>;tag=nope'], ['Call-ID', 'unknown'], ['CSeq', '1 NOTIFY'], ['Max-Forwards', '70'], ['Event', 'presence'], ['Subscription-State', 'active']],
  });
  const codes: number[] = [];
  w.pbx.request(stray, { protocol: 'udp', host: '127.0.0.1', port: 5060 }, { onResponse: (r) => codes.push(r.status) });
  w.clock.advance(600);
  t.same(codes, [481]);
  w.sub.stop();
  w.clock.runAll();
});

t.test('489 is reported once and retried rarely', async (t) => {
  const w = world(() => 489);
  w.sub.watch(['2001']);
  w.clock.advance(10);
  t.equal(w.sub.status('2001'), 'refused');
  t.same(w.refused, ['2001: 489 Bad Event to SUBSCRIBE']);
  w.clock.advance(60_000);
  t.equal(w.subscribes.length, 1, 'not retried within the minute');
  w.clock.advance(10 * 60_000);
  t.equal(w.subscribes.length, 2, 'retried after ten minutes');
  t.equal(w.refused.length, 1, 'and not reported again');
  w.sub.stop();
  w.clock.runAll();
});

t.test('terminated;reason=deactivated subscribes again in a new dialog', async (t) => {
  const w = world();
  w.sub.watch(['81000']);
  w.clock.advance(10);
  const first = w.subscribes[0]!;
  t.same(w.notify(undefined, 'terminated;reason=deactivated'), [200]);
  w.clock.advance(10);
  t.equal(w.subscribes.length, 2);
  t.not(w.subscribes[1]!.callId, first.callId);
  t.equal(w.subscribes[1]!.to.tag, undefined);
  w.sub.stop();
  w.clock.runAll();
});

t.test('no answer: wait with backoff, then subscribe again; unwatched numbers are unsubscribed', async (t) => {
  const w = world();
  w.net.setConditions('127.0.0.1:5060', '127.0.0.2:5080', { drop: () => true });
  w.sub.watch(['81000', '2000']);
  w.clock.advance(32_000 + 100);
  t.equal(w.sub.status('81000'), 'waiting');
  w.net.clearConditions();
  w.clock.advance(30_000);
  t.equal(w.sub.status('81000'), 'active');
  const before = w.subscribes.length;
  w.sub.watch(['2000']);
  w.clock.advance(10);
  t.equal(w.sub.status('81000'), undefined);
  t.equal(w.subscribes.length, before + 1);
  t.equal(w.subscribes[before]!.headers.get('expires'), '0');
  t.equal((w.subscribes[before]!.to.uri as { user?: string }).user, '81000');
  w.sub.stop();
  w.clock.runAll();
});
