/** A UDP port on 127.0.0.1 that is free right now (for the demo and tests; SIPp reads "-p 0" as 5060). */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}
