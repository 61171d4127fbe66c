/**
 * End to end over LoopbackTransport with random loss and duplication (fast-check, virtual time):
 * - OPTIONS answered 200: the client TU gets exactly one outcome (200 or timeout), the server TU sees the request once,
 *   the client sends nothing for its branch after its transaction terminated, both layers end empty
 * - INVITE answered 486: same, and whenever the client got the 486 the server got an ACK (no Timer H error)
 *   unless every ACK was lost
 */
import t from 'tap';
import fc from 'fast-check';
import { makeResponse } from '../../src/transaction/messages.js';
import { A, B, clientLog, pair } from './fixtures/harness.js';
import { request } from './fixtures/messages.js';

const pattern = fc.array(fc.boolean(), { minLength: 16, maxLength: 16 });

for (const [method, status] of [['OPTIONS', 200], ['INVITE', 486]] as const) {
  t.test(`${method} answered ${status} under random loss and duplication`, async (t) => {
    await fc.assert(
      fc.asyncProperty(pattern, pattern, pattern, async (dropAB, dropBA, dup) => {
        const p = pair({ answer: (tx, req) => tx.respond(makeResponse(req, status)) });
        p.net.setConditions(A, B, { drop: (_m, i) => dropAB[i] ?? false, duplicate: (_m, i) => dup[i] ?? false });
        p.net.setConditions(B, A, { drop: (_m, i) => dropBA[i] ?? false, duplicate: (_m, i) => dup[15 - i] ?? false });
        const log = clientLog();
        const tx = p.a.request(request(method), p.toB, log.handlers);
        let endedAt = -1;
        while (p.clock.pending > 0 && p.clock.now() < 120_000) {
          p.clock.advance(50);
          await new Promise((r) => setImmediate(r));
          if (endedAt < 0 && tx.state === 'terminated') endedAt = p.net.log.length;
        }
        const outcomes = log.events.filter((e) => e === 'timeout' || Number(e) >= 200);
        const lateSends = endedAt < 0 ? 0 : p.net.log.slice(endedAt).filter((r) => r.from === A && r.bytes.includes(tx.branch)).length;
        const ackReached = p.net.log.some((r) => r.from === A && r.line.startsWith('ACK') && r.fate === 'sent');
        const ok =
          tx.state === 'terminated' &&
          outcomes.length === 1 &&
          p.userB.requests.length <= 1 &&
          lateSends === 0 &&
          p.a.size.client === 0 &&
          p.b.size.server === 0 &&
          (method !== 'INVITE' || !ackReached || p.userB.errors.length === 0);
        if (!ok) t.comment(JSON.stringify({ state: tx.state, events: log.events, lateSends, errors: p.userB.errors, trace: p.net.trace() }));
        return ok;
      }),
      { numRuns: 60 },
    );
  });
}
