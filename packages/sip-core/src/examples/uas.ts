#!/usr/bin/env node
/**
 * Example user agent server, used in the docs and by the SIPp tests:
 *   node dist/examples/uas.js --listen udp://127.0.0.1:5070 [--listen tcp://127.0.0.1:5070]
 * OPTIONS -> 200; INVITE -> 180, then 200 with an SDP answer, retransmitted
 * until the ACK arrives (RFC 3261 §13.3.1.4: T1 doubling to T2, given up at
 * 64*T1 with a BYE... here: given up and forgotten); ACK silently; BYE -> 200
 * (481 for an unknown call). Prints "listening <spec>" for each bound address,
 * and runs until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { Endpoint } from '../endpoint.js';
import type { SipRequest } from '../message/message.js';
import type { TimerHandle } from '../clock.js';
import { SipTransportLayer } from '../transport/transport-layer.js';
import { formatListenSpec, hostForUri } from '../transport/address.js';
import type { ServerTransaction } from '../transaction/layer.js';

const { values } = parseArgs({
  options: { listen: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
});
if (values.help || !values.listen?.length) {
  process.stdout.write('usage: uas.js --listen udp://127.0.0.1:5070 [--listen tcp://127.0.0.1:5070 ...]\n');
  process.exit(values.help ? 0 : 2);
}

const T1 = 500;
const T2 = 4000;

interface Call {
  retransmit?: TimerHandle;
  isConfirmed: boolean;
}

async function main(): Promise<void> {
  const transport = await SipTransportLayer.listen({ listen: values.listen! });
  const ep = new Endpoint({ transport });
  const points = transport.listening();
  const calls = new Map<string, Call>();
  const key = (callId: string, tag: string | undefined) => `${callId};${tag ?? ''}`;

  function contactFor(req: SipRequest): string {
    const proto = req.topVia?.transport.toLowerCase();
    const p = points.find((l) => l.protocol === proto) ?? points[0]!;
    return `<sip:uas@${hostForUri(p.address)}:${p.port};transport=${p.protocol}>`;
  }

  function sdpAnswer(): string {
    const p = points[0]!;
    const ip = p.address.includes(':') ? `IP6 ${p.address}` : `IP4 ${p.address}`;
    return `v=0\r\no=ima-uas 1 1 IN ${ip}\r\ns=-\r\nc=IN ${ip}\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
  }

  ep.on('INVITE', (req: SipRequest, tx: ServerTransaction) => {
    const toTag = Math.random().toString(36).slice(2, 10);
    ep.respond(tx, 180, undefined, { toTag, headers: [['Contact', contactFor(req)]] });
    const ok = ep.respond(tx, 200, undefined, {
      toTag,
      headers: [['Contact', contactFor(req)], ['Content-Type', 'application/sdp']],
      body: sdpAnswer(),
    });
    const call: Call = { isConfirmed: false };
    calls.set(key(req.callId, toTag), call);
    // The TU retransmits its 2xx until the ACK (RFC 3261 §13.3.1.4, RFC 6026 §8.4).
    let interval = T1;
    let elapsed = 0;
    const again = () => {
      if (call.isConfirmed) return;
      elapsed += interval;
      if (elapsed >= 64 * T1) return; // given up: the dialog layer would send BYE here
      tx.respond(ok);
      interval = Math.min(interval * 2, T2);
      call.retransmit = ep.clock.setTimeout(again, interval);
    };
    call.retransmit = ep.clock.setTimeout(again, interval);
  });

  ep.onAck((ack) => {
    const call = calls.get(key(ack.callId, ack.to.tag));
    if (!call) return;
    call.isConfirmed = true;
    if (call.retransmit) ep.clock.clearTimeout(call.retransmit);
  });

  ep.on('BYE', (req, tx) => {
    const k = key(req.callId, req.to.tag);
    const call = calls.get(k);
    if (!call) {
      ep.respond(tx, 481);
      return;
    }
    if (call.retransmit) ep.clock.clearTimeout(call.retransmit);
    // Forget the call a little later, so that a retransmitted BYE still finds it (the NIST answers those).
    ep.clock.setTimeout(() => calls.delete(k), 64 * T1);
    ep.respond(tx, 200);
  });

  for (const p of points) process.stdout.write(`listening ${formatListenSpec(p)}\n`);
  const stop = () => {
    void ep.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`uas: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
