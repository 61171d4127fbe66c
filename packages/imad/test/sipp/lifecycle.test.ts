/**
 * The daemon as operators run it (node dist/cli.js start -c FILE), with real signals, SIPp playing the PBX:
 * - SIGHUP with a changed whitelist while a call is up: the call goes on to its normal BYE, and the
 *   next calls follow the new whitelist (an added number reaches the desk, a removed one the assistant)
 * - SIGHUP with a broken file: refused with its problems logged; the old configuration keeps routing
 * - SIGTERM with a call up: new calls get 503, the call in progress finishes, then exit 0
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, freeUdpPort, imadStart, outcome, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';
import { answeredCall } from './fixtures/running-imad.js';

if (requireSipp('imad lifecycle')) {
  t.test('SIGHUP reloads with a call up, SIGTERM drains', async (t) => {
    const s = await setup();
    const file = join(s.dir, 'imad.yaml');
    const yaml = (whitelist: string[]) => s.config({ logLevel: 'info', whitelist });
    writeFileSync(file, yaml(['+39021234567']));
    const imad = imadStart(file);
    t.teardown(() => void imad.proc.kill('SIGKILL'));
    await imad.until(/imad started/);

    // A call that stays up 5 s, offered to the assistant (+390288888 is not whitelisted yet).
    const held = call(s, '+390288888', 1, 'none', 5000);
    const up = await answeredCall(file, 4000);
    t.match(up?.legs.map((l) => l.uri), [/^sip:2000@/], 'the call is up on the assistant');
    writeFileSync(file, yaml(['+390288888']));
    const seen = imad.lines.length;
    imad.proc.kill('SIGHUP');
    await imad.until(/configuration reloaded/, 15_000, seen);
    t.equal((await answeredCall(file, 1000))?.id, up?.id, 'the call is still up after the reload');
    t.same(outcome(await held), { caller: 0, phones: 0, invites: ['2000'] }, 'the call went on to its normal BYE');
    t.same(outcome(await call(s, '+390288888', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'after SIGHUP the added number reaches the desk');
    t.same(outcome(await call(s, '+39021234567', 1)), { caller: 0, phones: 0, invites: ['2000'] }, 'and the removed one the assistant');

    writeFileSync(file, yaml(['+390288888']).replace('filter: on', 'filter: on\n    filtr: off'));
    imad.proc.kill('SIGHUP');
    const refused = await imad.until(/reload refused/);
    t.match(refused, /filtr/, 'the problem is named');
    t.same(outcome(await call(s, '+390288888', 1)), { caller: 0, phones: 0, invites: ['81000'] }, 'the running configuration stays');

    // A call that stays up 3 s; SIGTERM while it is up.
    const before = imad.lines.length;
    const long = call(s, '+390288888', 1, 'none', 3000);
    await imad.until(/routed/, 15_000, before);
    await new Promise((r) => setTimeout(r, 500));
    imad.proc.kill('SIGTERM');
    await imad.until(/draining/);
    const refusedCall = await sipp(['-sf', scenarios + 'draining-caller.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 15_000);
    t.equal(refusedCall, 0, 'a new call while draining gets 503');
    t.same(outcome(await long), { caller: 0, phones: 0, invites: ['81000'] }, 'the call in progress finished normally');
    t.equal(await imad.exited, 0, 'then imad exits 0');
    t.ok(imad.lines.some((l) => /imad stopped/.test(l)));
  });
}
