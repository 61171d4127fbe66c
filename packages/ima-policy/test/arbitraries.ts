/**
 * fast-check arbitraries: directories, callers, commands (valid and invalid, by every kind of
 * actor) and the states they lead to. Numbers come from small pools so that generated callers
 * often hit generated list entries, assistants and managers.
 */
import fc from 'fast-check';
import { buildDirectory, initialState, step } from '../src/index.js';
import type {
  Actor,
  Call,
  Command,
  Directory,
  DirectoryInput,
  ManagerCommand,
  ManagerInput,
  PolicyState,
} from '../src/index.js';
import {
  ALERTING_MODES,
  ASSISTANT_AVAILABILITIES,
  BLOCK_ACTIONS,
  FALLBACK_TARGETS,
  FILTER_MODES,
  LIST_NAMES,
  MANAGER_AVAILABILITIES,
  PHONE_STATES,
  TARGET_NAMES,
  WEEKDAYS,
} from '../src/index.js';

const ASSISTANT_IDS = ['a0', 'a1', 'a2', 'a3'] as const;
const MANAGER_IDS = ['m0', 'm1', 'm2'] as const;

/** External callers in several shapes; some are the same number written differently. */
export const EXTERNAL_NUMBERS = ['021234567', '+39021234567', '0039021234567', '0611111111', '3331234567', '+441234567890', 'anonymous'];

/** A base instant: Monday 2024-01-15 00:00 UTC; generated times span the following week. */
export const BASE_TIME = Date.UTC(2024, 0, 15);
export const timeArb = fc.integer({ min: BASE_TIME, max: BASE_TIME + 7 * 24 * 3600 * 1000 });

const managerArb = (id: string, index: number): fc.Arbitrary<ManagerInput> =>
  fc
    .record({
      pool: fc.subarray([...ASSISTANT_IDS]),
      activeMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      hasMobile: fc.boolean(),
      hasAlternative: fc.boolean(),
      hasSoftphone: fc.boolean(),
      filter: fc.boolean(),
      timeZone: fc.constantFrom('UTC', 'Europe/Rome', 'America/New_York'),
    })
    .map(({ pool, activeMask, hasMobile, hasAlternative, hasSoftphone, filter, timeZone }) => ({
      id,
      name: id.toUpperCase(),
      number: `100${index}`,
      targets: {
        desk: `8100${index}`,
        voicemail: '8000',
        ...(hasMobile ? { mobile: `+39333000000${index}` } : {}),
        ...(hasAlternative ? { alternative: `109${index}` } : {}),
        ...(hasSoftphone ? { softphone: `7100${index}` } : {}),
      },
      assistants: pool,
      active: pool.filter((_, i) => activeMask[i] === true),
      filter,
      whitelist: ['+39021234567'].slice(0, index % 2),
      timeZone,
    }));

/** A valid directory input of 1 to 3 managers and 0 to 4 assistants, with a user for each. */
export const directoryInputArb: fc.Arbitrary<DirectoryInput> = fc
  .integer({ min: 1, max: 3 })
  .chain((count) => fc.tuple(...MANAGER_IDS.slice(0, count).map((id, i) => managerArb(id, i))))
  .map((managers) => {
    const used = new Set(managers.flatMap((m) => m.assistants ?? []));
    const assistants = ASSISTANT_IDS.filter((id) => used.has(id) || id === 'a3').map((id) => ({ id, name: id, number: `200${id.slice(1)}` }));
    return {
      managers,
      assistants,
      users: [
        { login: 'admin', role: 'admin' as const },
        ...managers.map((m) => ({ login: `u-${m.id}`, role: 'manager' as const, manager: m.id })),
        ...assistants.map((a) => ({ login: `u-${a.id}`, role: 'assistant' as const, assistant: a.id })),
      ],
      numbering: { countryCode: '39', extensionMaxLength: 5 },
    };
  });

/** Builds a directory the arbitraries promise to be valid. */
export function mustBuild(input: DirectoryInput): Directory {
  const result = buildDirectory(input);
  if (!result.ok) throw new Error(`generated directory is invalid: ${JSON.stringify(result.problems)}`);
  return result.directory;
}

export const directoryArb: fc.Arbitrary<Directory> = directoryInputArb.map(mustBuild);

const noiseArb = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 12 }))
  .map(([plus, digits]) => `${plus ? '+' : ''}${digits.join('')}`);

/** Every number a caller may present: externals, managers, assistants, desks, and noise. */
export function callerArb(directory: Directory): fc.Arbitrary<string> {
  const known = [
    ...EXTERNAL_NUMBERS,
    ...[...directory.assistants.values()].map((a) => a.number),
    ...[...directory.managers.values()].flatMap((m) => [m.number, m.targets.desk]),
  ];
  return fc.oneof(fc.constantFrom(...known), noiseArb);
}

/** A call to one of the directory's managers (or, rarely, to nobody). */
export function callArb(directory: Directory): fc.Arbitrary<Call> {
  const called = [...directory.managers.values()].map((m) => m.number);
  return fc.record(
    {
      callerNumber: callerArb(directory),
      callerName: fc.constantFrom('Mario', ''),
      calledNumber: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...called) }, { weight: 1, arbitrary: fc.constant('1999') }),
    },
    { requiredKeys: ['callerNumber', 'calledNumber'] },
  );
}

/** A pattern as a person may write it: a caller's number, or a prefix of one. */
export function patternArb(directory: Directory): fc.Arbitrary<string> {
  return callerArb(directory).chain((n) => fc.oneof(fc.constant(n), fc.integer({ min: 1, max: Math.max(1, n.length) }).map((k) => `${n.slice(0, k)}*`)));
}

