/**
 * SIGTERM when calls outlast shutdown.drain_timeout (1 s here), with `imad start` as its own
 * process and SIPp as the PBX's callers and phones:
 * - an answered call that would never end by itself gets a BYE from imad on both legs (the
 *   caller's and the desk phone's SIPp only pass when they receive it and answer 200); the
 *   caller's BYE says why: `Reason: SIP;cause=503;text="IMA is shutting down"` (RFC 3326)
 * - a call still ringing gets CANCEL on the ringing phone (answered 487) and 503 to the caller,
 *   with the same Reason and `Retry-After: 30` (as the 503s refusing new calls while draining),
 *   which it ACKs
 * - the daemon waits for the deadline first (the calls are not cut at SIGTERM), then exits 0
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { join } from 'node:path';
import { freeUdpPort, phonesSaw, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';
import { liveCallsWhen, runImad } from './fixtures/running-imad.js';

if (requireSipp('imad drain deadline')) {
  t.test('at the drain deadline every call still up is ended properly, then exit 0', async (t) => {
    const s = await setup();
    const { file, imad } = await runImad(t, s, { logLevel: 'info', drainTimeout: '1s' });

    // The desk (81000) answers the whitelisted caller; the assistant (2000) rings without answering.
    const trace = join(s.dir, 'phones.msg');
    const phones = sipp(['-sf', scenarios + 'phones.xml', '-aa', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-m', '2', '-set', 'busy', 'none', '-set', 'silent', '2000', '-trace_msg', '-message_file', trace], 60_000);
    const caller = async (scenario: string, number: string) =>
      sipp(['-sf', scenarios + scenario, `127.0.0.1:${s.imaPort}`, '-s', '1000', '-key', 'caller', number, '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 60_000);
    const answered = caller('caller-held.xml', '+39021234567');
    t.ok(await liveCallsWhen(file, (calls) => calls.some((c) => c.answered), 10_000), 'the first call is answered by the desk');
    const ringing = caller('caller-unanswered.xml', '+390288888');
    const both = await liveCallsWhen(file, (calls) => calls.length === 2 && calls.some((c) => !c.answered && c.legs.some((l) => l.uri.startsWith('sip:2000@'))), 10_000);
    t.ok(both, 'the second call is offered to the assistant, unanswered');

    const before = imad.lines.length;
    imad.proc.kill('SIGTERM');
    await imad.until(/draining/, 10_000, before);
    const deadline = await imad.until(/drain timeout/, 10_000, before);
    t.match(deadline, /"calls":2/, 'both calls were still up at the deadline: SIGTERM itself cut nothing');

    t.equal(await answered, 0, 'the answered caller got a BYE from imad, with a Reason, and answered it');
    t.equal(await ringing, 0, 'the ringing caller got 503 with a Reason and Retry-After, and ACKed it');
    t.equal(await phones, 0, 'the desk phone got a BYE, the ringing phone a CANCEL');
    const saw = phonesSaw(trace);
    t.same(saw.invites, ['81000', '2000'], 'the calls went where the policy said');
    t.equal(await imad.exited, 0, 'then imad exits 0');
    const after = imad.lines.slice(before);
    t.notOk(after.some((l) => /did not answer the end of their call/.test(l)), 'every far end took the end of its call within the grace');
    t.ok(after.some((l) => /imad stopped/.test(l)));
  });
}
