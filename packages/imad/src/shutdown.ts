/**
 * The end of a drain. Calls still up when shutdown.drain_timeout runs out are
 * ended as SIP requires instead of being dropped with the sockets (RFC 3261
 * §15): an answered call gets BYE on both legs; an unanswered one gets CANCEL
 * on the legs still ringing and a final response (503, so that a PBX route
 * list tries its next route) to the caller. Then the daemon waits, at most
 * END_GRACE_MS, for those requests to be answered and that response to be
 * ACKed, so that a lost datagram is retransmitted before the socket closes.
 *
 * What is still owed is read from the transport's diagnostics channels
 * (sip:message:tx / sip:message:rx, sip-core's public events): the requests
 * and responses the hangups sent, matched with what comes back.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { B2bua } from '@ima/b2bua';
import type { SipRequest, SipResponse } from '@ima/sip-core';

/** How long the ends of the calls may take: covers UDP retransmissions at 0, 0.5, 1.5 and 3.5 s (T1 = 500 ms). */
export const END_GRACE_MS = 4000;

/** The final response an unanswered caller gets at the drain deadline. */
export const DRAIN_END_STATUS = 503;
/** Why, in the Reason header (RFC 3326) of the drain's BYEs and 503s, and in the 503s refusing new calls meanwhile. */
export const DRAIN_REASON = 'IMA is shutting down';
/** RFC 3261 §21.5.4: when the PBX may try IMA again (it routes to its next choice meanwhile), on every drain 503. */
export const DRAIN_RETRY_AFTER: readonly [string, string] = ['Retry-After', '30'];

type Message = SipRequest | SipResponse;

/** BYEs and CANCELs awaiting their final response, and final responses to INVITEs awaiting their ACK. */
class OwedAnswers {
  readonly #owed = new Set<string>();
  readonly #onTx = (m: unknown) => this.#sent((m as { message: Message }).message);
  readonly #onRx = (m: unknown) => this.#received((m as { message: Message }).message);

  constructor() {
    subscribe('sip:message:tx', this.#onTx);
    subscribe('sip:message:rx', this.#onRx);
  }

  get size(): number {
    return this.#owed.size;
  }

  stop(): void {
    unsubscribe('sip:message:tx', this.#onTx);
    unsubscribe('sip:message:rx', this.#onRx);
  }

  #sent(m: Message): void {
    if (m.kind === 'request' && (m.method === 'BYE' || m.method === 'CANCEL')) this.#owed.add(key(m, m.method));
    else if (m.kind === 'response' && m.status >= 300 && m.cseq.method === 'INVITE') this.#owed.add(key(m, 'ACK'));
  }

  #received(m: Message): void {
    if (m.kind === 'response' && m.status >= 200) this.#owed.delete(key(m, m.cseq.method));
    else if (m.kind === 'request' && m.method === 'ACK') this.#owed.delete(key(m, 'ACK'));
  }
}

const key = (m: Message, what: string): string => `${m.callId}\n${m.cseq.seq}\n${what}`;

export interface EndedCalls {
  /** Calls that were still up and got ended. */
  readonly calls: number;
  /** Whether every BYE and CANCEL was answered, every final response ACKed and every call idle within the grace. */
  readonly isSettled: boolean;
}

/** End every call still up, properly, and wait (at most `graceMs`) for the other sides to take it. */
export async function endCalls(b2bua: B2bua, graceMs = END_GRACE_MS): Promise<EndedCalls> {
  const owed = new OwedAnswers();
  try {
    let calls = 0;
    for (const call of [...b2bua.calls.values()]) {
      if (call.isEnded) continue;
      calls++;
      call.hangup(DRAIN_END_STATUS, { reason: DRAIN_REASON, headers: [DRAIN_RETRY_AFTER] });
    }
    const deadline = Date.now() + graceMs;
    const isSettled = () => owed.size === 0 && b2bua.stats.calls === 0;
    while (!isSettled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { calls, isSettled: isSettled() };
  } finally {
    owed.stop();
  }
}
