/**
 * Live calls, steering, the call history and the dry run, each filtered by whose calls the
 * user may see.
 */
import { HttpError } from '../errors.js';
import { canSeeManagerId } from '../principal.js';
import { route } from '../route.js';
import { arrayOf, callSchema, errorSchema, historySchema, idParams, obj, phoneNumber, str } from '../schemas.js';
import { b2buaIdOf, callView } from '../views.js';

const listCalls = route({
  method: 'GET',
  url: '/api/calls',
  access: 'user',
  tag: 'calls',
  summary: 'Live calls the caller may see',
  schema: { response: { 200: arrayOf(callSchema), 401: errorSchema } },
  async handler({ ctx, principal }) {
    const d = ctx.host.directory();
    return [...ctx.host.b2bua.calls.values()]
      .filter((c) => !c.isEnded)
      .map((c) => ({ call: c, info: ctx.host.callInfo(c.id) }))
      .filter(({ info }) => info !== undefined && canSeeManagerId(principal, d, info.managerId))
      .map(({ call, info }) => callView(call, info, ctx.answeredAt.get(call.id)));
  },
});

const steer = route<{ target: string }, undefined, { id: string }>({
  method: 'POST',
  url: '/api/calls/:id/steer',
  access: 'user',
  tag: 'calls',
  summary: "Steer a ringing or answered call to one of the manager's targets or a number (ringing: the phones ringing now are CANCELed, the caller rings on)",
  schema: {
    params: idParams,
    body: obj({ target: { anyOf: [{ type: 'string', enum: ['desk', 'softphone', 'mobile', 'voicemail', 'alternative'] }, phoneNumber] } }),
    response: { 200: obj({ leg: { type: 'integer' } }), 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
  },
  async handler({ ctx, principal, params, body }) {
    const call = ctx.host.b2bua.calls.get(b2buaIdOf(params.id));
    const info = call && ctx.host.callInfo(call.id);
    if (call === undefined || info === undefined || call.isEnded) throw new HttpError(404, `no live call "${params.id}"`);
    if (!canSeeManagerId(principal, ctx.host.directory(), info.managerId)) throw new HttpError(403, `${principal.login} may not steer this call`);
    const r = await ctx.host.steer(call, body.target);
    if (r.ok) return { leg: r.leg };
    throw new HttpError(r.kind === 'invalid' ? 400 : 409, r.error, r.kind === 'invalid' ? 'target' : undefined);
  },
});

const ISO = '^\\d{4}-\\d\\d-\\d\\dT';

const history = route<undefined, { manager?: string; since?: string; until?: string; limit?: string }>({
  method: 'GET',
  url: '/api/history',
  access: 'user',
  tag: 'calls',
  summary: 'Ended calls, newest first, with the decision and its reason',
  schema: {
    querystring: obj(
      {
        manager: { type: 'string', minLength: 1, maxLength: 64 },
        since: { type: 'string', pattern: ISO, description: 'ISO 8601: calls that started at or after' },
        until: { type: 'string', pattern: ISO, description: 'ISO 8601: calls that started before' },
        limit: { type: 'string', pattern: '^[1-9]\\d{0,4}$', description: '1 to 99999, default 100' },
      },
      [],
    ),
    response: { 200: arrayOf(historySchema), 400: errorSchema, 401: errorSchema, 403: errorSchema },
  },
  async handler({ ctx, principal, query }) {
    const d = ctx.host.directory();
    const time = (field: 'since' | 'until'): number | undefined => {
      const v = query[field];
      if (v === undefined) return undefined;
      const t = Date.parse(v);
      if (!Number.isFinite(t)) throw new HttpError(400, `"${v}" is not an ISO 8601 time`, field);
      return t;
    };
    if (query.manager !== undefined && !canSeeManagerId(principal, d, query.manager)) throw new HttpError(403, `${principal.login} may not see the calls of ${query.manager}`, 'manager');
    return ctx.history.query({
      isVisible: (managerId) => canSeeManagerId(principal, d, managerId),
      manager: query.manager,
      since: time('since'),
      until: time('until'),
      limit: query.limit === undefined ? 100 : Number(query.limit),
    });
  },
});

const explain = route<{ caller: string; called: string }>({
  method: 'POST',
  url: '/api/explain',
  access: 'user',
  tag: 'calls',
  summary: 'Dry run: where a call from this number to that one would go now, and why',
  schema: {
    body: obj({ caller: phoneNumber, called: phoneNumber }),
    response: {
      200: obj({ decision: str, reason: str, managerId: { anyOf: [str, { type: 'null' }] }, targets: arrayOf(str), steps: arrayOf(str) }),
      400: errorSchema,
      401: errorSchema,
      403: errorSchema,
    },
  },
  async handler({ ctx, principal, body }) {
    const e = ctx.host.explain(body.caller, body.called);
    const d = e.decision;
    if (!canSeeManagerId(principal, ctx.host.directory(), d.managerId)) throw new HttpError(403, `${principal.login} may not see where calls to ${body.called} go`, 'called');
    const targets = d.kind === 'assistants' ? d.assistants.map((a) => a.number) : d.kind === 'reject' ? [] : [d.number];
    return { decision: d.kind, reason: d.reason, managerId: d.managerId, targets, steps: [...e.steps] };
  },
});

export const callRoutes = [listCalls, steer, history, explain];
