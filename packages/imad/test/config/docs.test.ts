/**
 * docs/config.md stays true:
 * - its complete example passes (with real hashes in place of the elided ones)
 * - it documents every key the loader knows
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ALL_KEYS, HASH, problemsOf } from '../fixtures/config.js';

const DOC = readFileSync(new URL('../../../../docs/config.md', import.meta.url), 'utf8');

t.test('the complete example in docs/config.md passes', async (t) => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const complete = blocks.at(-1) ?? '';
  t.match(complete, /^sip:/);
  t.same(problemsOf(complete.replaceAll('scrypt$65536$8$1$…', HASH)), []);
});

t.test('every key is documented', async (t) => {
  // Documented as `key` in a table, or as `section.key`.
  for (const key of ALL_KEYS) t.match(DOC, new RegExp(String.raw`[\x60.]${key}\x60`), key);
});
