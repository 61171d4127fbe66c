/**
 * The web portal in Debian's chromium (playwright-core), against a real daemon:
 * - the pages' framing headers: full pages refuse every frame, /embed/ pages allow the configured origins only;
 *   in a real frame, chromium shows the compact page to an allowed site (asking to log in in a
 *   new window) and refuses it to another;
 * - a wrong password gets a clear message and no session; guessing gets "try again in N s";
 * - an assistant switches a manager's filter off and the manager, logged in in another browser
 *   context, sees it change without reloading (the latency is printed);
 * - a page whose session ended elsewhere goes to the login page by itself;
 * - keyboard only: Tab to the manager's filter switch, Space toggles it, the focus ring shows;
 * - the admin's YAML editor shows a refused file's problem at its line, then saves a good one
 *   (reloaded, and the directory on the page follows); the trunk peer is listed;
 * - every visible control of every page has an accessible name;
 * - on a phone-sized screen the assistant console fits the width (no sideways scrolling).
 * Screenshots of each page go to docs/images when SCREENSHOTS=1.
 * Required under CI=true; elsewhere skipped with a notice when /usr/bin/chromium is missing.
 */
import t from 'tap';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Browser } from 'playwright-core';
import { type Portal, launch, loggedIn, requireChromium, screenshot, startPortal } from './fixtures/portal.js';

