/**
 * Logging in and out, who am I, API tokens. A login sets the HttpOnly session cookie and the
 * readable csrf cookie (double submit); wrong login and wrong password get the same answer and
 * cost the same scrypt work.
 */
import { parsePasswordHash, verifyPassword, hashPassword, DEFAULT_SCRYPT_PARAMS } from '../../auth/password.js';
import { HttpError } from '../errors.js';
import { principalOf } from '../principal.js';
import { route } from '../route.js';
import { arrayOf, errorSchema, meSchema, obj, str, tokenSchema } from '../schemas.js';
import { randomToken } from '../sessions.js';
import { meView } from '../views.js';

export const SESSION_COOKIE = 'ima_session';
export const CSRF_COOKIE = 'csrf';

// A hash to check against when the login does not exist, so that the answer takes as long.
let decoy: Promise<string> | undefined;
function decoyHash(like: string | undefined): Promise<string> {
  const parsed = like === undefined ? undefined : parsePasswordHash(like);
  decoy ??= hashPassword(randomToken(), parsed?.ok ? parsed.hash : DEFAULT_SCRYPT_PARAMS);
  return decoy;
}

const login = route<{ login: string; password: string }>({
  method: 'POST',
  url: '/api/login',
  access: 'public',
  tag: 'auth',
  summary: 'Log in with a password: sets the session cookie and the csrf cookie',
  schema: {
    body: obj({ login: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } }),
    response: { 200: meSchema, 400: errorSchema, 401: errorSchema, 429: errorSchema },
  },
  async handler({ ctx, body, req, reply }) {
    const address = req.ip;
    // Reserved before the scrypt work: concurrent wrong passwords cannot all pass the check first.
    const admitted = ctx.limiter.admit(body.login, address);
    if (!admitted.ok) {
      ctx.metrics.loginFailures.inc();
      reply.header('retry-after', String(admitted.retryAfter));
      throw new HttpError(429, `too many login attempts: try again in ${admitted.retryAfter} s`);
    }
    const users = ctx.host.config().users;
    const user = users.find((u) => u.login === body.login);
    const isValid = await verifyPassword(body.password, user?.passwordHash ?? (await decoyHash(users[0]?.passwordHash)));
    const principal = user && isValid ? principalOf(ctx.host.directory(), user.login, 'session') : undefined;
    if (principal === undefined) {
      // The reserved attempt stays counted as a failure.
      ctx.metrics.loginFailures.inc();
      // An unknown login is not logged as typed: people type their password into the login field.
      req.log.info({ login: user ? user.login : '(unknown)', address }, 'login refused');
      throw new HttpError(401, 'wrong login or password');
    }
    admitted.attempt.succeeded();
    const session = ctx.sessions.create(principal.login);
    const common = { path: '/', sameSite: 'strict', secure: ctx.isTls } as const;
    reply.setCookie(SESSION_COOKIE, session.id, { ...common, httpOnly: true });
    reply.setCookie(CSRF_COOKIE, session.csrf, { ...common, httpOnly: false });
    req.log.info({ login: principal.login }, 'logged in');
    return meView(ctx.host.directory(), principal);
  },
});

const logout = route({
  method: 'POST',
  url: '/api/logout',
  access: 'user',
  tag: 'auth',
  summary: 'End the session and clear its cookies',
  schema: { response: { 204: { type: 'null' }, 401: errorSchema, 403: errorSchema } },
  async handler({ ctx, req, reply }) {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid !== undefined) ctx.sessions.delete(sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.code(204).send();
  },
});

const me = route({
  method: 'GET',
  url: '/api/me',
  access: 'user',
  tag: 'auth',
  summary: 'Who am I',
  schema: { response: { 200: meSchema, 401: errorSchema } },
  async handler({ ctx, principal }) {
    return meView(ctx.host.directory(), principal);
  },
});

const listTokens = route({
  method: 'GET',
  url: '/api/tokens',
  access: 'user',
  tag: 'auth',
  summary: "API tokens: one's own (admin: everyone's)",
  schema: { response: { 200: arrayOf(tokenSchema), 401: errorSchema } },
  async handler({ ctx, principal }) {
    return ctx.tokens.list().filter((t) => principal.role === 'admin' || t.login === principal.login);
  },
});

const createToken = route<{ name: string; login?: string }>({
  method: 'POST',
  url: '/api/tokens',
  access: 'user',
  tag: 'auth',
  summary: 'Make an API token (shown once); for another login: admin only',
  schema: {
    body: obj({ name: { type: 'string', minLength: 1, maxLength: 100 }, login: { type: 'string', minLength: 1, maxLength: 64 } }, ['name']),
    response: { 201: obj({ id: str, login: str, name: str, created: str, token: str }), 400: errorSchema, 401: errorSchema, 403: errorSchema },
  },
  async handler({ ctx, body, principal, reply }) {
    const login = body.login ?? principal.login;
    if (login !== principal.login && principal.role !== 'admin') throw new HttpError(403, 'only an admin makes tokens for another login', 'login');
    if (!ctx.host.directory().users.has(login)) throw new HttpError(400, `there is no user "${login}"`, 'login');
    return reply.code(201).send(ctx.tokens.create(login, body.name));
  },
});

const revokeToken = route<undefined, undefined, { id: string }>({
  method: 'DELETE',
  url: '/api/tokens/:id',
  access: 'user',
  tag: 'auth',
  summary: 'Revoke an API token (own; admin: any)',
  schema: { params: obj({ id: { type: 'string', minLength: 1, maxLength: 64 } }), response: { 204: { type: 'null' }, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
  async handler({ ctx, params, principal, reply }) {
    const token = ctx.tokens.get(params.id);
    if (token === undefined) throw new HttpError(404, `no token "${params.id}"`);
    if (token.login !== principal.login && principal.role !== 'admin') throw new HttpError(403, "only an admin revokes another login's token");
    ctx.tokens.revoke(params.id);
    return reply.code(204).send();
  },
});

export const authRoutes = [login, logout, me, listTokens, createToken, revokeToken];
