/**
 * The options, counters and views of SipTransportLayer.
 */
import type { Clock } from '../clock.js';
import type { ListenSpec } from './address.js';
import type { TlsOptions } from './tls.js';

/** The part of a logger the transport layer uses (pino satisfies it). */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransportLayerOptions {
  /** Listen specs: `udp://127.0.0.1:5060`, `tcp://[::1]:5060`, `tls://0.0.0.0:5061` (port 0: ephemeral). */
  readonly listen: readonly string[];
  /** Certificate, key and CA files; required when a tls:// spec is listed or TLS connections are to be opened. */
  readonly tls?: TlsOptions;
  /** Largest message accepted on a stream, in octets (default 65535); larger closes the connection. */
  readonly maxMessageSize?: number;
  /** A TCP/TLS connection without traffic for this long is closed (default 120000 ms; 0 never). */
  readonly idleTimeoutMs?: number;
  /**
   * Kernel receive and send buffer of each UDP socket, in octets (default 4 MiB; Linux caps it at
   * net.core.rmem_max / wmem_max). Datagrams that arrive while the event loop is busy (a GC pause, a
   * burst of calls) wait here; the usual 208 KiB default holds under a hundred and drops the rest.
   */
  readonly udpBufferSize?: number;
  /** How long a TCP/TLS connect may take (default 10000 ms). */
  readonly connectTimeoutMs?: number;
  /** Timers run on this clock (default SystemClock). */
  readonly clock?: Clock;
  readonly logger?: TransportLogger;
}

/** A bound listening point. `address` is an IP literal without brackets. */
export type ListeningPoint = ListenSpec;

/** Counters of what the layer saw and refused. */
export interface TransportStats {
  received: number;
  sent: number;
  /** Messages that did not parse (requests among them got a 400 when possible). */
  parseErrors: number;
  /** Connections closed for a framing error or an oversize message. */
  framingErrors: number;
  /** Responses whose top Via was not ours (RFC 3261 §18.1.2). */
  misroutedResponses: number;
  sendErrors: number;
}

/** A TCP/TLS connection as seen from outside. */
export interface ConnectionInfo {
  readonly id: string;
  readonly protocol: 'tcp' | 'tls';
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly isOutgoing: boolean;
}
