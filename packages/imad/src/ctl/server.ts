/**
 * `imad ctl`'s server: a Unix socket under storage.dir (mode 0600, so only the
 * daemon's user and root reach it), one JSON request per line, one JSON answer
 * per line: {"cmd": "...", "args": [...]} -> {"ok": true, "result": ...} or
 * {"ok": false, "error": "..."}. As kamcmd is to Kamailio.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { Socket, type Server, createServer } from 'node:net';

export type CtlRequest = { readonly cmd: string; readonly args: readonly string[] };
export type CtlResponse = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };
export type CtlHandler = (req: CtlRequest) => CtlResponse | Promise<CtlResponse>;

const MAX_LINE = 64 * 1024;

function parseRequest(line: string): CtlRequest | string {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return 'the request is not JSON';
  }
  const r = doc as { cmd?: unknown; args?: unknown };
  if (typeof r !== 'object' || r === null || typeof r.cmd !== 'string') return 'the request needs a "cmd" string';
  const args = r.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return '"args" must be a list of strings';
  return { cmd: r.cmd, args: args as string[] };
}

/** Linux keeps a Unix socket's path in 108 bytes, NUL included; a longer one fails as a confusing EADDRINUSE. */
const MAX_SOCKET_PATH = 107;

export async function startControlServer(path: string, handler: CtlHandler): Promise<Server> {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH) {
    throw new Error(`the control socket ${path} is ${bytes} bytes long; a Unix socket path may have at most ${MAX_SOCKET_PATH}: choose a shorter storage.dir`);
  }
  // A socket file left by a daemon that was killed: nobody listens on it any more.
  if (existsSync(path)) unlinkSync(path);
  const server = createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && buf.indexOf('\n') < 0) {
        socket.end(JSON.stringify({ ok: false, error: 'request too long' }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const req = parseRequest(line);
        const answer = typeof req === 'string' ? Promise.resolve<CtlResponse>({ ok: false, error: req }) : Promise.resolve().then(() => handler(req));
        void answer
          .catch((err: unknown): CtlResponse => ({ ok: false, error: (err as Error).message }))
          .then((res) => socket.writable && socket.write(JSON.stringify(res) + '\n'));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return server;
}

/** Send one request to a running daemon and return its answer. */
export function ctlRequest(path: string, req: CtlRequest, timeoutMs = 10_000): Promise<CtlResponse> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buf = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from imad on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach imad on ${path}: ${err.message} (is it running?)`));
    });
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as CtlResponse);
      } catch {
        reject(new Error('imad answered something that is not JSON'));
      }
    });
    socket.connect(path, () => socket.write(JSON.stringify(req) + '\n'));
  });
}