/** Any actor: the system, every known login, and a stranger. */
export function actorArb(directory: Directory): fc.Arbitrary<Actor> {
  return fc.oneof(
    fc.constant<Actor>({ kind: 'system' }),
    fc.constantFrom(...directory.users.keys(), 'mallory').map((login): Actor => ({ kind: 'user', login })),
  );
}

const expiryArb = fc.oneof(
  fc.constant({ kind: 'never' as const }),
  fc.constant({ kind: 'one-call' as const }),
  timeArb.map((at) => ({ kind: 'at' as const, at })),
);

/** A change to a manager, valid or not (unknown ids, invalid values, missing targets). */
export function managerCommandArb(directory: Directory): fc.Arbitrary<ManagerCommand> {
  const assistantIds = fc.constantFrom(...ASSISTANT_IDS, 'zz');
  const numberish = fc.oneof(callerArb(directory), fc.constant('not a number'));
  const destinationTarget = fc.constantFrom(...TARGET_NAMES);
  return fc.oneof(
    fc.boolean().map((isOn): ManagerCommand => ({ type: 'setFilter', isOn })),
    fc.constantFrom(...FILTER_MODES, 'x').map((mode) => ({ type: 'setFilterMode', mode }) as ManagerCommand),
    fc.constantFrom(...MANAGER_AVAILABILITIES, 'x').map((availability) => ({ type: 'setAvailability', availability }) as ManagerCommand),
    fc
      .oneof(
        fc.constant({ kind: 'off' }),
        fc.constantFrom('mobile', 'alternative', 'voicemail', 'desk').map((target) => ({ kind: 'target', target })),
        numberish.map((number) => ({ kind: 'number', number })),
      )
      .map((forward) => ({ type: 'setForward', forward }) as ManagerCommand),
    fc
      .record({ list: fc.constantFrom(...LIST_NAMES), pattern: patternArb(directory), expiry: expiryArb, assistantId: assistantIds })
      .map(({ list, pattern, expiry, assistantId }) => ({ type: 'addEntry', entry: { list, pattern, expiry, assistantId } }) as ManagerCommand),
    fc.record({ list: fc.constantFrom(...LIST_NAMES), pattern: patternArb(directory) }).map((c): ManagerCommand => ({ type: 'removeEntry', ...c })),
    fc.record({ list: fc.constantFrom(...LIST_NAMES), pattern: patternArb(directory) }).map((c): ManagerCommand => ({ type: 'entryUsed', ...c })),
    fc.constantFrom(...BLOCK_ACTIONS).map((action): ManagerCommand => ({ type: 'setBlockAction', action })),
    fc.array(assistantIds, { maxLength: 4 }).map((assistantIds): ManagerCommand => ({ type: 'setActiveAssistants', assistantIds })),
    fc.constantFrom(...ALERTING_MODES).map((alerting): ManagerCommand => ({ type: 'setAlerting', alerting })),
    fc.integer({ min: 0, max: 400_000 }).map((noAnswerMs): ManagerCommand => ({ type: 'setNoAnswer', noAnswerMs })),
    fc.constantFrom(...FALLBACK_TARGETS).map((fallback): ManagerCommand => ({ type: 'setFallback', fallback })),
    fc
      .option(
        fc.record({
          hours: fc.array(
            fc.record({
              day: fc.constantFrom(...WEEKDAYS),
              from: fc.constantFrom('00:00', '08:00', '09:30', '13:00'),
              to: fc.constantFrom('12:00', '18:00', '24:00', '08:00'),
            }),
            { maxLength: 4 },
          ),
          outside: fc.oneof(destinationTarget.map((target) => ({ kind: 'target' as const, target })), numberish.map((number) => ({ kind: 'number' as const, number }))),
        }),
      )
      .map((schedule): ManagerCommand => ({ type: 'setSchedule', schedule })),
  );
}

/** Any command, valid or not, by any actor. */
export function commandArb(directory: Directory): fc.Arbitrary<Command> {
  const managerIds = fc.constantFrom(...directory.managers.keys(), 'nobody');
  const phoneNumbers = fc.constantFrom(...directory.monitored, '5555');
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(actorArb(directory), managerIds, managerCommandArb(directory)).map(([by, managerId, c]) => ({ ...c, by, managerId }) as Command) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(actorArb(directory), fc.constantFrom(...ASSISTANT_IDS, 'nobody'), fc.constantFrom(...ASSISTANT_AVAILABILITIES, 'busy'))
        .map(([by, assistantId, availability]) => ({ type: 'setAssistantAvailability', by, assistantId, availability }) as Command),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(actorArb(directory), phoneNumbers, fc.constantFrom(...PHONE_STATES))
        .map(([by, number, phone]): Command => ({ type: 'phoneStateChanged', by, number, phone })),
    },
    { weight: 1, arbitrary: fc.tuple(actorArb(directory), timeArb).map(([by, now]): Command => ({ type: 'expireEntries', by, now })) },
  );
}

/** Folds commands over a state, skipping refusals. */
export function applyAll(directory: Directory, state: PolicyState, commands: readonly Command[]): PolicyState {
  return commands.reduce((s, c) => {
    const result = step(directory, s, c);
    return result.ok ? result.state : s;
  }, state);
}

/** A directory with a state reached from its initial state by generated commands. */
export const worldArb: fc.Arbitrary<{ directory: Directory; state: PolicyState; commands: readonly Command[] }> = directoryArb.chain((directory) =>
  fc.array(commandArb(directory), { maxLength: 40 }).map((commands) => ({ directory, commands, state: applyAll(directory, initialState(directory), commands) })),
);
