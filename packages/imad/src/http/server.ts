/**
 * The HTTP server of imad (fastify, logging with the daemon's pino): the JSON API of
 * docs/api.md, live events, metrics, the OpenAPI document, and the portal's pages. Every route is declared as data (route.ts); this file registers them
 * with authentication (API token or session cookie + CSRF double submit), the access level,
 * and errors shaped `{error, field?}`.
 */
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ApiHost } from './api-host.js';
import { CallHistory } from './call-history.js';
import type { ApiContext } from './context.js';
import { HttpError } from './errors.js';
import { EventHub } from './event-hub.js';
import { connectLiveEvents } from './live-events.js';
import { LoginLimiter, type LimiterOptions } from './login-limiter.js';
import { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { registerPortal } from './portal-routes.js';
import { type Principal, principalOf } from './principal.js';
import type { RouteSpec } from './route.js';
import { API_ROUTES } from './routes/index.js';
import { CSRF_COOKIE, SESSION_COOKIE } from './routes/auth.js';
import { SessionStore, isSameSecret } from './sessions.js';
import { TokenStore } from './token-store.js';
import { WebhookDispatcher } from './webhooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface ApiServerOptions {
  /** Overrides of the login limits (tests). */
  readonly loginLimits?: LimiterOptions;
}

export interface ApiServer {
  readonly address: { readonly host: string; readonly port: number };
  readonly app: FastifyInstance;
  readonly context: ApiContext;
  close(): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The principal of a request: API token first, else the session cookie (with CSRF on writes). */
function authenticate(ctx: ApiContext, req: FastifyRequest): Principal {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const record = m ? ctx.tokens.verify(m[1]!) : undefined;
    const p = record && principalOf(ctx.host.directory(), record.login, 'token');
    if (p === undefined) throw new HttpError(401, 'the API token is not valid');
    return p;
  }
  const sid = req.cookies[SESSION_COOKIE];
  const session = sid === undefined ? undefined : ctx.sessions.touch(sid);
  if (session === undefined) throw new HttpError(401, 'log in first (POST /api/login) or send an API token');
  if (!SAFE_METHODS.has(req.method)) {
    // Double submit: a cross-site page can make the browser send the cookie, not read it to echo it.
    const header = req.headers['x-csrf-token'];
    const echoed = typeof header === 'string' ? header : '';
    const cookieValue = req.cookies[CSRF_COOKIE] ?? '';
    if (echoed === '' || !isSameSecret(echoed, cookieValue) || !isSameSecret(echoed, session.csrf)) {
      throw new HttpError(403, 'missing or wrong x-csrf-token header (it must equal the csrf cookie)');
    }
  }
  const p = principalOf(ctx.host.directory(), session.login, 'session');
  if (p === undefined) {
    ctx.sessions.delete(session.id);
    throw new HttpError(401, 'this login no longer exists');
  }
  return p;
}

type ValidationError = NonNullable<FastifyError['validation']>[number];

/** The error to report: an `anyOf` (forward, schedule.outside) says more than its first branch's. */
function mainError(err: FastifyError): ValidationError | undefined {
  return err.validation?.find((v) => v.keyword === 'anyOf') ?? err.validation?.[0];
}

/** The field a schema validation error is about: /forward, /schedule/hours/0/day -> forward, schedule.hours.0.day. */
function fieldOf(v: ValidationError): string | undefined {
  const params = v.params as { missingProperty?: string; additionalProperty?: string };
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra = params.missingProperty ?? params.additionalProperty;
  return [path, extra].filter((x) => x !== undefined && x !== '').join('.') || undefined;
}

function errorMessage(err: FastifyError, v: ValidationError, field: string | undefined): string {
  const params = v.params as { additionalProperty?: string; allowedValues?: unknown[]; missingProperty?: string };
  if (params.additionalProperty !== undefined) return `unknown field "${field}"`;
  if (params.missingProperty !== undefined) return `${field} is required`;
  if (v.keyword === 'enum') return `${field} must be one of ${(params.allowedValues ?? []).join(', ')}`;
  if (v.keyword === 'anyOf') return `${field} is none of the allowed forms (see /openapi.json)`;
  return field === undefined ? `${err.validationContext ?? 'request'} ${v.message ?? 'is invalid'}` : `${field} ${v.message ?? 'is invalid'}`;
}

