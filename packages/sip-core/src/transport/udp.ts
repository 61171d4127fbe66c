/**
 * One UDP listening point on node:dgram (RFC 3261 §18): a single socket per
 * listening address sends to and receives from every peer, so that responses
 * leave from the address and port the request came to (RFC 3581 §4).
 * Errors never escape: send resolves with the Error, socket errors go to onError.
 */
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram';
import { SipError } from '../errors.js';
import { canonicalIp, ipFamily } from './address.js';

export interface UdpHandlers {
  onDatagram(data: Buffer, from: { address: string; port: number }): void;
  /** A socket-level error after bind (rare on unconnected sockets); the socket keeps serving. */
  onError(error: Error): void;
}

/** A bound UDP socket. */
export class UdpEndpoint {
  readonly protocol = 'udp' as const;
  readonly family: 4 | 6;
  #socket: Socket;
  #closed = false;
  #ttl: number | undefined;
  #bound: { address: string; port: number } | undefined;

  private constructor(socket: Socket, family: 4 | 6) {
    this.#socket = socket;
    this.family = family;
  }

  /**
   * Bind to address:port (port 0: ephemeral). Rejects with SipError('SIP_ERR_TRANSPORT') when the bind fails.
   * `bufferSize`: the kernel receive and send buffers asked for (the kernel may cap them; undefined keeps its default).
   */
  static bind(address: string, port: number, handlers: UdpHandlers, bufferSize?: number): Promise<UdpEndpoint> {
    const family = ipFamily(address) === 6 ? 6 : 4;
    const buffers = bufferSize === undefined ? {} : { recvBufferSize: bufferSize, sendBufferSize: bufferSize };
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6, ...buffers });
    const ep = new UdpEndpoint(socket, family);
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => {
        socket.close();
        reject(new SipError('SIP_ERR_TRANSPORT', `cannot bind udp ${address}:${port}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onBindError);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', onBindError);
        socket.on('error', (err) => handlers.onError(err));
        socket.on('message', (data: Buffer, rinfo: RemoteInfo) => {
          handlers.onDatagram(data, { address: canonicalIp(rinfo.address), port: rinfo.port });
        });
        resolve(ep);
      });
    });
  }

  // Read for every datagram in and every response out: asked of the socket (a getsockname call) once.
  get address(): string {
    return (this.#bound ??= this.#boundAddress()).address;
  }

  get port(): number {
    return (this.#bound ??= this.#boundAddress()).port;
  }

  #boundAddress(): { address: string; port: number } {
    const a = this.#socket.address();
    return { address: canonicalIp(a.address), port: a.port };
  }

  /** The kernel's receive buffer size of this socket, in octets (Linux reports twice what was asked: its bookkeeping). */
  get receiveBufferSize(): number {
    return this.#socket.getRecvBufferSize();
  }

  /** Send one datagram; resolves with the Error when the send failed (never rejects). `ttl` is for multicast (RFC 3261 §18.2.2). */
  send(data: Buffer, host: string, port: number, ttl?: number): Promise<Error | undefined> {
    if (this.#closed) return Promise.resolve(new Error('udp socket closed'));
    return new Promise((resolve) => {
      try {
        if (ttl !== undefined && ttl !== this.#ttl) {
          this.#socket.setMulticastTTL(ttl);
          this.#ttl = ttl;
        }
        this.#socket.send(data, port, host, (err) => resolve(err ?? undefined));
      } catch (err) {
        resolve(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/**
 * The local address the system would send from to reach `host` (a connected
 * UDP socket asks the routing table; nothing is sent). Used for the Via
 * sent-by of a socket bound to 0.0.0.0 or ::. Undefined when there is no route.
 */
export function routeSourceAddress(host: string): Promise<string | undefined> {
  const family = ipFamily(host) === 6 ? 6 : 4;
  return new Promise((resolve) => {
    const s = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (address: string | undefined): void => {
      try {
        s.close();
      } catch {
        // already closed
      }
      resolve(address);
    };
    s.on('error', () => done(undefined));
    try {
      s.connect(9, host, () => {
        try {
          done(canonicalIp(s.address().address));
        } catch {
          done(undefined);
        }
      });
    } catch {
      done(undefined);
    }
  });
}
