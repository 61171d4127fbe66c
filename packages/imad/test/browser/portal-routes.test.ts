/**
 * The portal's routes without a browser (fastify inject), for what the browser tests cannot reach:
 * - a portal that was never built: each page answers 503 saying how to build it, and imad still starts;
 * - no embed origins configured: the /embed/ pages may not be framed by anyone;
 * - only known file types are served from dist/portal (no source maps, no stray files).
 */
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { portalCsp, registerPortal } from '../../src/http/portal-routes.js';

t.test('a portal that was never built answers 503 with the command that builds it', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await registerPortal(app, { embedOrigins: [], dir: mkdtempSync(join(tmpdir(), 'portal-empty-')) });
  for (const url of ['/', '/manager', '/embed/assistant']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 503, url);
    t.match(res.body, /pnpm --filter @ima\/imad build/);
  }
});

t.test('without embed origins the compact pages may not be framed either', async (t) => {
  t.equal(portalCsp(true, []).split('; ').at(-1), "frame-ancestors 'none'");
  t.equal(portalCsp(true, ['https://a.example.com', 'https://*.webex.com']).split('; ').at(-1), 'frame-ancestors https://a.example.com https://*.webex.com');
  t.equal(portalCsp(false, ['https://a.example.com']).split('; ').at(-1), "frame-ancestors 'none'", 'full pages ignore the list');
});

t.test('only known file types are served', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portal-files-'));
  for (const [name, text] of [['index.html', '<p>login</p>'], ['embed-manager.html', '<p>compact</p>'], ['a.js', 'x()'], ['a.js.map', '{}'], ['notes.txt', 'secret']]) writeFileSync(join(dir, name!), text!);
  const app = Fastify();
  t.teardown(() => app.close());
  await registerPortal(app, { embedOrigins: [], dir });
  t.equal((await app.inject({ url: '/' })).body, '<p>login</p>');
  const compact = await app.inject({ url: '/embed/manager' });
  t.equal(compact.statusCode, 200);
  t.match(compact.headers['content-security-policy'], /frame-ancestors 'none'$/);
  t.equal(compact.headers['x-frame-options'], undefined);
  t.equal((await app.inject({ url: '/portal/a.js' })).headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal((await app.inject({ url: '/portal/a.js.map' })).statusCode, 404);
  t.equal((await app.inject({ url: '/portal/notes.txt' })).statusCode, 404);
  t.equal((await app.inject({ url: '/portal/..%2Fpackage.json' })).statusCode, 404);
  t.equal((await app.inject({ url: '/manager' })).statusCode, 503, 'a page missing from the build says so');
});
