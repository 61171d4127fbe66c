/**
 * The endpoint over a real UDP socket, fed RFC 4475 vectors byte for byte
 * (only the top Via is made to point back at the test socket: UDP, no port):
 * - unparseable requests get 400 (badinv01, insuf, mismatch01, mismatch02) and 505 (badvers)
 * - Require with unknown option tags -> 420 with Unsupported (bext01, §3.3.5)
 * - unknown Request-URI schemes -> 416 (unkscm §3.3.2, novelsc §3.3.3)
 * - an unknown body type -> 415 with Accept (invut §3.3.6)
 * - a method no handler takes -> 405 with Allow
 * - Max-Forwards 0 reaching a UAS is processed (zeromf §3.3.11)
 * - OPTIONS without a handler -> 200 with Allow
 * - a handler that throws -> 500, and the endpoint keeps serving after all of it
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../src/endpoint.js';
import { parseMessage, type SipResponse } from '../src/index.js';

const dir = fileURLToPath(new URL('./conformance/rfc4475/', import.meta.url));
const CLIENT = '127.0.0.77';

/** The vector with its top Via pointing back at the test socket (UDP, default port). */
function vector(name: string): Buffer {
  const text = readFileSync(`${dir}${name}.dat`).toString('latin1');
  const fixed = text.replace(/^(Via|v)(\s*:\s*)SIP\s*\/\s*2\.0\s*\/\s*\w+\s+(\[[^\]]+\]|[^\s;:,]+)(:\d+)?/im, '$1$2SIP/2.0/UDP $3');
  return Buffer.from(fixed, 'latin1');
}

t.test('endpoint answers what RFC 3261 §8.2 says before the application sees a request', async (t) => {
  const ep = await Endpoint.listen({ listen: ['udp://127.0.0.1:0'], accept: ['application/sdp'], supported: ['timer'] });
  ep.on('INVITE', (_req, tx) => ep.respond(tx, 486));
  ep.on('REGISTER', () => {
    throw new Error('boom');
  });
  const port = (ep.transport as unknown as { listening(): Array<{ port: number }> }).listening()[0]!.port;
  const sock = createSocket('udp4');
  sock.bind(5060, CLIENT);
  await once(sock, 'listening');
  t.teardown(async () => {
    sock.close();
    await ep.close();
  });

  /** A 400 to a request without From/To is itself incomplete: keep the status and CSeq even when it does not parse. */
  type Reply = { status: number; cseq: string | undefined; msg: SipResponse | undefined };
  const replies: Reply[] = [];
  let waiting: (() => void) | undefined;
  sock.on('message', (data) => {
    const text = data.toString('latin1');
    let msg: SipResponse | undefined;
    try {
      msg = parseMessage(data) as SipResponse;
    } catch {
      msg = undefined;
    }
    replies.push({ status: Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]), cseq: /^CSeq\s*:\s*(\d+)/im.exec(text)?.[1], msg });
    waiting?.();
  });
  async function ask(raw: Buffer): Promise<Reply> {
    const cseq = /^(?:CSeq)\s*:\s*(\d+)/im.exec(raw.toString('latin1'))?.[1];
    sock.send(raw, port, '127.0.0.1');
    const deadline = Date.now() + 3000;
    for (;;) {
      // 100 Trying may come first for INVITE: wait for a final response.
      const found = replies.find((r) => r.status >= 200 && r.cseq === cseq);
      if (found) {
        replies.splice(replies.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error('no response');
      await new Promise<void>((res) => {
        waiting = res;
        setTimeout(res, 100);
      });
    }
  }

  for (const name of ['badinv01', 'insuf', 'mismatch01', 'mismatch02']) {
    t.equal((await ask(vector(name))).status, 400, `${name}: 400`);
  }
  t.equal((await ask(vector('badvers'))).status, 505, 'badvers: 505');
  const r420 = await ask(vector('bext01'));
  t.equal(r420.status, 420, 'bext01: 420');
  t.same(r420.msg?.unsupported, ['nothingSupportsThis', 'nothingSupportsThisEither']);
  t.equal((await ask(vector('unkscm'))).status, 416, 'unkscm: 416');
  t.equal((await ask(vector('novelsc'))).status, 416, 'novelsc: 416');
  const r415 = await ask(vector('invut'));
  t.equal(r415.status, 415, 'invut: 415');
  t.equal(r415.msg?.headers.get('accept'), 'application/sdp');
  const zeromf = await ask(vector('zeromf'));
  t.equal(zeromf.status, 200, 'zeromf: a UAS processes Max-Forwards 0');
  t.ok(zeromf.msg?.allow.includes('INVITE'), 'OPTIONS answer lists Allow');
  const publish = vector('zeromf').toString('latin1').replace(/^OPTIONS/, 'PUBLISH').replace('39234321 OPTIONS', '39234322 PUBLISH');
  const r405 = await ask(Buffer.from(publish, 'latin1'));
  t.equal(r405.status, 405, 'unknown method: 405');
  t.ok(r405.msg?.allow.includes('INVITE') && !r405.msg?.allow.includes('PUBLISH'));
  const reg = await ask(vector('cparam01'));
  t.equal(reg.status, 500, 'a handler that throws: 500');
  const inv = await ask(vector('sdp01'));
  t.equal(inv.status, 486, 'and the application still gets its requests');
});
