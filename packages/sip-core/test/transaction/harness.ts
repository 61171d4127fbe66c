/**
 * Two TransactionLayers over a LoopbackNetwork on a ManualClock (not a test
 * file): A (the client side) at 127.0.0.1:5060, B (the server side) at 127.0.0.2:5070.
 */
import { ManualClock } from '../../src/clock.js';
import type { SipError, SipRequest, SipResponse } from '../../src/index.js';
import { TransactionLayer, type ServerTransaction, type TransactionUser } from '../../src/transaction/layer.js';
import { LoopbackNetwork } from '../../src/transport/loopback.js';
import type { Source } from '../../src/transport/transport.js';

export interface Recorder extends TransactionUser {
  requests: Array<{ tx: ServerTransaction; req: SipRequest }>;
  cancels: SipRequest[];
  acks: SipRequest[];
  strays: SipResponse[];
  errors: string[];
}

export function recorder(answer?: (tx: ServerTransaction, req: SipRequest) => void): Recorder {
  const r: Recorder = {
    requests: [],
    cancels: [],
    acks: [],
    strays: [],
    errors: [],
    onRequest(tx, req) {
      r.requests.push({ tx, req });
      answer?.(tx, req);
    },
    onCancel(_tx, cancel) {
      r.cancels.push(cancel);
    },
    onAck(ack: SipRequest, _source: Source) {
      r.acks.push(ack);
    },
    onStrayResponse(res) {
      r.strays.push(res);
    },
    onServerTransactionError(_tx, reason, error?: SipError) {
      r.errors.push(reason + (error ? ' ' + error.code : ''));
    },
  };
  return r;
}

/** What a client transaction's handlers saw. */
export function clientLog() {
  const log = {
    responses: [] as number[],
    timeouts: 0,
    transportErrors: 0,
    events: [] as string[],
    handlers: {
      onResponse: (res: SipResponse) => {
        log.responses.push(res.status);
        log.events.push(String(res.status));
      },
      onTimeout: () => {
        log.timeouts++;
        log.events.push('timeout');
      },
      onTransportError: (_e: SipError) => {
        log.transportErrors++;
        log.events.push('transportError');
      },
    },
  };
  return log;
}

export const A = '127.0.0.1:5060';
export const B = '127.0.0.2:5070';

export function pair(opts: { protocol?: 'udp' | 'tcp'; answer?: (tx: ServerTransaction, req: SipRequest) => void } = {}) {
  const protocol = opts.protocol ?? 'udp';
  const clock = new ManualClock();
  const net = new LoopbackNetwork({ clock });
  const ta = net.createTransport({ host: '127.0.0.1', port: 5060, protocol });
  const tb = net.createTransport({ host: '127.0.0.2', port: 5070, protocol });
  const userA = recorder();
  const userB = recorder(opts.answer);
  const a = new TransactionLayer({ transport: ta, clock, user: userA });
  const b = new TransactionLayer({ transport: tb, clock, user: userB });
  const toB = { protocol, host: '127.0.0.2', port: 5070 } as const;
  /** Advance virtual time in 1 ms turns, letting send results (promises) settle between turns. */
  const run = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock.advance(1);
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Advance to the next pending timer at a time until none is left, settling promises (bounded). */
  const drain = async (maxMs = 120_000) => {
    const start = clock.now();
    while (clock.pending > 0 && clock.now() - start < maxMs) {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
  };
  /** "time direction first-line" for every message on the wire. */
  const wire = () => net.log.map((r) => ({ at: r.at, dir: r.from === A ? 'A>B' : 'B>A', line: r.line, fate: r.fate }));
  return { clock, net, ta, tb, a, b, userA, userB, toB, run, drain, wire };
}
