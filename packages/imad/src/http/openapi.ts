/**
 * The OpenAPI 3.1 document of the API, made from the route list (the same schemas fastify
 * validates with), served at /openapi.json and kept in docs/openapi.json.
 */
import type { RouteSpec } from './route.js';
import { API_ROUTES } from './routes/index.js';
import type { JsonSchema } from './schemas.js';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Bad request: the field is named',
  401: 'No or bad credentials',
  403: 'Not allowed (or CSRF header missing or wrong)',
  404: 'Not found',
  409: 'Conflict',
  422: 'Invalid configuration: every problem with its line and column',
  429: 'Too many requests: login attempts (Retry-After) or live event streams of one login',
  503: 'Degraded',
};

function operation(spec: RouteSpec): JsonSchema {
  const { params, querystring, body, bodyMediaType, response } = spec.schema;
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [['path', params], ['query', querystring]] as const) {
    const props = (schema?.['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = (schema?.['required'] ?? []) as string[];
    for (const [name, s] of Object.entries(props)) parameters.push({ name, in: where, required: where === 'path' || required.includes(name), schema: s });
  }
  const responses = Object.fromEntries(
    Object.entries(response).map(([status, s]) => {
      const description = DESCRIPTIONS[Number(status)] ?? 'Response';
      if ('mediaType' in s) return [status, { description, content: { [s.mediaType as string]: { schema: { type: 'string' } } } }];
      if (s['type'] === 'null') return [status, { description }];
      return [status, { description, content: { 'application/json': { schema: s } } }];
    }),
  );
  return {
    summary: spec.summary,
    tags: [spec.tag],
    operationId: `${spec.method.toLowerCase()}${spec.url.replace(/[/:{}-]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(spec.access === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { [bodyMediaType ?? 'application/json']: { schema: body } } } } : {}),
    responses,
  };
}

/** The document. */
export function openApiDocument(routes: readonly RouteSpec[] = API_ROUTES): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec);
  }
  paths['/openapi.json'] = { get: { summary: 'This document', tags: ['ops'], operationId: 'getOpenapiJson', security: [], responses: { 200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'IMA HTTP API', version: '1', description: 'The API of imad: see docs/api.md. Sessions: POST /api/login sets the ima_session cookie; writes made with it carry x-csrf-token equal to the csrf cookie. Scripts: Authorization: Bearer <token>.' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'ima_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  };
}
