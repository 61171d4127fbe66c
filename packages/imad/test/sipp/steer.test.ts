/**
 * Steering a live call (imad ctl steer), SIPp as the PBX: a screened call answered by the assistant is
 * sent to voicemail; IMA calls voicemail (with a Diversion naming the manager), re-INVITEs the caller
 * with the new answer, and hangs up the assistant — the caller stays on the line.
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ctlRequest } from '../../src/ctl/server.js';
import { daemon, freeUdpPort, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';

if (requireSipp('steer')) {
  t.test('a live call steered to voicemail: the caller stays on the line', async (t) => {
    const s = await setup();
    const d = await daemon(s);
    t.teardown(() => d.close());
    const trace = join(s.dir, 'phones-steer.msg');
    const phones = sipp(['-sf', scenarios + 'phones.xml', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-m', '2', '-set', 'busy', 'none', '-set', 'silent', 'none', '-trace_msg', '-message_file', trace], 40_000);
    await new Promise((r) => setTimeout(r, 400));
    const caller = sipp(['-sf', scenarios + 'caller-steered.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '500', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 40_000);
    const socket = join(s.dir, 'var', 'imad.sock');
    let id: string | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      const calls = await ctlRequest(socket, { cmd: 'calls', args: [] });
      const list = calls.ok ? (calls.result as Array<{ id: string; answered: boolean }>) : [];
      id = list.find((c) => c.answered)?.id;
      if (id === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(id, 'the call is up, answered by the assistant');
    const steered = await ctlRequest(socket, { cmd: 'steer', args: [id!, 'voicemail'] });
    t.same(steered.ok, true, JSON.stringify(steered));
    t.equal(await caller, 0, 'the caller took the re-INVITE and finished the call normally');
    t.equal(await phones, 0, 'both phones saw a whole call');
    const text = readFileSync(trace, 'utf8');
    t.same([...text.matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1]), ['2000', '8000']);
    t.match(text, /^Diversion: <sip:1000@127\.0\.0\.1>;reason=deflection/m, 'voicemail is told whose box it is');
  });
}
