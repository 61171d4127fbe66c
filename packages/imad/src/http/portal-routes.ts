/**
 * The web portal's static files, served by imad itself (no CDN: the machine may be offline).
 * The pages are built into dist/portal by `pnpm --filter @ima/imad build` (portal/build.mjs) and
 * read into memory once, here. Full pages may not be framed at all; the compact /embed/ pages
 * may be framed by the configured origins only (a Jabber custom tab, a Webex embedded app).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface PortalOptions {
  /** Origins allowed to frame the /embed/ pages, e.g. "https://jabber.example.com" (the config loader checks their form). */
  readonly embedOrigins: readonly string[];
  /** Where the built portal is; dist/portal by default (the same from src/http and dist/http). */
  readonly dir?: string;
}

/** The page paths and the built file each serves. */
export const PORTAL_PAGES: Readonly<Record<string, { file: string; isEmbed: boolean }>> = {
  '/': { file: 'index.html', isEmbed: false },
  '/manager': { file: 'manager.html', isEmbed: false },
  '/assistant': { file: 'assistant.html', isEmbed: false },
  '/admin': { file: 'admin.html', isEmbed: false },
  '/embed/manager': { file: 'embed-manager.html', isEmbed: true },
  '/embed/assistant': { file: 'embed-assistant.html', isEmbed: true },
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  // A PNG icon too: Jabber's custom tabs take no SVG.
  '.png': 'image/png',
};

/** Everything but framing: only our own scripts, styles and API (no inline code, no other host). */
const BASE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/** The Content-Security-Policy of a page: full pages cannot be framed, embed pages by `origins` only. */
export function portalCsp(isEmbed: boolean, origins: readonly string[]): string {
  const ancestors = isEmbed && origins.length > 0 ? origins.join(' ') : "'none'";
  return `${BASE_CSP}; frame-ancestors ${ancestors}`;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(`${dir}/${name}`);
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

/** Register the portal's routes on `app`. */
export async function registerPortal(app: FastifyInstance, opts: PortalOptions): Promise<void> {
  const dir = opts.dir ?? fileURLToPath(new URL('../../dist/portal', import.meta.url));
  const isBuilt = existsSync(`${dir}/index.html`);
  if (!isBuilt) app.log.warn({ dir }, 'the web portal is not built (pnpm --filter @ima/imad build): its pages answer 503');
  const assets = isBuilt ? readAssets(dir) : new Map<string, Asset>();

  const send = (req: FastifyRequest, reply: FastifyReply, asset: Asset, csp: string | undefined): FastifyReply => {
    reply
      .header('content-type', asset.type)
      .header('cache-control', 'no-cache')
      .header('etag', asset.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    if (csp !== undefined) reply.header('content-security-policy', csp);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };

  for (const [path, page] of Object.entries(PORTAL_PAGES)) {
    const csp = portalCsp(page.isEmbed, opts.embedOrigins);
    app.get(path, async (req, reply) => {
      const asset = assets.get(page.file);
      if (asset === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('The web portal is not built: run pnpm --filter @ima/imad build\n');
      // RFC 7034: browsers that predate frame-ancestors read X-Frame-Options; it has no allow-list form they all know.
      if (!page.isEmbed) reply.header('x-frame-options', 'DENY');
      return send(req, reply, asset, csp);
    });
  }
  app.get<{ Params: { name: string } }>('/portal/:name', async (req, reply) => {
    const asset = extname(req.params.name) === '.html' ? undefined : assets.get(req.params.name);
    if (asset === undefined) return reply.code(404).send({ error: `no such portal file: ${req.params.name}` });
    return send(req, reply, asset, undefined);
  });
}
