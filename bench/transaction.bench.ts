/**
 * pnpm bench:transaction — the transaction layer's hot paths:
 * 1. pure machine steps: a non-INVITE client transaction from start to
 *    terminated (send, 200, timer K) and an INVITE client one (180, 200, timer M);
 * 2. OPTIONS transactions per second between two Endpoints over real UDP
 *    sockets on loopback (client and server in this process, 200 in flight,
 *    a bounded count).
 * Prints operations per second; never gates anything.
 */
import {
  DEFAULT_TIMERS,
  Endpoint,
  SipRequest,
  SipResponse,
  parseUri,
  startIct,
  startNict,
  stepIct,
  stepNict,
} from '@ima/sip-core';

const request = (method: string, n: number) =>
  new SipRequest({
    method,
    uri: parseUri('sip:127.0.0.1:5999'),
    headers: [
      ['Via', `SIP/2.0/UDP 127.0.0.1:5998;branch=z9hG4bKbench${n};rport`],
      ['From', '<sip:bench@127.0.0.1>;tag=b1'],
      ['To', '<sip:127.0.0.1:5999>'],
      ['Call-ID', `bench-${n}`],
      ['CSeq', `1 ${method}`],
      ['Max-Forwards', '70'],
    ],
  });
const response = (req: SipRequest, status: number) =>
  new SipResponse({ status, headers: [['Via', req.headers.get('via')!], ['From', req.headers.get('from')!], ['To', '<sip:127.0.0.1:5999>;tag=x'], ['Call-ID', req.callId], ['CSeq', req.headers.get('cseq')!]] });

function perSecond(label: string, ms: number, body: () => number): void {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n += body();
  console.log(`${label.padEnd(46)} ${((n * 1000) / ms).toFixed(0).padStart(10)} /s`);
}

const cfg = DEFAULT_TIMERS;
const opts = request('OPTIONS', 1);
const ok = response(opts, 200);
const inv = request('INVITE', 2);
const ringing = response(inv, 180);
const ok2 = response(inv, 200);

console.log(`node ${process.version}`);
perSecond('NICT start -> 200 -> K -> terminated (steps)', 1000, () => {
  for (let i = 0; i < 1000; i++) {
    let s = startNict(opts, { isReliable: false }, cfg).state;
    s = stepNict(s, { type: 'response', res: ok }, cfg).state;
    s = stepNict(s, { type: 'timerFired', timer: 'K' }, cfg).state;
    if (s.kind !== 'terminated') throw new Error(s.kind);
  }
  return 1000;
});
perSecond('ICT start -> 180 -> 200 -> M -> terminated (steps)', 1000, () => {
  for (let i = 0; i < 1000; i++) {
    let s = startIct(inv, { isReliable: false }, cfg).state;
    s = stepIct(s, { type: 'response', res: ringing }, cfg).state;
    s = stepIct(s, { type: 'response', res: ok2 }, cfg).state;
    s = stepIct(s, { type: 'timerFired', timer: 'M' }, cfg).state;
    if (s.kind !== 'terminated') throw new Error(s.kind);
  }
  return 1000;
});

// OPTIONS over real UDP on loopback.
const server = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'] });
const client = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'] });
const port = (server.transport as unknown as { listening(): Array<{ port: number }> }).listening()[0]!.port;
const TOTAL = Number(process.env.BENCH_TRANSACTIONS ?? 20000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 200);
let sent = 0;
let done = 0;
let failed = 0;
const t0 = performance.now();
await new Promise<void>((resolve) => {
  const next = () => {
    if (sent >= TOTAL) return;
    const n = sent++;
    const req = new SipRequest({
      method: 'OPTIONS',
      uri: parseUri(`sip:127.0.0.1:${port}`),
      headers: [['From', `<sip:bench@127.0.0.1>;tag=c${n}`], ['To', `<sip:127.0.0.1:${port}>`], ['Call-ID', `opt-${n}`], ['CSeq', '1 OPTIONS'], ['Max-Forwards', '70']],
    });
    const finish = (okay: boolean) => {
      if (!okay) failed++;
      if (++done === TOTAL) resolve();
      else next();
    };
    client.request(req, { protocol: 'udp', host: '127.0.0.1', port }, {
      onResponse: (r) => r.status >= 200 && finish(r.status < 300),
      onTimeout: () => finish(false),
      onTransportError: () => finish(false),
    });
  };
  for (let i = 0; i < WINDOW; i++) next();
});
const secs = (performance.now() - t0) / 1000;
console.log(`${'OPTIONS over UDP loopback, 200 in flight'.padEnd(46)} ${(TOTAL / secs).toFixed(0).padStart(10)} /s (${TOTAL} transactions, ${failed} failed)`);
await client.close();
await server.close();
