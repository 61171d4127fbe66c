/**
 * Managers and assistants: read what one may see, change what the policy allows (the command
 * names the user; the policy says who may change what).
 */
import type { Command, Expiry } from '@ima/ima-policy';
import type { ApiContext } from '../context.js';
import { HttpError, refusalStatus } from '../errors.js';
import { patchCommands, type ManagerPatch } from '../manager-patch.js';
import { type Principal, canSeeAssistant, canSeeManager } from '../principal.js';
import { route } from '../route.js';
import { arrayOf, assistantSchema, entryParams, enumOf, errorSchema, idParams, managerPatchSchema, managerSchema, obj, phoneNumber } from '../schemas.js';
import { assistantView, managerView } from '../views.js';

const actor = (p: Principal) => ({ kind: 'user', login: p.login }) as const;

/** Applies all of `commands` or none; a refusal becomes the matching HTTP error naming the field. */
function applyAll(ctx: ApiContext, commands: ReadonlyArray<{ field?: string; command: Command }>): void {
  const r = ctx.host.applyAll(commands.map((c) => c.command));
  if (!r.ok) throw new HttpError(refusalStatus(r.code), r.reason, commands[r.index]?.field);
}

function visibleManager(ctx: ApiContext, p: Principal, id: string) {
  const m = ctx.host.directory().managers.get(id);
  if (m === undefined) throw new HttpError(404, `there is no manager "${id}"`);
  if (!canSeeManager(p, m)) throw new HttpError(403, `${p.login} may not see manager ${id}`);
  return m;
}

const managerOut = (ctx: ApiContext, id: string) => managerView(ctx.host.directory(), ctx.host.state(), ctx.host.directory().managers.get(id)!);

const listManagers = route({
  method: 'GET',
  url: '/api/managers',
  access: 'user',
  tag: 'directory',
  summary: 'The managers the caller may see',
  schema: { response: { 200: arrayOf(managerSchema), 401: errorSchema } },
  async handler({ ctx, principal }) {
    const d = ctx.host.directory();
    return [...d.managers.values()].filter((m) => canSeeManager(principal, m)).map((m) => managerView(d, ctx.host.state(), m));
  },
});

const getManager = route<undefined, undefined, { id: string }>({
  method: 'GET',
  url: '/api/managers/:id',
  access: 'user',
  tag: 'directory',
  summary: 'One manager',
  schema: { params: idParams, response: { 200: managerSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
  async handler({ ctx, principal, params }) {
    visibleManager(ctx, principal, params.id);
    return managerOut(ctx, params.id);
  },
});

const patchManager = route<ManagerPatch, undefined, { id: string }>({
  method: 'PATCH',
  url: '/api/managers/:id',
  access: 'user',
  tag: 'directory',
  summary: "Change a manager's settings: all the fields or none",
  schema: { params: idParams, body: managerPatchSchema, response: { 200: managerSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
  async handler({ ctx, principal, params, body }) {
    visibleManager(ctx, principal, params.id);
    applyAll(ctx, patchCommands(actor(principal), params.id, body));
    return managerOut(ctx, params.id);
  },
});

/** `expires` (ISO 8601, in the future) and `oneCall` as the policy's expiry. */
function expiryOf(expires: string | null | undefined, oneCall: boolean | undefined): Expiry {
  if (oneCall === true) {
    if (expires) throw new HttpError(400, 'an entry is either for one call or until a time, not both', 'oneCall');
    return { kind: 'one-call' };
  }
  if (expires === undefined || expires === null) return { kind: 'never' };
  const at = Date.parse(expires);
  if (!Number.isFinite(at)) throw new HttpError(400, `"${expires}" is not an ISO 8601 time`, 'expires');
  if (at <= Date.now()) throw new HttpError(400, 'the expiry time is already past', 'expires');
  return { kind: 'at', at };
}

const entryBody = (withOneCall: boolean) =>
  obj(
    {
      entry: { ...phoneNumber, pattern: '^\\+?[0-9 ()./#-]*\\*?$' },
      expires: { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'null' }] },
      ...(withOneCall ? { oneCall: { type: 'boolean' } } : {}),
    },
    ['entry'],
  );

function listRoutes(path: 'whitelist' | 'blocklist', list: 'whitelist' | 'block') {
  const add = route<{ entry: string; expires?: string | null; oneCall?: boolean }, undefined, { id: string }>({
    method: 'POST',
    url: `/api/managers/:id/${path}`,
    access: 'user',
    tag: 'directory',
    summary: `Add a ${path} entry: a number or a trailing-* prefix`,
    schema: { params: idParams, body: entryBody(list === 'whitelist'), response: { 201: managerSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
    async handler({ ctx, principal, params, body, reply }) {
      visibleManager(ctx, principal, params.id);
      const expiry = expiryOf(body.expires, body.oneCall);
      applyAll(ctx, [{ field: 'entry', command: { type: 'addEntry', by: actor(principal), managerId: params.id, entry: { list, pattern: body.entry, expiry } } }]);
      return reply.code(201).send(managerOut(ctx, params.id));
    },
  });
  const remove = route<undefined, undefined, { id: string; entry: string }>({
    method: 'DELETE',
    url: `/api/managers/:id/${path}/:entry`,
    access: 'user',
    tag: 'directory',
    summary: `Remove a ${path} entry (404 when absent)`,
    schema: { params: entryParams, response: { 200: managerSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
    async handler({ ctx, principal, params }) {
      visibleManager(ctx, principal, params.id);
      applyAll(ctx, [{ field: 'entry', command: { type: 'removeEntry', by: actor(principal), managerId: params.id, list, pattern: params.entry } }]);
      return managerOut(ctx, params.id);
    },
  });
  return [add, remove];
}

const listAssistants = route({
  method: 'GET',
  url: '/api/assistants',
  access: 'user',
  tag: 'directory',
  summary: 'The assistants the caller may see',
  schema: { response: { 200: arrayOf(assistantSchema), 401: errorSchema } },
  async handler({ ctx, principal }) {
    const d = ctx.host.directory();
    return [...d.assistants.keys()].filter((id) => canSeeAssistant(principal, d, id)).map((id) => assistantView(d, ctx.host.state(), id));
  },
});

const patchAssistant = route<{ availability: 'available' | 'away' | 'offline' }, undefined, { id: string }>({
  method: 'PATCH',
  url: '/api/assistants/:id',
  access: 'user',
  tag: 'directory',
  summary: "Set an assistant's availability (the assistant or an admin)",
  schema: {
    params: idParams,
    body: obj({ availability: enumOf(['available', 'away', 'offline']) }),
    response: { 200: assistantSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
  },
  async handler({ ctx, principal, params, body }) {
    applyAll(ctx, [{ field: 'availability', command: { type: 'setAssistantAvailability', by: actor(principal), assistantId: params.id, availability: body.availability } }]);
    return assistantView(ctx.host.directory(), ctx.host.state(), params.id);
  },
});

export const directoryRoutes = [listManagers, getManager, patchManager, ...listRoutes('whitelist', 'whitelist'), ...listRoutes('blocklist', 'block'), listAssistants, patchAssistant];
