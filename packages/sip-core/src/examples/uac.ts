#!/usr/bin/env node
/**
 * Example user agent client, used in the docs and by the SIPp tests:
 *   node dist/examples/uac.js --to udp://127.0.0.1:5070 --calls N --rate R [--hold-ms 0] [--linger-ms 0] [--local udp://127.0.0.1:0]
 * Places N calls, R per second: INVITE with an SDP offer; on the 2xx an ACK
 * (sent again for every retransmitted 2xx); then BYE. A call succeeds when its
 * BYE gets a 2xx. Prints "calls N succeeded S failed F" and exits 0 only when
 * every call succeeded. Bounded: it gives up on calls still open after
 * --timeout-ms (default 60000).
 */
import { parseArgs } from 'node:util';
import { Endpoint } from '../endpoint.js';
import { SipRequest, type SipResponse } from '../message/message.js';
import { parseUri, type SipUri } from '../message/uri.js';
import { formatNameAddr, withTag } from '../message/header-values.js';
import { SipTransportLayer } from '../transport/transport-layer.js';
import { hostForUri, parseListenSpec } from '../transport/address.js';
import type { Destination } from '../transport/transport.js';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    calls: { type: 'string', default: '1' },
    rate: { type: 'string', default: '10' },
    'hold-ms': { type: 'string', default: '0' },
    'timeout-ms': { type: 'string', default: '60000' },
    'linger-ms': { type: 'string', default: '0' },
    local: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.to) {
  process.stdout.write('usage: uac.js --to udp://127.0.0.1:5070 --calls N --rate R [--hold-ms MS] [--timeout-ms MS] [--local udp://127.0.0.1:0]\n');
  process.exit(values.help ? 0 : 2);
}

interface Call {
  readonly callId: string;
  readonly fromTag: string;
  invite: SipRequest;
  ack?: SipRequest;
  ackDest?: Destination;
  state: 'inviting' | 'confirmed' | 'ending' | 'done' | 'failed';
}

