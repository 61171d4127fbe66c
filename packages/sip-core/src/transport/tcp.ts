/**
 * TCP on node:net (RFC 3261 §18): a listening server and outgoing connects
 * with a timeout on the injected Clock. What travels on the sockets is the
 * business of StreamConnection; these functions only open them.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { Clock } from '../clock.js';
import { SipError } from '../errors.js';

/** A listening stream server (net.Server or tls.Server). */
export interface StreamListener {
  readonly protocol: 'tcp' | 'tls';
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on an already created server; rejects with SipError('SIP_ERR_TRANSPORT') when listen fails. */
export function listenServer(server: Server, protocol: 'tcp' | 'tls', address: string, port: number, onError: (err: Error) => void): Promise<StreamListener> {
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => {
      server.close();
      reject(new SipError('SIP_ERR_TRANSPORT', `cannot listen on ${protocol} ${address}:${port}: ${err.message}`, { cause: err }));
    };
    // Every socket, also those still in a TLS handshake, so that close() ends them all.
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    server.once('error', onListenError);
    server.listen({ host: address, port, exclusive: true, ipv6Only: address.includes(':') }, () => {
      server.off('error', onListenError);
      server.on('error', onError);
      const bound = server.address();
      const actualPort = bound !== null && typeof bound === 'object' ? bound.port : port;
      resolve({
        protocol,
        address,
        port: actualPort,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

/** A TCP listener; each accepted socket goes to onConnection. */
export function listenTcp(address: string, port: number, onConnection: (socket: Socket) => void, onError: (err: Error) => void): Promise<StreamListener> {
  const server = createServer({ noDelay: true }, onConnection);
  return listenServer(server, 'tcp', address, port, onError);
}

/**
 * Wait until `socket` emits `readyEvent` ('connect' or 'secureConnect'), an
 * error, or the timeout on `clock` fires. Resolves with the socket or the
 * failure as SipError('SIP_ERR_TRANSPORT'); the socket is destroyed on failure.
 */
export function awaitConnect(socket: Socket, readyEvent: 'connect' | 'secureConnect', what: string, timeoutMs: number, clock: Clock): Promise<Socket | SipError> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Socket | SipError): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      // Keep a listener until the StreamConnection takes over (and after a failure):
      // a late error must never become an uncaught 'error' event.
      socket.on('error', () => {});
      if (result instanceof SipError) socket.destroy();
      resolve(result);
    };
    const onReady = (): void => finish(socket);
    const onError = (err: Error): void => finish(new SipError('SIP_ERR_TRANSPORT', `cannot connect to ${what}: ${err.message}`, { cause: err }));
    const timer = clock.setTimeout(() => finish(new SipError('SIP_ERR_TRANSPORT', `cannot connect to ${what}: timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
  });
}

/** Open a TCP connection; never rejects. */
export function connectTcp(host: string, port: number, timeoutMs: number, clock: Clock): Promise<Socket | SipError> {
  let socket: Socket;
  try {
    socket = connect({ host, port, noDelay: true });
  } catch (err) {
    return Promise.resolve(new SipError('SIP_ERR_TRANSPORT', `cannot connect to tcp ${host}:${port}: ${String(err)}`, { cause: err }));
  }
  return awaitConnect(socket, 'connect', `tcp ${host}:${port}`, timeoutMs, clock);
}
