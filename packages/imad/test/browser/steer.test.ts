/**
 * A real call in the assistant console, SIPp playing the caller and the PBX's phones:
 * - the call shows up in the console of the assistant (logged in, page not reloaded) while it rings
 *   (its steering buttons already usable), then as answered by the assistant;
 * - one click on "Voicemail" steers it: SIPp's phones see the new INVITE to the voicemail pilot
 *   with a Diversion naming the manager, the caller is re-INVITEd and stays on the line, the
 *   assistant's leg is hung up, and the call leaves the console when the caller hangs up;
 * - the assistant's own phone shows busy while the call is up, idle after; the admin's live calls
 *   show it; the manager's recent calls and the admin's history list it when it ends.
 * - a call still ringing at the assistant's phone: one click on "Voicemail" and the assistant's
 *   phone gets CANCEL, voicemail an INVITE with the Diversion and answers; the caller is answered
 *   by voicemail without any failure in between, and the console shows it answered by 8000.
 * Required under CI=true; elsewhere skipped with a notice when SIPp or chromium is missing.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort, phonesSaw, requireSipp, scenarios as sippScenarios, sipp } from '../sipp/fixtures/e2e.js';
import { launch, loggedIn, requireChromium, scenarios, screenshot, startPortal } from './fixtures/portal.js';

/** A portal and a browser, closed when `t` ends, with the assistant bob's console open and its list of alice's calls. */
async function bobsConsole(t: Test) {
  const portal = await startPortal();
  const browser = await launch();
  t.teardown(async () => {
    await browser.close();
    await portal.daemon.close();
  });
  const { page } = await loggedIn(browser, portal.base, 'bob');
  return { portal, browser, page, calls: page.locator('#manager-alice ul.calls') };
}