async function main(): Promise<void> {
  const spec = parseListenSpec(values.to!);
  const dest: Destination = { protocol: spec.protocol, host: spec.address, port: spec.port };
  const total = Number(values.calls);
  const rate = Number(values.rate);
  const holdMs = Number(values['hold-ms']);
  const timeoutMs = Number(values['timeout-ms']);
  const local = values.local ?? `${dest.protocol}://${dest.host.includes(':') ? '[::1]' : '127.0.0.1'}:0`;
  const transport = await SipTransportLayer.listen({ listen: [local] });
  const ep = new Endpoint({ transport });
  const me = transport.listening()[0]!;
  const target = `sip:service@${hostForUri(dest.host)}:${dest.port}`;
  const calls = new Map<string, Call>();
  let succeeded = 0;
  let failed = 0;
  let started = 0;

  const finish = (call: Call, ok: boolean) => {
    if (call.state === 'done' || call.state === 'failed') return;
    call.state = ok ? 'done' : 'failed';
    if (ok) succeeded++;
    else failed++;
    if (succeeded + failed === total) void end();
  };

  const end = async () => {
    process.stdout.write(`calls ${total} succeeded ${succeeded} failed ${failed}\n`);
    // Keep connections open a while, so that the peer can finish its own timers (SIPp's
    // scenarios wait a few seconds after the last BYE and count a closed TCP connection as a failure).
    const linger = Number(values['linger-ms']);
    if (linger > 0) await new Promise((r) => setTimeout(r, linger));
    await ep.close();
    process.exit(failed === 0 && succeeded === total ? 0 : 1);
  };

  function sendAck(call: Call, res: SipResponse): void {
    if (!call.ack) {
      // RFC 3261 §13.2.2.4: the ACK goes to the remote target, with the CSeq number of the INVITE.
      const contact = res.contact;
      const remote = contact !== '*' && contact[0] ? contact[0].uri : call.invite.uri;
      call.ack = new SipRequest({
        method: 'ACK',
        uri: remote,
        headers: [
          ['From', call.invite.headers.get('from')!],
          ['To', res.headers.get('to')!],
          ['Call-ID', call.callId],
          ['CSeq', `${call.invite.cseq.seq} ACK`],
          ['Max-Forwards', '70'],
        ],
      });
      call.ackDest = destinationOf(remote as SipUri) ?? dest;
      void ep.sendAck(call.ack, call.ackDest);
    } else {
      // A retransmitted 2xx: the same ACK again (a copy, so its Via gets a fresh branch like the first).
      const again = new SipRequest({ method: 'ACK', uri: call.ack.uri, headers: call.ack.headers.clone() });
      again.headers.removeFirst('via');
      void ep.sendAck(again, call.ackDest!);
    }
  }

  function destinationOf(uri: SipUri): Destination | undefined {
    if (uri.kind !== 'sip') return undefined;
    const t = uri.param('transport')?.toLowerCase();
    const protocol = t === 'tcp' || t === 'tls' || t === 'udp' ? t : dest.protocol;
    return { protocol, host: uri.hostname, port: uri.port ?? dest.port };
  }

  function bye(call: Call, res: SipResponse): void {
    call.state = 'ending';
    const req = new SipRequest({
      method: 'BYE',
      uri: call.ack!.uri,
      headers: [
        ['From', call.invite.headers.get('from')!],
        ['To', res.headers.get('to')!],
        ['Call-ID', call.callId],
        ['CSeq', `${call.invite.cseq.seq + 1} BYE`],
        ['Max-Forwards', '70'],
      ],
    });
    ep.request(req, call.ackDest!, {
      onResponse: (r) => r.status >= 200 && finish(call, r.status < 300),
      onTimeout: () => finish(call, false),
      onTransportError: () => finish(call, false),
    });
  }

  function place(n: number): void {
    const callId = `uac-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}@${hostForUri(me.address)}`;
    const fromTag = Math.random().toString(36).slice(2, 10);
    const ip = me.address.includes(':') ? `IP6 ${me.address}` : `IP4 ${me.address}`;
    const invite = new SipRequest({
      method: 'INVITE',
      uri: parseUri(target),
      headers: [
        ['From', formatNameAddr(withTag({ displayName: 'IMA example', uri: parseUri(`sip:uac@${hostForUri(me.address)}`), params: new Map() }, fromTag))],
        ['To', `<${target}>`],
        ['Call-ID', callId],
        ['CSeq', '1 INVITE'],
        ['Max-Forwards', '70'],
        ['Contact', `<sip:uac@${hostForUri(me.address)}:${me.port};transport=${me.protocol}>`],
        ['Content-Type', 'application/sdp'],
      ],
      body: `v=0\r\no=ima-uac ${n} 1 IN ${ip}\r\ns=-\r\nc=IN ${ip}\r\nt=0 0\r\nm=audio ${10000 + (n % 20000) * 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`,
    });
    const call: Call = { callId, fromTag, invite, state: 'inviting' };
    calls.set(callId, call);
    ep.request(invite, dest, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (res.status >= 300) return finish(call, false);
        sendAck(call, res);
        if (call.state === 'inviting') {
          call.state = 'confirmed';
          if (holdMs > 0) ep.clock.setTimeout(() => bye(call, res), holdMs);
          else bye(call, res);
        }
      },
      onTimeout: () => finish(call, false),
      onTransportError: () => finish(call, false),
    });
  }

  // 2xx retransmissions that arrive after the INVITE transaction has gone (RFC 6026 Timer M).
  ep.onStrayResponse((res) => {
    const call = calls.get(res.callId);
    if (call && res.status >= 200 && res.status < 300 && res.cseq.method === 'INVITE' && call.ack) sendAck(call, res);
  });

  const gap = 1000 / rate;
  const tick = () => {
    if (started >= total) return;
    place(started++);
    setTimeout(tick, gap);
  };
  tick();
  setTimeout(() => {
    for (const c of calls.values()) finish(c, false);
    for (let i = started; i < total; i++) failed++;
    void end();
  }, timeoutMs).unref();
  // Keep the process alive while calls are open.
  const keepAlive = setInterval(() => undefined, 1000);
  process.on('exit', () => clearInterval(keepAlive));
}

main().catch((err: unknown) => {
  process.stderr.write(`uac: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