function register(app: FastifyInstance, ctx: ApiContext, spec: RouteSpec): void {
  const { response, body, querystring, params } = spec.schema;
  const schema: Record<string, unknown> = {};
  if (body) schema['body'] = body;
  if (querystring) schema['querystring'] = querystring;
  if (params) schema['params'] = params;
  // Response schemas serialise JSON answers (a field not in the schema never leaks out).
  schema['response'] = Object.fromEntries(Object.entries(response).filter(([, s]) => !('mediaType' in s)));
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    // Authentication before the body is even parsed: a stranger's bad body is a 401, not a 400.
    onRequest: async (req: FastifyRequest) => {
      if (spec.access === 'public') return;
      const p = authenticate(ctx, req);
      if (spec.access === 'admin' && p.role !== 'admin') throw new HttpError(403, `${p.login} is not an admin`);
      req.principal = p;
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) =>
      spec.handler({ ctx, body: req.body, query: req.query, params: req.params, principal: req.principal!, req, reply }),
  });
}

export async function startApiServer(host: ApiHost, opts: ApiServerOptions = {}): Promise<ApiServer> {
  const config = host.config();
  const tls = config.http.tls;
  const logger = host.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: logger,
    // One debug line per request (onResponse below) instead of two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ...(tls ? { https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } } : {}),
    // A bad body is refused, never quietly fixed: no coercion, no dropped extra fields.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  await app.register(cookie);
  app.decorateRequest('principal', null);
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const hub = new EventHub(() => host.directory());
  const metrics = new ApiMetrics({ activeCalls: () => host.b2bua.stats.calls, peers: () => host.peers(), sseClients: () => hub.size });
  const webhooks = new WebhookDispatcher({ hooks: () => host.config().http.webhooks, logger, onGiveUp: () => metrics.error('webhook') });
  const answeredAt = new Map<string, number>();
  const ctx: ApiContext = {
    host,
    sessions: new SessionStore(config.http.sessionIdleMs),
    tokens: new TokenStore(config.storage.dir),
    limiter: new LoginLimiter(opts.loginLimits),
    history: new CallHistory(config.storage.dir, () => host.config().http.historyKeep),
    hub,
    metrics,
    isTls: tls !== null,
    answeredAt,
  };
  const disconnect = connectLiveEvents(host, { hub, webhooks, history: ctx.history, metrics, answeredAt });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send(err.field === undefined ? { error: err.message } : { error: err.message, field: err.field });
    const v = mainError(err);
    if (v !== undefined) {
      const field = fieldOf(v);
      const error = errorMessage(err, v, field);
      return reply.code(400).send(field === undefined ? { error } : { error, field });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      metrics.error('http');
      req.log.error({ err, url: req.url }, 'HTTP handler failed');
      return reply.code(500).send({ error: 'internal error (see the daemon log)' });
    }
    return reply.code(status).send({ error: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  app.addHook('onSend', async (req, reply) => {
    // What the API answers is about people and calls: no cache keeps it, no browser guesses its type.
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http');
  });

  for (const spec of API_ROUTES) register(app, ctx, spec);
  const document = openApiDocument();
  app.get('/openapi.json', async () => document);
  await registerPortal(app, { embedOrigins: host.config().http.embedOrigins });

  const stop = async (): Promise<void> => {
    disconnect();
    webhooks.close();
    hub.close();
    await app.close();
  };
  try {
    await app.listen({ host: config.http.listen.host, port: config.http.listen.port });
  } catch (err) {
    await stop();
    throw err;
  }
  const bound = app.server.address();
  const address = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { host: config.http.listen.host, port: config.http.listen.port };
  logger.info({ address: `${address.host}:${address.port}`, tls: tls !== null }, 'HTTP API listening');
  return {
    address,
    app,
    context: ctx,
    close: stop,
  };
}
