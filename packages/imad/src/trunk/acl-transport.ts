/**
 * The trunk's front door: requests from addresses outside sip.trunk.allow get
 * 403 and never reach the B2BUA or the policy; responses, ACKs and NOTIFYs from
 * outside are dropped without an answer. A decorator over the transport layer,
 * so nothing above it ever sees a stranger's message.
 */
import { type Incoming, type SendResult, type SipRequest, type SipResponse, type Source, type TransportLayer, makeResponse } from '@ima/sip-core';
import type { Cidr } from '../config/net.js';
import { isAllowed } from './acl.js';

export class AclTransport implements TransportLayer {
  readonly inner: TransportLayer;
  #allow: readonly Cidr[];
  /** Requests refused and responses dropped, for the status view. */
  refused = 0;
  readonly #onRefused: ((source: Source, method: string | undefined) => void) | undefined;

  constructor(inner: TransportLayer, allow: readonly Cidr[], onRefused?: (source: Source, method: string | undefined) => void) {
    this.inner = inner;
    this.#allow = allow;
    this.#onRefused = onRefused;
  }

  /** A reload changes the list; calls in progress are not touched. */
  setAllow(allow: readonly Cidr[]): void {
    this.#allow = allow;
  }

  onMessage(handler: (incoming: Incoming) => void): void {
    this.inner.onMessage((incoming) => {
      if (isAllowed(incoming.source.address, this.#allow)) {
        handler(incoming);
        return;
      }
      this.refused++;
      const msg = incoming.message;
      this.#onRefused?.(incoming.source, msg.kind === 'request' ? msg.method : undefined);
      // RFC 3261 §17.2.1: an ACK is never answered. A NOTIFY can only belong to a subscription of
      // ours, which a stranger has none of: answering it would only tell a scanner that we exist.
      // Every other request from outside gets 403, statelessly.
      if (msg.kind === 'request' && msg.method !== 'ACK' && msg.method !== 'NOTIFY') {
        void this.inner.sendResponse(makeResponse(msg, 403, 'Forbidden - not an allowed trunk peer'), incoming.source);
      }
    });
  }

  sendRequest(req: SipRequest, dest: Parameters<TransportLayer['sendRequest']>[1]): Promise<SendResult> {
    return this.inner.sendRequest(req, dest);
  }

  sendResponse(res: SipResponse, source?: Source): Promise<SendResult> {
    return this.inner.sendResponse(res, source);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
