/**
 * The trunk's front door of a running `imad start`, seen from an address outside sip.trunk.allow
 * (127.0.0.2 and 127.0.0.3; the daemon allows 127.0.0.1/32):
 * - every request gets 403, except a NOTIFY and an ACK, which are dropped; a response is dropped
 * - a flood of refused requests writes one log line for its address, not one per request
 * Datagrams from one socket arrive and are handled in order: once the 403 of a later request is
 * back, an earlier NOTIFY would have had its answer already.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { setup } from '../sipp/fixtures/e2e.js';
import { runImad } from '../sipp/fixtures/running-imad.js';

function request(method: string, callId: string, to: number, from: { address: string; port: number }): Buffer {
  return Buffer.from(
    `${method} sip:1000@127.0.0.1:${to} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${from.address}:${from.port};branch=z9hG4bK-${callId}\r\n` +
      `From: <sip:stranger@${from.address}>;tag=${callId}\r\nTo: <sip:1000@127.0.0.1>\r\n` +
      `Call-ID: ${callId}\r\nCSeq: 1 ${method}\r\nMax-Forwards: 70\r\n` +
      (method === 'NOTIFY' ? 'Event: presence\r\nSubscription-State: active;expires=600\r\n' : '') +
      'Content-Length: 0\r\n\r\n',
  );
}

async function stranger(address: string) {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, address, () => r()));
  const answers: Array<{ status: number; callId: string }> = [];
  const waiters: Array<() => void> = [];
  sock.on('message', (m) => {
    const text = m.toString();
    answers.push({ status: Number(/^SIP\/2\.0 (\d+)/.exec(text)?.[1]), callId: /^Call-ID: (.*)$/m.exec(text)?.[1]?.trim() ?? '' });
    for (const w of waiters.splice(0)) w();
  });
  return {
    from: { address, port: sock.address().port },
    answers,
    send: (b: Buffer, port: number) => sock.send(b, port, '127.0.0.1'),
    /** Resolves once `n` answers are in (rejects after 10 s). */
    async answered(n: number): Promise<void> {
      const end = Date.now() + 10_000;
      while (answers.length < n) {
        if (Date.now() > end) throw new Error(`${answers.length} answers of ${n}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    close: () => sock.close(),
  };
}

t.test('from outside allow: 403, NOTIFYs and responses dropped, one log line per address', async (t) => {
  const s = await setup();
  const { imad } = await runImad(t, s, { logLevel: 'info' });

  const a = await stranger('127.0.0.2');
  t.teardown(() => a.close());
  a.send(request('NOTIFY', 'notify-1', s.imaPort, a.from), s.imaPort);
  a.send(Buffer.from(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${s.imaPort};branch=z9hG4bK-x\r\nFrom: <sip:ima@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.2>;tag=2\r\nCall-ID: response-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`), s.imaPort);
  const flood = 40;
  for (let i = 0; i < flood; i++) a.send(request(i % 2 === 0 ? 'OPTIONS' : 'INVITE', `req-${i}`, s.imaPort, a.from), s.imaPort);
  await a.answered(flood);
  t.equal(a.answers.filter((x) => x.status === 403).length, flood, 'every request got 403');
  t.same(a.answers.filter((x) => !x.callId.startsWith('req-')), [], 'the NOTIFY and the response got no answer at all');

  // A line from another address marks the point up to which the daemon has logged.
  const b = await stranger('127.0.0.3');
  t.teardown(() => b.close());
  b.send(request('OPTIONS', 'other-1', s.imaPort, b.from), s.imaPort);
  await b.answered(1);
  await imad.until(/"source":"127\.0\.0\.3:/);
  const refusedLines = imad.lines.filter((l) => /not an allowed trunk peer/.test(l) && /"source":"127\.0\.0\.2:/.test(l));
  t.equal(refusedLines.length, 1, `${flood + 2} messages from 127.0.0.2 wrote one line`);
  t.match(refusedLines[0], /"method":"NOTIFY"/, 'the first one, the NOTIFY, named');
  t.equal(imad.lines.filter((l) => /"source":"127\.0\.0\.3:/.test(l)).length, 1, 'another address gets its own line');
});
