/**
 * Steering a live call, SIPp as the caller and as the PBX's phones:
 * - answered (imad ctl steer): a screened call answered by the assistant is sent to voicemail; IMA
 *   calls voicemail (with a Diversion naming the manager), re-INVITEs the caller with the new
 *   answer, and hangs up the assistant — the caller stays on the line
 * - ringing (POST /api/calls/{id}/steer): while the assistant's phone rings, the call is sent to
 *   voicemail; the assistant's phone gets CANCEL, voicemail an INVITE with the Diversion, and the
 *   caller — who never sees a final response but the one 200 — is answered by voicemail (its SDP);
 *   the assistant's event stream hears of the redirect (the assistant's leg cancelled, voicemail's pending)
 * - ringing, over a TCP trunk (imad ctl steer): to the manager's desk, mobile and a number typed
 *   in; each Request-URI is sip:<number>@<peer>;transport=tcp, as for the legs the policy places,
 *   and only the diverted target (mobile) carries a Diversion
 * Required under CI=true; elsewhere skipped with a notice when SIPp is missing.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Call } from '@ima/b2bua';
import { ctlRequest } from '../../src/ctl/server.js';
import type { Daemon } from '../../src/daemon.js';
import { callIdOf } from '../../src/http/views.js';
import { apiSetup, loggedIn, openEvents, startApi } from '../http/fixtures.js';
import { daemon, freeTcpPort, freeUdpPort, requireSipp, scenarios, setup, sipp } from './fixtures/e2e.js';

/**
 * The first call of `d` whose first leg (the assistant's) is ringing, a moment after its 180:
 * SIPp moves its call from the 180 it sent to the step that waits for CANCEL on its next turn, and
 * a CANCEL that arrives before that (within a millisecond or two over loopback) is "unexpected" to it.
 * A phone takes a CANCEL at any time; the pause is for the SIPp peer only.
 */
function ringing(d: Daemon, ms = 10_000): Promise<Call> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no call rang')), ms);
    d.b2bua.on((e) => {
      if (e.type === 'ringing' && e.leg === 1) {
        clearTimeout(timer);
        setTimeout(() => resolve(e.call), 100);
      }
    });
  });
}

