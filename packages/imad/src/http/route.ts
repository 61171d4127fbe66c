/**
 * A route of the API as data: method, path, who may call it, its schemas and its handler. The
 * server registers each with fastify, and the OpenAPI document is made from the same list, so
 * the two cannot disagree.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import type { Principal } from './principal.js';
import type { JsonSchema } from './schemas.js';

/** public: anyone; user: any logged-in user (the handler filters by role); admin: admins only. */
export type Access = 'public' | 'user' | 'admin';

export interface RouteSchema {
  readonly body?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly params?: JsonSchema;
  /** Responses by status; a schema, or the media type of a non-JSON answer. */
  readonly response: Readonly<Record<number, JsonSchema | { readonly mediaType: string }>>;
  /** The media type of the body when it is not JSON (PUT /api/config takes text/yaml). */
  readonly bodyMediaType?: string;
}

export interface RouteInput<B, Q, P> {
  readonly ctx: ApiContext;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** Null only on public routes. */
  readonly principal: Principal;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** fastify's form: /api/managers/:id */
  readonly url: string;
  readonly access: Access;
  readonly summary: string;
  readonly tag: string;
  readonly schema: RouteSchema;
  readonly handler: (input: RouteInput<unknown, unknown, unknown>) => Promise<unknown>;
}

/** A route whose handler sees its body, query and params typed (the schemas guarantee them). */
export function route<B = undefined, Q = undefined, P = undefined>(
  spec: Omit<RouteSpec, 'handler'> & { readonly handler: (input: RouteInput<B, Q, P>) => Promise<unknown> },
): RouteSpec {
  return spec as RouteSpec;
}
