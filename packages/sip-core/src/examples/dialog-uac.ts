#!/usr/bin/env node
/**
 * Example user agent client on the dialog layer, used in docs/dialogs.md and
 * by the SIPp dialog tests:
 *   node dist/examples/dialog-uac.js --to udp://127.0.0.1:5070 [--calls N] [--rate R]
 *        [--flow hold|callee-bye] [--timeout-ms 60000]
 * Each call: INVITE with an SDP offer (the dialog layer ACKs the 2xx and every
 * retransmission of it). Flow "hold" (default): re-INVITE with a=sendonly
 * (hold), re-INVITE with a=sendrecv (resume), UPDATE with a new offer, then
 * BYE; every step must get 200. Flow "callee-bye": wait for the callee's BYE.
 * Prints "calls N succeeded S failed F"; exits 0 only when every call succeeded.
 */
import { parseArgs } from 'node:util';
import { Endpoint } from '../endpoint.js';
import { DialogUserAgent } from '../dialog/user-agent.js';
import type { RequestOutcome, Session } from '../dialog/session.js';
import { SipTransportLayer } from '../transport/transport-layer.js';
import { hostForUri, parseListenSpec } from '../transport/address.js';
import type { Destination } from '../transport/transport.js';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    calls: { type: 'string', default: '1' },
    rate: { type: 'string', default: '10' },
    flow: { type: 'string', default: 'hold' },
    'timeout-ms': { type: 'string', default: '60000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.to || (values.flow !== 'hold' && values.flow !== 'callee-bye')) {
  process.stdout.write('usage: dialog-uac.js --to udp://127.0.0.1:5070 [--calls N] [--rate R] [--flow hold|callee-bye] [--timeout-ms MS]\n');
  process.exit(values.help ? 0 : 2);
}

async function main(): Promise<void> {
  const spec = parseListenSpec(values.to!);
  const dest: Destination = { protocol: spec.protocol, host: spec.address, port: spec.port };
  const total = Number(values.calls);
  const rate = Number(values.rate);
  const local = `${dest.protocol}://${dest.host.includes(':') ? '[::1]' : '127.0.0.1'}:0`;
  const transport = await SipTransportLayer.listen({ listen: [local] });
  const ep = new Endpoint({ transport });
  const me = transport.listening()[0]!;
  const host = hostForUri(me.address);
  const ua = new DialogUserAgent({ endpoint: ep, contact: `<sip:uac@${host}:${me.port};transport=${me.protocol}>` });
  const ip = me.address.includes(':') ? `IP6 ${me.address}` : `IP4 ${me.address}`;
  const sdp = (n: number, version: number, dir: string) =>
    `v=0\r\no=ima-uac ${n} ${version} IN ${ip}\r\ns=-\r\nc=IN ${ip}\r\nt=0 0\r\nm=audio ${10000 + (n % 20000) * 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=${dir}\r\n`;
  let succeeded = 0;
  let failed = 0;
  let started = 0;
  const finished = new Set<number>();

  const finish = (n: number, ok: boolean, why: string) => {
    if (finished.has(n)) return;
    finished.add(n);
    if (ok) succeeded++;
    else {
      failed++;
      process.stderr.write(`call ${n} failed: ${why}\n`);
    }
    if (succeeded + failed === total) void end();
  };
  const end = async () => {
    process.stdout.write(`calls ${total} succeeded ${succeeded} failed ${failed}\n`);
    // Let the last BYE complete (and the peer finish its call) before the connections close.
    await new Promise((r) => setTimeout(r, 1000));
    ua.close();
    await ep.close();
    process.exit(failed === 0 && succeeded === total ? 0 : 1);
  };
  const is200 = (o: RequestOutcome) => o.kind === 'response' && o.response.status === 200;

  async function holdResume(n: number, s: Session): Promise<void> {
    const steps: Array<[string, string]> = [['INVITE', 'sendonly'], ['INVITE', 'sendrecv'], ['UPDATE', 'sendrecv']];
    let version = 2;
    for (const [method, dir] of steps) {
      const o = await s.request(method, { body: sdp(n, version++, dir) });
      if (!is200(o)) return finish(n, false, `${method} ${dir}: ${o.kind === 'response' ? o.response.status : o.kind}`);
    }
    s.bye();
    finish(n, true, '');
  }

  function place(n: number): void {
    const s = ua.invite({
      uri: `sip:service@${hostForUri(dest.host)}:${dest.port}`,
      dest,
      from: `"IMA example" <sip:uac@${host}>`,
      body: sdp(n, 1, 'sendrecv'),
    });
    s.on((e) => {
      if (e.type === 'confirmed' && values.flow === 'hold') void holdResume(n, s);
      else if (e.type === 'terminated') {
        if (values.flow === 'callee-bye') finish(n, e.cause.kind === 'remoteBye', e.cause.kind);
        else if (e.cause.kind !== 'localBye') finish(n, false, e.cause.kind);
      }
    });
  }

  const gap = 1000 / rate;
  const tick = () => {
    if (started >= total) return;
    place(started++);
    setTimeout(tick, gap);
  };
  tick();
  setTimeout(() => {
    for (let i = 0; i < total; i++) finish(i, false, 'timeout');
  }, Number(values['timeout-ms'])).unref();
  const keepAlive = setInterval(() => undefined, 1000);
  process.on('exit', () => clearInterval(keepAlive));
}

main().catch((err: unknown) => {
  process.stderr.write(`dialog-uac: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
