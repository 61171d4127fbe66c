/**
 * Max-Forwards on outbound INVITEs (RFC 3261 §16.6 step 3, applied by a
 * B2BUA): the dialog layer writes `Max-Forwards: 70` on every new INVITE and
 * offers no option to change it, so the B2BUA wraps its transport and
 * rewrites the value of the initial INVITEs it sent for a call, by Call-ID,
 * before they reach the wire. Retransmissions are the same message object and
 * stay rewritten. (Workaround: see docs/b2bua.md, "sip-core changes wanted".)
 */
import type { Destination, Incoming, SendResult, Source, SipRequest, SipResponse, TransportLayer } from '@ima/sip-core';

/** A TransportLayer that sets Max-Forwards of chosen out-of-dialog INVITEs; everything else passes through. */
export class HopLimitingTransport implements TransportLayer {
  readonly inner: TransportLayer;
  /** Call-ID of an outbound leg -> the Max-Forwards its INVITE must carry. */
  readonly #limits = new Map<string, number>();

  constructor(inner: TransportLayer) {
    this.inner = inner;
  }

  /** Outbound INVITEs with this Call-ID (and no To tag) carry this Max-Forwards. */
  limit(callId: string, maxForwards: number): void {
    this.#limits.set(callId, maxForwards);
  }

  release(callId: string): void {
    this.#limits.delete(callId);
  }

  /** Call-IDs still rewritten (0 when nothing leaks). */
  get size(): number {
    return this.#limits.size;
  }

  sendRequest(req: SipRequest, dest: Destination): Promise<SendResult> {
    if (req.method === 'INVITE' && this.#limits.size > 0) {
      const mf = this.#limits.get(req.callId);
      if (mf !== undefined && req.to.tag === undefined && req.maxForwards !== mf) req.headers.set('Max-Forwards', String(mf));
    }
    return this.inner.sendRequest(req, dest);
  }

  sendResponse(res: SipResponse, source?: Source): Promise<SendResult> {
    return this.inner.sendResponse(res, source);
  }

  onMessage(handler: (incoming: Incoming) => void): void {
    this.inner.onMessage(handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