if (requireChromium('portal')) {
  let portal: Portal;
  let browser: Browser;
  // A site of our own that frames the compact page (chromium lets only local pages frame local ones).
  const host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>host</title><iframe src="${portal.base}/embed/assistant" width="360" height="600"></iframe>`);
  });
  let hostPort = 0;
  t.before(async () => {
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostPort = (host.address() as AddressInfo).port;
    // Allowed as http://localhost:PORT; the same page as http://127.0.0.1:PORT is another origin.
    portal = await startPortal([`http://localhost:${hostPort}`]);
    browser = await launch();
  });
  t.teardown(async () => {
    await browser?.close();
    await portal?.daemon.close();
    host.close();
  });

  t.test('full pages refuse every frame; embed pages allow the configured origins only', async (t) => {
    for (const path of ['/', '/manager', '/assistant', '/admin']) {
      const res = await fetch(`${portal.base}${path}`);
      t.equal(res.status, 200, path);
      t.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/, `${path}: frame-ancestors 'none'`);
      t.equal(res.headers.get('x-frame-options'), 'DENY', `${path}: X-Frame-Options`);
      t.match(res.headers.get('content-security-policy'), /script-src 'self'/, `${path}: only our own scripts`);
    }
    for (const path of ['/embed/manager', '/embed/assistant']) {
      const res = await fetch(`${portal.base}${path}`);
      t.equal(res.status, 200, path);
      t.match(res.headers.get('content-security-policy'), /; frame-ancestors https:\/\/jabber\.example\.com http:\/\/localhost:\d+$/, `${path}: framable by the configured origins only`);
      t.equal(res.headers.get('x-frame-options'), null, `${path}: no X-Frame-Options (it would refuse the allowed origin too)`);
    }
    const script = await fetch(`${portal.base}/portal/assistant.js`);
    t.equal(script.status, 200);
    t.match(script.headers.get('content-type'), /^text\/javascript/);
    const again = await fetch(`${portal.base}/portal/assistant.js`, { headers: { 'if-none-match': script.headers.get('etag') ?? '' } });
    t.equal(again.status, 304, 'an unchanged file is not sent again');
    t.equal((await fetch(`${portal.base}/portal/nothing.js`)).status, 404);
    t.equal((await fetch(`${portal.base}/portal/index.html`)).status, 404, 'pages are served at their own paths only');
  });

  t.test('in a frame, the embed page shows for the configured origin only', async (t) => {
    const context = await browser.newContext();
    const allowed = await context.newPage();
    await allowed.goto(`http://localhost:${hostPort}/tab`);
    const framed = allowed.frameLocator('iframe');
    // Nobody is logged in inside the frame: it offers a login window rather than a page that may not be framed.
    const signIn = framed.getByRole('link', { name: 'Sign in to IMA in a new window' });
    await signIn.waitFor();
    t.equal(await signIn.getAttribute('target'), '_blank');
    t.equal(await signIn.getAttribute('href'), '/?next=%2Fembed%2Fassistant');
    // Logged in beside it (the window the link opens): a frame under another site still gets no
    // SameSite=Strict cookie, so it still asks (docs/portal.md says so).
    const login = await context.newPage();
    await login.goto(`${portal.base}/?next=%2Fembed%2Fassistant`);
    await login.getByLabel('Login').fill('bob');
    await login.getByLabel('Password').fill('secret');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.locator('#manager-alice').waitFor();
    t.equal(new URL(login.url()).pathname, '/embed/assistant', 'the login window lands on the compact page');
    await allowed.reload();
    await allowed.frameLocator('iframe').getByRole('link', { name: 'Sign in to IMA in a new window' }).waitFor();
    t.pass('the frame from another site still has no session');

    const refused = await context.newPage();
    const blocked = refused.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await refused.goto(`http://127.0.0.1:${hostPort}/tab`);
    t.match((await blocked).text(), /violates .*"frame-ancestors https:\/\/jabber\.example\.com http:\/\/localhost:\d+"\. The request has been blocked/, 'chromium refuses the frame');
    t.equal(await refused.frameLocator('iframe').locator('#main').count(), 0, 'and shows none of the page');
    await context.close();
  });

  t.test('a wrong password: a clear message, and still on the login page', async (t) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${portal.base}/`);
    await screenshot(page, 'login');
    await page.getByLabel('Login').fill('bob');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Wrong login or password' });
    await alert.waitFor();
    t.equal(new URL(page.url()).pathname, '/');
    t.equal((await context.cookies()).find((c) => c.name === 'ima_session'), undefined, 'no session cookie');

    // Guessing: after 5 failures for one login the server refuses (429), and the page says for how long.
    await page.getByLabel('Login').fill('mallory');
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Password').fill(`guess ${i}`);
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/login')), page.getByRole('button', { name: 'Sign in' }).click()]);
    }
    await page.getByRole('alert').filter({ hasText: /^Too many login attempts: try again in \d+ s\.$/ }).waitFor();
    t.pass('the sixth attempt is refused with the time to wait');
    await context.close();
  });

  t.test("an assistant switches the manager's filter off; the manager's browser shows it live", async (t) => {
    const assistant = await loggedIn(browser, portal.base, 'bob');
    const manager = await loggedIn(browser, portal.base, 'alice');
    t.equal(new URL(assistant.page.url()).pathname, '/assistant', 'an assistant lands on the console');
    t.equal(new URL(manager.page.url()).pathname, '/manager', 'a manager lands on their page');
    const managerSwitch = manager.page.getByRole('switch', { name: /Call filter/ });
    t.equal(await managerSwitch.getAttribute('aria-checked'), 'true', 'the manager sees the filter on');
    // A marker in the manager's page: it is still there afterwards only if the page was not reloaded.
    await manager.page.evaluate('window.marker = 42');

    const card = assistant.page.locator('#manager-alice');
    // Both pages read the same machine clock: the click in one, the switch flipping in the other.
    await assistant.page.evaluate("document.addEventListener('click', () => (window.clickedAt = Date.now()), true)");
    const shownAt = manager.page.evaluate<number>(`new Promise((resolve) => {
      const el = document.getElementById('filter-alice');
      new MutationObserver(() => el.getAttribute('aria-checked') === 'false' && resolve(Date.now())).observe(el, { attributes: true });
    })`);
    await card.getByRole('switch', { name: /Call filter/ }).click();
    await manager.page.locator('#filter-alice[aria-checked="false"]').waitFor({ timeout: 5000 });
    const latencyMs = (await shownAt) - (await assistant.page.evaluate<number>('window.clickedAt'));
    t.comment(`the manager's page showed the change ${latencyMs} ms after the assistant's click`);
    t.equal(await manager.page.evaluate('window.marker'), 42, 'without reloading');
    await manager.page.locator('#announce', { hasText: 'Call filter off' }).waitFor();
    t.pass('and read out to screen readers (aria-live)');
    t.equal(portal.daemon.state().managers.alice?.isFilterOn, false, 'the daemon has the filter off');
    t.equal(await card.getByRole('switch', { name: /Call filter/ }).getAttribute('aria-checked'), 'false');

    // And back, from the manager's side this time, seen by the assistant.
    await managerSwitch.click();
    await assistant.page.locator('#filter-alice[aria-checked="true"]').waitFor({ timeout: 5000 });
    t.equal(portal.daemon.state().managers.alice?.isFilterOn, true);
    await assistant.context.close();
    await manager.context.close();
  });

  t.test('a page whose session ends (logged out in another tab) goes to the login page', async (t) => {
    const { context, page } = await loggedIn(browser, portal.base, 'bob');
    const other = await context.newPage();
    await other.goto(`${portal.base}/assistant`);
    await other.getByRole('button', { name: 'Log out' }).click();
    await other.waitForURL((url) => url.pathname === '/');
    // The next event tells the server the stream's session is gone; the page then finds out.
    const admin = await loggedIn(browser, portal.base, 'admin');
    await admin.page.goto(`${portal.base}/manager?id=alice`);
    await admin.page.locator('#availability-alice-busy').check();
    await page.waitForURL((url) => url.pathname === '/' && url.search === '?next=%2Fassistant', { timeout: 10_000 });
    t.pass('sent to log in, to come back to the console');
    await admin.page.locator('#availability-alice-available').check();
    await admin.context.close();
    await context.close();
  });

  t.test('keyboard only: Tab to the filter switch, Space toggles it, the focus is visible', async (t) => {
    const { context, page } = await loggedIn(browser, portal.base, 'alice');
    await page.locator('#filter-alice').waitFor();
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'filter-alice'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>('document.activeElement?.id ?? ""');
    }
    t.equal(focused, 'filter-alice', 'the switch is reachable with Tab');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    t.not(outline, 'none', 'the focused switch shows a focus ring');
    await page.keyboard.press('Space');
    await page.locator('#filter-alice[aria-checked="false"]').waitFor();
    t.equal(portal.daemon.state().managers.alice?.isFilterOn, false, 'Space switched the filter off');
    t.equal(await page.evaluate('document.activeElement?.id'), 'filter-alice', 'the focus stays on the switch');
    await page.keyboard.press('Enter');
    await page.locator('#filter-alice[aria-checked="true"]').waitFor();
    t.equal(portal.daemon.state().managers.alice?.isFilterOn, true, 'Enter switched it on again');
    await context.close();
  });

  t.test("the admin's YAML editor shows a refused file's problem at its line", async (t) => {
    const { context, page } = await loggedIn(browser, portal.base, 'admin');
    t.equal(new URL(page.url()).pathname, '/admin');
    const editor = page.getByLabel('imad.yaml');
    await page.locator('#config-status', { hasText: 'Loaded' }).waitFor();
    await page.locator('#managers-table tbody tr').first().waitFor();
    await screenshot(page, 'admin');
    const text = await editor.inputValue();
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^\s+no_answer: 5s/.test(l)) + 1;
    t.ok(line > 0, 'the file has alice no_answer line');
    lines[line - 1] = lines[line - 1]!.replace('5s', 'soon');
    await editor.fill(lines.join('\n'));
    await page.getByRole('button', { name: 'Check and save' }).click();
    const problem = page.locator('#config-problems button').first();
    await problem.waitFor();
    t.match(await problem.textContent(), new RegExp(`^Line ${line}, column \\d+: `), 'the problem names its line');
    t.equal(await page.locator('#config-gutter .bad').first().textContent(), String(line), 'the gutter marks the line');
    t.match(await page.locator('#config-status').textContent(), /Not saved/);
    await problem.click();
    const cursorLine = await page.evaluate("(a => a.value.slice(0, a.selectionStart).split('\\n').length)(document.getElementById('config-text'))");
    t.equal(cursorLine, line, 'clicking the problem puts the cursor on its line');
    t.equal(portal.daemon.state().managers.alice?.noAnswerMs, 5_000, 'the running configuration is unchanged');

    // Fixed, and a name changed: saved, reloaded, and the directory on the page follows.
    await editor.fill(text.replace('name: Alice Rossi', 'name: Alice Rossi-Bianchi'));
    await page.getByRole('button', { name: 'Check and save' }).click();
    await page.locator('#config-status', { hasText: 'Saved and reloaded' }).waitFor();
    t.equal(await page.locator('#config-problems li').count(), 0, 'no problems listed');
    t.equal(await page.locator('#config-gutter .bad').count(), 0, 'no line marked');
    t.equal(portal.daemon.directory().managers.get('alice')?.name, 'Alice Rossi-Bianchi', 'the daemon reloaded it');
    await page.locator('#managers-table a', { hasText: 'Alice Rossi-Bianchi' }).waitFor({ timeout: 5000 });
    t.pass('the directory table shows the new name');
    t.match(await page.locator('#peers-table tbody').textContent(), new RegExp(`127\\.0\\.0\\.1:${portal.pbxPort}`), 'the trunk peer is listed');
    await context.close();
  });

  t.test('every control of every page has a name a screen reader can say', async (t) => {
    // A control's accessible name: its <label>s, aria-label(ledby), or its own text (buttons, links).
    const unnamed = `[...document.querySelectorAll('input, select, textarea, button, [role=switch], a[href]')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => !((el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (/^(BUTTON|A)$/.test(el.tagName) && el.textContent.trim() !== '')))
      .map((el) => el.outerHTML.slice(0, 80))`;
    const { context, page } = await loggedIn(browser, portal.base, 'admin');
    for (const path of ['/admin', '/manager?id=alice', '/assistant', '/embed/manager?id=alice', '/embed/assistant']) {
      await page.goto(`${portal.base}${path}`);
      await page.locator('#live.live-ok').waitFor();
      await page.locator('#main .card:visible').first().waitFor();
      t.same(await page.evaluate(unnamed), [], path);
    }
    await page.goto(`${portal.base}/manager?id=alice`);
    await page.locator('#filter-alice').waitFor();
    t.equal(await page.locator('.manager-full .card').count(), 6, 'the manager page has its six sections');
    await context.close();
  });

  t.test('on a phone-sized screen the pages fit the width', async (t) => {
    const phone = { width: 390, height: 844 };
    const { context, page } = await loggedIn(browser, portal.base, 'bob', phone);
    await page.locator('#manager-alice').waitFor();
    const fits = () => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
    t.ok(await fits(), 'the assistant console needs no sideways scrolling');
    await screenshot(page, 'phone-assistant');
    await page.goto(`${portal.base}/manager?id=alice`);
    await page.locator('#filter-alice').waitFor();
    t.ok(await fits(), 'nor does the manager page');
    await page.setViewportSize({ width: 360, height: 640 });
    await page.goto(`${portal.base}/embed/assistant`);
    await page.locator('#manager-alice').waitFor();
    t.ok(await fits(), 'nor the compact assistant page');
    await screenshot(page, 'embed-assistant');
    await context.close();
  });
}
