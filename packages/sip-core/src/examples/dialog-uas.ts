#!/usr/bin/env node
/**
 * Example user agent server on the dialog layer, used in docs/dialogs.md and by
 * the SIPp dialog tests:
 *   node dist/examples/dialog-uas.js --listen udp://127.0.0.1:5070 [--listen tcp://127.0.0.1:5070]
 * INVITE -> 180, then 200 with an SDP answer (the dialog layer retransmits it
 * until the ACK); re-INVITE and UPDATE -> 200 with an answer that mirrors the
 * offer's direction (sendonly -> recvonly: hold and resume); INFO -> 200;
 * BYE -> 200 (481 outside a dialog, by the dialog layer). A call to the user
 * "hangup" is ended by us with BYE 500 ms after the ACK. Prints
 * "listening <spec>" for each bound address; runs until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { Endpoint } from '../endpoint.js';
import { DialogUserAgent } from '../dialog/user-agent.js';
import type { UasSession } from '../dialog/uas-session.js';
import { SipTransportLayer } from '../transport/transport-layer.js';
import { formatListenSpec, hostForUri } from '../transport/address.js';

const { values } = parseArgs({
  options: { listen: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
});
if (values.help || !values.listen?.length) {
  process.stdout.write('usage: dialog-uas.js --listen udp://127.0.0.1:5070 [--listen tcp://127.0.0.1:5070 ...]\n');
  process.exit(values.help ? 0 : 2);
}

async function main(): Promise<void> {
  const transport = await SipTransportLayer.listen({ listen: values.listen! });
  const ep = new Endpoint({ transport });
  const points = transport.listening();
  const ua = new DialogUserAgent({
    endpoint: ep,
    contact: (protocol) => {
      const p = points.find((l) => l.protocol === protocol) ?? points[0]!;
      return `<sip:uas@${hostForUri(p.address)}:${p.port};transport=${p.protocol}>`;
    },
  });

  let version = 1;
  const answer = (offer: Uint8Array): string => {
    const text = Buffer.from(offer).toString();
    const dir = /a=sendonly/.test(text) ? 'recvonly' : /a=inactive/.test(text) ? 'inactive' : 'sendrecv';
    const p = points[0]!;
    const ip = p.address.includes(':') ? `IP6 ${p.address}` : `IP4 ${p.address}`;
    return `v=0\r\no=ima-uas 1 ${version++} IN ${ip}\r\ns=-\r\nc=IN ${ip}\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=${dir}\r\n`;
  };

  ua.onInvite((session: UasSession) => {
    session.on((e) => {
      if (e.type === 'request') {
        const req = e.request.request;
        e.request.respond(200, req.body.byteLength > 0 ? { body: answer(req.body) } : {});
      } else if (e.type === 'confirmed' && session.invite.uri.kind === 'sip' && session.invite.uri.user === 'hangup') {
        ep.clock.setTimeout(() => session.bye(), 500);
      }
    });
    session.progress(180);
    session.accept({ body: answer(session.invite.body) });
  });

  for (const p of points) process.stdout.write(`listening ${formatListenSpec(p)}\n`);
  const stop = () => {
    ua.close();
    void ep.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dialog-uas: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
