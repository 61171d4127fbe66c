#!/usr/bin/env node
/**
 * Example B2BUA used in docs/b2bua.md and by the SIPp tests:
 *   node dist/examples/relay.js --listen udp://127.0.0.1:5070 [--listen tcp://127.0.0.1:5070]
 *        --to udp://127.0.0.1:5080 [--to udp://127.0.0.1:5081 ...]
 *        [--fork parallel|sequential] [--no-answer 5s]
 * Every incoming call goes to the targets (the Request-URI's user at each
 * target's address), in parallel (default) or in turn, each given up after
 * the no-answer time when one is set; everything else is relayed end to end.
 * Prints "listening <spec>" for each bound address and runs until SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { type Destination, SipTransportLayer, formatListenSpec, parseListenSpec } from '@ima/sip-core';
import { B2bua } from '../b2bua.js';
import type { RouteTarget } from '../call-leg.js';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', multiple: true },
    to: { type: 'string', multiple: true },
    fork: { type: 'string', default: 'parallel' },
    'no-answer': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const usage = 'usage: relay.js --listen udp://127.0.0.1:5070 --to udp://127.0.0.1:5080 [--to ...] [--fork parallel|sequential] [--no-answer 5s]\n';

/** "5s", "1500ms", "2m" or a number of seconds -> milliseconds. */
function duration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

const hostForUri = (address: string) => (address.includes(':') ? `[${address}]` : address);

async function main(): Promise<void> {
  if (values.help || !values.listen?.length || !values.to?.length || (values.fork !== 'parallel' && values.fork !== 'sequential')) {
    process.stdout.write(usage);
    process.exit(values.help ? 0 : 2);
  }
  const noAnswerMs = values['no-answer'] === undefined ? undefined : duration(values['no-answer']);
  if (values['no-answer'] !== undefined && noAnswerMs === undefined) {
    process.stderr.write(`relay: --no-answer ${values['no-answer']}: expected e.g. 5s or 1500ms\n`);
    process.exit(2);
  }
  const targets: Destination[] = values.to.map((spec) => {
    const s = parseListenSpec(spec);
    return { protocol: s.protocol, host: s.address, port: s.port };
  });
  const mode = values.fork;
  const transport = await SipTransportLayer.listen({ listen: values.listen });
  const points = transport.listening();
  const b2bua = new B2bua({
    transport,
    contact: (protocol) => {
      const p = points.find((l) => l.protocol === protocol) ?? points[0]!;
      return `<sip:relay@${hostForUri(p.address)}:${p.port};transport=${p.protocol}>`;
    },
    router: {
      route: (invite) => {
        const user = invite.uri.kind === 'sip' && invite.uri.user !== undefined ? `${invite.uri.user}@` : '';
        const list: RouteTarget[] = targets.map((dest) => ({
          uri: `sip:${user}${hostForUri(dest.host)}:${dest.port};transport=${dest.protocol}`,
          dest,
          noAnswerMs,
        }));
        return { targets: list, mode };
      },
    },
  });
  for (const p of points) process.stdout.write(`listening ${formatListenSpec(p)}\n`);
  let isStopping = false;
  const stop = () => {
    if (isStopping) return;
    isStopping = true;
    void b2bua.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`relay: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
