/**
 * Properties of the loader over generated configurations (fast-check):
 * - any generated valid configuration passes, and what comes out matches what went in
 * - any single typo injected into any key is reported as an unknown key at that key's exact
 *   line and column (other problems may follow, such as the now missing required key)
 */
import fc from 'fast-check';
import t from 'tap';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { isScalar, visit } from 'yaml';
import { formatDuration } from '../../src/config/duration.js';
import { parseConfig } from '../../src/config/load.js';
import { ALL_KEYS, HASH } from '../fixtures/config.js';

const duration = (min: number, max: number) => fc.integer({ min, max }).map(formatDuration);
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

const sip = fc.record({
  listen: fc.uniqueArray(
    fc.record({ transport: fc.constantFrom('udp', 'tcp'), port: fc.integer({ min: 5060, max: 5070 }) }),
    { minLength: 1, maxLength: 3, selector: (l) => `${l.transport}${l.port}` },
  ).map((ls) => ls.map((l) => `${l.transport}://127.0.0.1:${l.port}`)),
  trunk: fc.record(
    {
      peers: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 3 }).map((ns) => ns.map((n) => `127.0.0.${n}:5080`)),
      allow: fc.constant(['127.0.0.0/8', '::1/128']),
      transport: fc.constantFrom('udp', 'tcp'),
      options_interval: duration(0, 3_600_000),
      phone_state: fc.constantFrom('presence', 'dialog', 'none'),
    },
    { requiredKeys: ['peers', 'allow'] },
  ),
});

interface Generated {
  readonly yaml: string;
  readonly managers: number;
  readonly assistants: number;
}

/** A valid configuration: distinct ids and numbers, references that resolve. */
const validConfig: fc.Arbitrary<Generated> = fc
  .record({
    sip,
    log: fc.option(fc.record({ level: fc.constantFrom('info', 'debug', 'warn') }), { nil: undefined }),
    assistantIds: fc.uniqueArray(word, { maxLength: 4 }),
    managerIds: fc.uniqueArray(word, { maxLength: 3 }),
    seed: fc.array(fc.record({
      filter: fc.constantFrom('on', 'off', true, false),
      availability: fc.constantFrom('available', 'busy', 'away'),
      alerting: fc.constantFrom('parallel', 'sequential', 'first-available'),
      no_answer: duration(1_000, 300_000),
      fallback: fc.constantFrom('voicemail', 'mobile', 'desk'),
      whitelist: fc.array(fc.constantFrom('+39021234567', '3*', '0221*', '1234'), { maxLength: 3 }),
      poolSize: fc.nat(),
      activeSize: fc.nat(),
    }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ sip: s, log, assistantIds, managerIds, seed }) => {
    const assistants = assistantIds.map((id, i) => ({ id, name: `Assistant ${i}`, number: `${2000 + i}` }));
    const managers = managerIds.map((id, i) => {
      const g = seed[i % seed.length];
      if (g === undefined) throw new Error('seed');
      const pool = assistantIds.slice(0, g.poolSize % (assistantIds.length + 1));
      return {
        id,
        name: `Manager ${i}`,
        number: `${1000 + i}`,
        targets: { desk: `8${1000 + i}`, voicemail: '8000', mobile: `+39333000000${i}` },
        assistants: pool,
        active: pool.slice(0, g.activeSize % (pool.length + 1)),
        filter: g.filter,
        availability: g.availability,
        alerting: g.alerting,
        no_answer: g.no_answer,
        fallback: g.fallback,
        whitelist: [...new Set(g.whitelist)],
      };
    });
    const users = [
      { login: 'root', role: 'admin', password_hash: HASH },
      ...managerIds.map((id) => ({ login: `m-${id}`, role: 'manager', manager: id, password_hash: HASH })),
      ...assistantIds.map((id) => ({ login: `a-${id}`, role: 'assistant', assistant: id, password_hash: HASH })),
    ];
    const doc = { sip: s, ...(log === undefined ? {} : { log }), managers, assistants, users };
    return { yaml: stringify(doc), managers: managers.length, assistants: assistants.length };
  });

t.test('any generated valid configuration passes', async (t) => {
  fc.assert(
    fc.property(validConfig, (g) => {
      const result = parseConfig(g.yaml, { baseDir: '/etc/ima' });
      if (!result.ok) throw new Error(`${g.yaml}\n${result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n')}`);
      return result.config.managers.length === g.managers && result.config.assistants.length === g.assistants;
    }),
    { numRuns: 200 },
  );
  t.pass('200 generated configurations');
});

/** One keyboard slip: a letter dropped, doubled, swapped with the next, or replaced. */
const slip = fc.record({ kind: fc.constantFrom('drop', 'double', 'swap', 'replace'), at: fc.nat(), letter: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_') });

function applySlip(key: string, s: { kind: string; at: number; letter: string }): string {
  const i = s.at % key.length;
  switch (s.kind) {
    case 'drop':
      return key.slice(0, i) + key.slice(i + 1);
    case 'double':
      return key.slice(0, i + 1) + key.slice(i);
    case 'swap':
      return i + 1 < key.length ? key.slice(0, i) + (key[i + 1] ?? '') + (key[i] ?? '') + key.slice(i + 2) : key;
    default:
      return key.slice(0, i) + s.letter + key.slice(i + 1);
  }
}

t.test('a typo in any key is reported at that key', async (t) => {
  fc.assert(
    fc.property(validConfig, fc.nat(), slip, (g, pick, s) => {
      const lineCounter = new LineCounter();
      const doc = parseDocument(g.yaml, { lineCounter });
      const keys: { start: number; end: number; name: string }[] = [];
      visit(doc, {
        Pair(_, pair) {
          if (isScalar(pair.key) && typeof pair.key.value === 'string' && pair.key.range) {
            keys.push({ start: pair.key.range[0], end: pair.key.range[1], name: pair.key.value });
          }
        },
      });
      const key = keys[pick % keys.length];
      if (key === undefined) return true;
      const typo = applySlip(key.name, s);
      fc.pre(typo !== '' && typo !== key.name && !ALL_KEYS.has(typo) && /^[a-z_][a-z0-9_]*$/.test(typo));
      const yaml = g.yaml.slice(0, key.start) + typo + g.yaml.slice(key.end);
      const result = parseConfig(yaml, { baseDir: '/etc/ima' });
      const { line, col } = lineCounter.linePos(key.start);
      if (result.ok) throw new Error(`typo "${typo}" for "${key.name}" passed:\n${yaml}`);
      const found = result.problems.some((p) => p.line === line && p.column === col && p.message.includes(`unknown key "${typo}"`));
      if (!found) {
        throw new Error(`typo "${typo}" for "${key.name}" at ${line}:${col} not reported there:\n${result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n')}`);
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('300 typos');
});