if (requireChromium('steer from the portal') && requireSipp('steer from the portal')) {
  t.test('a call rings in the assistant console, is answered, and one click sends it to voicemail', async (t) => {
    const { portal, browser, page, calls } = await bobsConsole(t);
    const manager = (await loggedIn(browser, portal.base, 'alice')).page;
    const admin = (await loggedIn(browser, portal.base, 'admin')).page;
    t.match(await calls.textContent(), /No calls right now/);

    // The daemon and the page read the same clock: when IMA relayed the 180, when the page showed it.
    let ringingAt = 0;
    portal.daemon.b2bua.on((e) => {
      if (e.type === 'ringing' && ringingAt === 0) ringingAt = Date.now();
    });
    const shownAt = page.evaluate<number>(`new Promise((resolve) => {
      const list = document.querySelector('#manager-alice ul.calls');
      new MutationObserver(() => list.querySelector('.call-state-ringing') && resolve(Date.now())).observe(list, { childList: true, subtree: true });
    })`);
    const trace = join(portal.dir, 'phones.msg');
    const phones = sipp(['-sf', scenarios + 'phones-ringing.xml', '-i', '127.0.0.1', '-p', String(portal.pbxPort), '-m', '2', '-trace_msg', '-message_file', trace], 40_000);
    await new Promise((r) => setTimeout(r, 400));
    const caller = sipp(['-sf', sippScenarios + 'caller-steered.xml', `127.0.0.1:${portal.imaPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '500', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 40_000);

    const call = calls.locator('li.call');
    await call.locator('.call-state-ringing').waitFor({ timeout: 5000 });
    t.match(await call.locator('.call-caller').textContent(), /0299999/, 'the console shows who is calling');
    t.match(await call.locator('.call-state-ringing').textContent(), /Ringing Bob Bianchi \(2000\)/, 'while it rings the assistant');
    t.comment(`the console showed the call ringing ${(await shownAt) - ringingAt} ms after IMA relayed the 180`);
    t.ok(await call.getByRole('button', { name: /to voicemail/ }).isEnabled(), 'a ringing call can be steered already');
    await call.locator('.call-state-answered').waitFor({ timeout: 5000 });
    t.match(await call.locator('.call-state-answered').textContent(), /Answered by Bob Bianchi \(2000\)/);
    await page.locator('#self-phone .phone-busy').waitFor({ timeout: 5000 });
    t.pass("the assistant's own phone shows busy while the call is up");
    await admin.locator('#calls li.call .call-state-answered').waitFor({ timeout: 5000 });
    t.pass("the admin's live calls show it too");
    await screenshot(page, 'assistant');

    const voicemail = call.getByRole('button', { name: /to voicemail \(8000\)/ });
    t.equal(await voicemail.textContent(), 'Voicemail', 'one button per target of the manager');
    await voicemail.click();
    await page.locator('#announce', { hasText: 'sent to voicemail' }).waitFor({ timeout: 10_000 });
    t.equal(await caller, 0, 'the caller took the re-INVITE and finished the call normally');
    t.equal(await phones, 0, 'both phones saw a whole call');
    const saw = phonesSaw(trace);
    t.same(saw.invites, ['2000', '8000'], 'the assistant, then the voicemail pilot');
    t.match(saw.diversions.join('\n'), /<sip:1000@127\.0\.0\.1>;reason=deflection/, 'voicemail is told whose box it is');
    await calls.locator('li.empty').waitFor({ timeout: 5000 });
    t.pass('the ended call left the console');
    const recent = manager.locator('#history-table tbody tr', { hasText: '0299999' });
    await recent.waitFor({ timeout: 5000 });
    t.match(await recent.textContent(), /answered by 8000/, "the manager's recent calls show where it ended, without a reload");
    await screenshot(manager, 'manager');
    await page.locator('#self-phone .phone-idle').waitFor({ timeout: 5000 });
    t.pass("the assistant's phone is idle again");
    await admin.locator('#history-table tbody tr', { hasText: '0299999' }).waitFor({ timeout: 5000 });
    t.pass("the admin's history has the call");
  });

  t.test('a call ringing at the assistant: one click sends it to voicemail, which answers', async (t) => {
    const { portal, page, calls } = await bobsConsole(t);
    const trace = join(portal.dir, 'phones-ringing.msg');
    // The assistant's phone (2000) rings until it is CANCELed; voicemail answers.
    const phones = sipp(['-sf', sippScenarios + 'phones-ringing-steer.xml', '-i', '127.0.0.1', '-p', String(portal.pbxPort), '-m', '2', '-set', 'ringer', '2000', '-trace_msg', '-message_file', trace], 40_000);
    await new Promise((r) => setTimeout(r, 400));
    const caller = sipp(['-sf', sippScenarios + 'caller.xml', `127.0.0.1:${portal.imaPort}`, '-s', '1000', '-key', 'caller', '0299999', '-d', '1500', '-i', '127.0.0.1', '-p', String(await freeUdpPort()), '-m', '1'], 40_000);

    const call = calls.locator('li.call');
    await call.locator('.call-state-ringing').waitFor({ timeout: 5000 });
    t.match(await call.locator('.call-state-ringing').textContent(), /Ringing Bob Bianchi \(2000\)/);
    const voicemail = call.getByRole('button', { name: /to voicemail \(8000\)/ });
    t.ok(await voicemail.isEnabled(), 'the button is there while it rings');
    await voicemail.click();
    await page.locator('#announce', { hasText: 'sent to voicemail' }).waitFor({ timeout: 10_000 });
    await call.locator('.call-state-answered', { hasText: 'Answered by 8000' }).waitFor({ timeout: 5000 });
    t.pass('the console shows voicemail took the call, without a reload');
    t.equal(await caller, 0, 'the caller was answered (by voicemail) with no failure in between');
    t.equal(await phones, 0, "the assistant's phone was CANCELed, voicemail had a whole call");
    const text = readFileSync(trace, 'utf8');
    t.same([...text.matchAll(/^(INVITE|CANCEL) sip:([^@]+)@/gm)].map((m) => `${m[1]} ${m[2]}`).sort(), ['CANCEL 2000', 'INVITE 2000', 'INVITE 8000'], 'the ringing phone got CANCEL, voicemail the INVITE');
    t.match(text, /^Diversion: <sip:1000@127\.0\.0\.1>;reason=deflection/m, 'voicemail is told whose box it is');
    await calls.locator('li.empty').waitFor({ timeout: 5000 });
    t.pass('the ended call left the console');
  });
}
