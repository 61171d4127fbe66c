/**
 * TLS on node:tls (RFC 3261 §18, §26.2.1): certificate and key read from
 * files, a listening server and outgoing connects checked against the CA
 * file (or the system roots). Like tcp.ts, this only opens sockets.
 */
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { type SecureContextOptions, type TLSSocket, connect, createServer } from 'node:tls';
import type { Clock } from '../clock.js';
import { SipError } from '../errors.js';
import { type StreamListener, awaitConnect, listenServer } from './tcp.js';

/** Where the TLS material lives. */
export interface TlsOptions {
  /** PEM certificate (chain) presented by the server, and by the client when connecting. */
  readonly certFile: string;
  /** PEM private key for certFile. */
  readonly keyFile: string;
  /** PEM CA bundle to verify peers against (default: Node's root store). */
  readonly caFile?: string;
  /** Verify the peer's certificate on outgoing connections (default true). */
  readonly rejectUnauthorized?: boolean;
}

/** The files, read once. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  readonly rejectUnauthorized: boolean;
}

/** Read the certificate, key and CA files; rejects with SipError('SIP_ERR_INVALID_ARGUMENT') naming the file that failed. */
export async function loadTlsMaterial(opts: TlsOptions): Promise<TlsMaterial> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (err) {
      throw new SipError('SIP_ERR_INVALID_ARGUMENT', `cannot read TLS ${what} file ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: await read(opts.certFile, 'certificate'),
    key: await read(opts.keyFile, 'key'),
    ca: opts.caFile === undefined ? undefined : await read(opts.caFile, 'CA'),
    rejectUnauthorized: opts.rejectUnauthorized ?? true,
  };
}

function context(m: TlsMaterial): SecureContextOptions {
  return m.ca === undefined ? { cert: m.cert, key: m.key } : { cert: m.cert, key: m.key, ca: m.ca };
}

/** A TLS listener; each socket that finished its handshake goes to onConnection, failed handshakes to onError. */
export function listenTls(
  address: string,
  port: number,
  material: TlsMaterial,
  onConnection: (socket: TLSSocket) => void,
  onError: (err: Error) => void,
): Promise<StreamListener> {
  let server;
  try {
    server = createServer({ ...context(material), noDelay: true }, onConnection);
  } catch (err) {
    return Promise.reject(new SipError('SIP_ERR_INVALID_ARGUMENT', `bad TLS certificate or key: ${(err as Error).message}`, { cause: err }));
  }
  // A peer that fails the handshake is that peer's problem: report it, keep serving.
  server.on('tlsClientError', (err) => onError(err));
  return listenServer(server, 'tls', address, port, onError);
}

/** Open a TLS connection and finish the handshake (the server identity is checked against `host`); never rejects. */
export function connectTls(host: string, port: number, material: TlsMaterial, timeoutMs: number, clock: Clock): Promise<Socket | SipError> {
  let socket: TLSSocket;
  try {
    socket = connect({
      ...context(material),
      host,
      port,
      // SNI carries host names only (RFC 6066 §3); an IP is checked against the certificate's IP SANs.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: material.rejectUnauthorized,
    });
  } catch (err) {
    return Promise.resolve(new SipError('SIP_ERR_TRANSPORT', `cannot connect to tls ${host}:${port}: ${String(err)}`, { cause: err }));
  }
  socket.setNoDelay(true);
  return awaitConnect(socket, 'secureConnect', `tls ${host}:${port}`, timeoutMs, clock);
}
