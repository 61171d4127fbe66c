/**
 * JSON Schemas of the API's shapes (docs/api.md): fastify validates requests with them (a bad
 * body or query is a 400 naming the field), serialises responses with them, and the OpenAPI
 * document is built from them.
 */
import {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  FORWARD_TARGETS,
  MANAGER_AVAILABILITIES,
  PHONE_STATES,
  TARGET_NAMES,
  WEEKDAYS,
} from '@ima/ima-policy';

export type JsonSchema = Record<string, unknown>;

const str = { type: 'string' } as const;
const enumOf = (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] });
const obj = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

/** A diallable number as a person writes it (the policy checks it further). */
export const phoneNumber: JsonSchema = { type: 'string', minLength: 1, maxLength: 40, pattern: '^\\+?[0-9 ()./*#-]+$' };

export const errorSchema = obj({ error: str, field: str }, ['error']);

export const meSchema = obj(
  { login: str, role: enumOf(['admin', 'manager', 'assistant']), name: str, managerId: str, assistantId: str },
  ['login', 'role', 'name'],
);

export const forwardSchema: JsonSchema = { anyOf: [enumOf(['off', ...FORWARD_TARGETS]), obj({ number: phoneNumber })] };
export const destinationSchema: JsonSchema = { anyOf: [enumOf(TARGET_NAMES), obj({ number: phoneNumber })] };
export const scheduleSchema: JsonSchema = obj({
  hours: { type: 'array', maxItems: 50, items: obj({ day: enumOf(WEEKDAYS), from: { type: 'string', pattern: '^\\d\\d:\\d\\d$' }, to: { type: 'string', pattern: '^\\d\\d:\\d\\d$' } }) },
  outside: destinationSchema,
});
const entrySchema = obj({ entry: str, expires: nullable(str), oneCall: { type: 'boolean' } });

export const managerSchema = obj({
  id: str,
  name: str,
  number: str,
  targets: obj({ desk: str, voicemail: str, softphone: str, mobile: str, alternative: str }, ['desk', 'voicemail']),
  assistants: arrayOf(str),
  filter: { type: 'boolean' },
  filterMode: enumOf(FILTER_MODES),
  availability: enumOf(MANAGER_AVAILABILITIES),
  forward: forwardSchema,
  active: arrayOf(str),
  alerting: enumOf(ALERTING_MODES),
  no_answer: { type: 'number' },
  fallback: enumOf(FALLBACK_TARGETS),
  schedule: nullable(scheduleSchema),
  timeZone: str,
  blockAction: enumOf(BLOCK_ACTIONS),
  whitelist: arrayOf(entrySchema),
  blocklist: arrayOf(entrySchema),
  phone: enumOf(PHONE_STATES),
});

/** PATCH /api/managers/{id}: any of these, at least one. */
export const managerPatchSchema: JsonSchema = {
  ...obj(
    {
      filter: { type: 'boolean' },
      filterMode: enumOf(FILTER_MODES),
      availability: enumOf(MANAGER_AVAILABILITIES),
      forward: forwardSchema,
      active: { type: 'array', items: str, maxItems: 100 },
      alerting: enumOf(ALERTING_MODES),
      no_answer: { type: 'integer', minimum: 1, maximum: 300 },
      fallback: enumOf(FALLBACK_TARGETS),
      schedule: nullable(scheduleSchema),
      blockAction: enumOf(BLOCK_ACTIONS),
    },
    [],
  ),
  minProperties: 1,
};

export const assistantSchema = obj({
  id: str,
  name: str,
  number: str,
  availability: enumOf(ASSISTANT_AVAILABILITIES),
  phone: enumOf(PHONE_STATES),
  managers: arrayOf(str),
});

export const callSchema = obj(
  {
    id: str,
    managerId: nullable(str),
    caller: str,
    callerName: str,
    called: str,
    state: enumOf(['routing', 'ringing', 'answered']),
    decision: obj({ kind: str, reason: str }),
    legs: arrayOf(obj({ id: { type: 'integer' }, target: str, label: str, state: str })),
    answeredBy: str,
    started: str,
    answered: str,
  },
  ['id', 'managerId', 'caller', 'callerName', 'called', 'state', 'decision', 'legs', 'started'],
);

export const historySchema = obj({
  id: str,
  managerId: nullable(str),
  caller: str,
  callerName: str,
  called: str,
  started: str,
  ended: str,
  decision: obj({ kind: str, reason: str }),
  outcome: str,
  durationMs: { type: 'integer' },
});

export const peerSchema = obj({ host: str, port: { type: 'integer' }, status: enumOf(['up', 'down', 'unknown']), reason: str, rttMs: { type: 'number' }, since: str }, [
  'host',
  'port',
  'status',
  'since',
]);

export const tokenSchema = obj({ id: str, login: str, name: str, created: str });

export const idParams = obj({ id: { type: 'string', minLength: 1, maxLength: 200 } });
export const entryParams = obj({ id: { type: 'string', minLength: 1, maxLength: 200 }, entry: { type: 'string', minLength: 1, maxLength: 40 } });

export { arrayOf, enumOf, nullable, obj, str };
