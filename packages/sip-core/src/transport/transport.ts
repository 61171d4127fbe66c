/**
 * The contract between transports and the layers above them. A transport moves
 * bytes for one protocol; the TransportLayer owns all of them, frames and parses
 * what arrives, stamps Via on the way in and out (RFC 3261 §18), and routes
 * responses by their top Via.
 */
import type { SipError } from '../errors.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js';

export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** Where to send: an IP literal (no IPv6 brackets) and a port. */
export interface Destination {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
}

/** Where a message came from, and on which listening point / connection. */
export interface Source {
  readonly protocol: TransportProtocol;
  readonly address: string;
  readonly port: number;
  /** The local address and port that received it. */
  readonly localAddress: string;
  readonly localPort: number;
  /** For TCP/TLS: the connection it came on, so a response can go back on it. */
  readonly connectionId?: string;
}

export interface Incoming {
  readonly message: SipMessage;
  readonly source: Source;
}

/** Why a message could not be sent: becomes a 'transportError' event for the transaction (RFC 3261 §8.1.3.1: treated as 503). */
export type SendResult = { ok: true; via: Destination } | { ok: false; error: SipError };

export interface TransportLayer {
  /**
   * Send a request. The top Via must be present with its branch; the layer
   * rewrites its transport and sent-by to what it actually uses (a request over
   * 1300 octets meant for UDP goes over TCP, RFC 3261 §18.1.1) and adds rport.
   * Resolves with the destination used; never rejects.
   */
  sendRequest(req: SipRequest, dest: Destination): Promise<SendResult>;
  /** Send a response along its top Via (RFC 3261 §18.2.2, RFC 3581 §4). Never rejects. */
  sendResponse(res: SipResponse, source?: Source): Promise<SendResult>;
  /** Messages that parsed; the Via of requests already carries received/rport. */
  onMessage(handler: (incoming: Incoming) => void): void;
  close(): Promise<void>;
}