/** Each message of a SIPp trace (-trace_msg) as its first line and the text that follows, in order. */
const messagesOf = (trace: string): Array<{ line: string; text: string }> =>
  readFileSync(trace, 'utf8')
    .split(/^-{20,}.*$/m)
    .map((m) => m.replace(/^\s*(?:UDP|TCP) message (?:received|sent) \[\d+\] bytes :\s*/m, '').trim())
    .filter((m) => m !== '')
    .map((m) => ({ line: m.split(/\r?\n/)[0]!, text: m }));

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

  t.test('a ringing call steered to voicemail through the HTTP API: the assistant gets CANCEL, the caller is answered by voicemail', async (t) => {
    const s = await apiSetup();
    const d = await startApi(s);
    t.teardown(() => d.close());
    const bob = await loggedIn(d.base, 'bob');
    const bobEvents = await openEvents(bob);
    t.teardown(() => bobEvents.close());
    const phonesTrace = join(s.dir, 'phones.msg');
    const callerTrace = join(s.dir, 'caller.msg');
    const phones = sipp(['-sf', scenarios + 'phones-ringing-steer.xml', '-i', '127.0.0.1', '-p', String(s.pbxPort), '-m', '2', '-set', 'ringer', '2000', '-trace_msg', '-message_file', phonesTrace], 40_000);
    await new Promise((r) => setTimeout(r, 400));
    const rang = ringing(d);
    const caller = sipp(['-sf', scenarios + 'caller.xml', `127.0.0.1:${s.sipPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '300', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1', '-trace_msg', '-message_file', callerTrace], 40_000);
    const call = await rang;
    const listed = await bob.get('/api/calls');
    t.match(listed.body, [{ id: callIdOf(call.id), state: 'ringing', legs: [{ target: '2000', state: 'pending' }] }], "the assistant's phone rings");
    const steered = await bob.request('POST', `/api/calls/${callIdOf(call.id)}/steer`, { target: 'voicemail' });
    t.equal(steered.status, 200, JSON.stringify(steered.body));
    t.same(steered.body, { leg: 2 }, 'the new leg');
    const redirected = await bobEvents.next((e) => e.event === 'call' && e.data.type === 'redirected', 2000);
    t.match(redirected?.data.call, { id: callIdOf(call.id), legs: [{ target: '2000', state: 'cancelled' }, { target: '8000', label: 'steered to voicemail', state: 'pending' }] }, 'the console learns at once');
    t.equal(await caller, 0, 'the caller saw ringing, then one 200, and hung up normally');
    t.equal(await phones, 0, "the assistant's phone was CANCELed, voicemail took the call");

    const toPhones = messagesOf(phonesTrace).filter((m) => /^[A-Z]+ sip:/.test(m.line));
    const requests = toPhones.map((m) => m.line.replace(/@.*$/, ''));
    t.same(requests.filter((r) => r.endsWith(':2000')), ['INVITE sip:2000', 'CANCEL sip:2000', 'ACK sip:2000'], "the assistant's phone: CANCEL (and the ACK of its 487)");
    t.same(requests.filter((r) => r.endsWith(':8000')), ['INVITE sip:8000', 'ACK sip:8000', 'BYE sip:8000'], 'voicemail: the whole call');
    t.ok(requests.indexOf('CANCEL sip:2000') < requests.indexOf('INVITE sip:8000'), 'the assistant is CANCELed as voicemail is called');
    const vm = toPhones.find((m) => m.line.startsWith('INVITE sip:8000'))!.text;
    t.match(vm, /^Diversion: <sip:1000@127\.0\.0\.1>;reason=deflection/m, 'voicemail is told whose box it is');
    t.match(vm, /^From: "?Mario Rossi"? <sip:0299999@/m, "the caller's identity, not the assistant's display");
    t.notMatch(toPhones[0]!.text, /^Diversion:/m, 'the assistant had no Diversion');
    const toCaller = messagesOf(callerTrace).filter((m) => m.line.startsWith('SIP/2.0'));
    t.same(toCaller.filter((m) => !/^SIP\/2\.0 1\d\d/.test(m.line)).map((m) => m.line.slice(8, 11)), ['200', '200'], 'no final response but the 200 to the INVITE (and the BYE)');
    t.match(toCaller.find((m) => m.line.startsWith('SIP/2.0 200'))?.text, /o=phone-8000 /, "the caller's 200 carries voicemail's SDP");
    t.equal(toCaller.filter((m) => m.line.startsWith('SIP/2.0 180')).length, 2, 'it heard the assistant ring, then voicemail');
  });

  t.test('ringing calls steered over a TCP trunk to desk, mobile and a number: the Request-URI has ;transport=tcp', async (t) => {
    const base = await setup();
    const phonesPort = await freeTcpPort();
    const tcpListen = await freeTcpPort();
    const yaml = base
      .config({ listen: [`udp://127.0.0.1:${base.imaPort}`, `tcp://127.0.0.1:${tcpListen}`], peers: [`127.0.0.1:${phonesPort}`], transport: 'tcp' })
      .replace('targets: { desk: "81000", voicemail: "8000" }', 'targets: { desk: "81000", voicemail: "8000", mobile: "+393331234567" }');
    t.match(yaml, /mobile: "\+393331234567"/, 'alice has a mobile');
    const s = { ...base, yaml };
    const d = await daemon(s);
    t.teardown(() => d.close());
    const socket = join(s.dir, 'var', 'imad.sock');
    const trace = join(s.dir, 'phones-tcp.msg');
    writeFileSync(trace, '');
    const phones = sipp(['-sf', scenarios + 'phones-ringing-steer.xml', '-t', 't1', '-i', '127.0.0.1', '-p', String(phonesPort), '-m', '6', '-set', 'ringer', '2000', '-trace_msg', '-message_file', trace], 60_000);
    await new Promise((r) => setTimeout(r, 400));
    for (const target of ['desk', 'mobile', '5551234']) {
      const rang = ringing(d);
      const caller = sipp(['-sf', scenarios + 'caller.xml', `127.0.0.1:${s.imaPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '200', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 30_000);
      const call = await rang;
      const steered = await ctlRequest(socket, { cmd: 'steer', args: [call.id, target] });
      t.same(steered, { ok: true, result: { leg: 2 } }, `steered to ${target}`);
      t.equal(await caller, 0, `${target}: the caller was answered without a failure in between`);
    }
    t.equal(await phones, 0, 'every phone saw a whole call: the assistant CANCELed three times, each target answered');
    const invites = messagesOf(trace).filter((m) => m.line.startsWith('INVITE '));
    const uri = (n: string) => `INVITE sip:${n}@127.0.0.1:${phonesPort};transport=tcp SIP/2.0`;
    t.same(invites.map((m) => m.line), [uri('2000'), uri('81000'), uri('2000'), uri('+393331234567'), uri('2000'), uri('5551234')], 'the same Request-URI shape for the policy legs and the steered ones');
    t.same(invites.map((m) => /^Diversion:/m.test(m.text)), [false, false, false, true, false, false], 'the mobile is told the call was diverted; the desk and a typed number are not');
    t.match(invites[3]!.text, /^Diversion: <sip:1000@127\.0\.0\.1>;reason=deflection/m);
  });
}
