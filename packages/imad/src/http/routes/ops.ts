/**
 * For monitoring and live clients: the health endpoint (no login; 503 when no trunk peer is
 * usable), Prometheus metrics (no login), and the Server-Sent Events stream.
 */
import { HttpError } from '../errors.js';
import { MAX_STREAMS_PER_LOGIN } from '../event-hub.js';
import { principalOf } from '../principal.js';
import { route } from '../route.js';
import { SESSION_COOKIE } from './auth.js';
import { arrayOf, enumOf, errorSchema, obj, str } from '../schemas.js';

const healthSchema = obj({
  status: enumOf(['ok', 'degraded']),
  peers: arrayOf(obj({ host: str, port: { type: 'integer' }, status: enumOf(['up', 'down', 'unknown']) })),
  calls: { type: 'integer' },
  uptime: { type: 'number', description: 'seconds' },
});

const health = route({
  method: 'GET',
  url: '/api/health',
  access: 'public',
  tag: 'ops',
  summary: 'Health for monitoring: degraded (503) when every trunk peer is down',
  schema: { response: { 200: healthSchema, 503: healthSchema } },
  async handler({ ctx, reply }) {
    const peers = ctx.host.peers();
    const isDegraded = peers.length > 0 && peers.every((p) => p.status === 'down');
    return reply.code(isDegraded ? 503 : 200).send({
      status: isDegraded ? 'degraded' : 'ok',
      peers: peers.map((p) => ({ host: p.host, port: p.port, status: p.status })),
      calls: ctx.host.b2bua.stats.calls,
      uptime: Math.round((Date.now() - ctx.host.startedAt) / 100) / 10,
    });
  },
});

const metrics = route({
  method: 'GET',
  url: '/metrics',
  access: 'public',
  tag: 'ops',
  summary: 'Prometheus metrics',
  schema: { response: { 200: { mediaType: 'text/plain; version=0.0.4' } } },
  async handler({ ctx, reply }) {
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  },
});

const events = route({
  method: 'GET',
  url: '/api/events',
  access: 'user',
  tag: 'ops',
  summary: `Live events (Server-Sent Events): manager, assistant, call, peers; only what the user may see. At most ${MAX_STREAMS_PER_LOGIN} streams per user at once (429 past that)`,
  schema: { response: { 200: { mediaType: 'text/event-stream' }, 401: errorSchema, 429: errorSchema } },
  async handler({ ctx, principal, req, reply }) {
    if (!ctx.hub.hasRoomFor(principal.login)) {
      throw new HttpError(429, `${principal.login} already has ${ctx.hub.maxPerLogin} live event streams open: close one (another tab or client) first`);
    }
    // Asked again at each event: a logout, a revoked token or a reload that removes the user ends the stream.
    const sid = req.cookies[SESSION_COOKIE];
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const current = () => {
      const isLive = principal.via === 'token' ? token !== undefined && ctx.tokens.verify(token) !== undefined : sid !== undefined && ctx.sessions.isLive(sid);
      return isLive ? principalOf(ctx.host.directory(), principal.login, principal.via) : undefined;
    };
    reply.hijack();
    ctx.hub.open(reply.raw, principal.login, current);
  },
});

export const opsRoutes = [health, metrics, events];
