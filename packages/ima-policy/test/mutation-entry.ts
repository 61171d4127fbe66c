/**
 * The mutation run's single test process (stryker.config.json points the tap runner here; `pnpm test`
 * does not run this file, tap only includes `*.test.ts`).
 *
 * Node, tsx and tap starting up cost about 0.7 s, more than most test files take to run, and
 * Stryker's tap runner starts one process per covering test file for every mutant. Importing every
 * test file here makes that one process per mutant. The test files share tap's root `t`: a failing
 * assertion in any of them makes the TAP stream say "not ok" and the process exit non-zero, and
 * the tap runner's forceBail stops the process at that first failure.
 *
 * Every `*.test.ts` in this directory is imported, so a new test file joins the mutation run by
 * itself; one that throws while loading counts as a failed test. The quick example tests come
 * first (most mutants die there), the property and model tests last. fast-check runs with a fixed
 * seed (FC_SEED, default 1) so that two runs over the same code give the same result;
 * FC_NUM_RUNS (set by the `mutation` script) lowers the counts.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';

fc.configureGlobal({ seed: Number(process.env['FC_SEED'] ?? 1) });

const LAST = ['model.test.ts', 'properties.test.ts'];
const here = new URL('.', import.meta.url);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.test.ts'))
  .sort((a, b) => LAST.indexOf(a) - LAST.indexOf(b) || a.localeCompare(b));
for (const name of files) {
  try {
    await import(new URL(name, here).href);
  } catch (error) {
    // A test file that throws while loading fails the suite (`pnpm test` says so for that file);
    // reported as a failed assertion, so Stryker counts the mutant killed, not a runtime error.
    t.fail(`${name} threw while loading: ${String(error)}`);
  }
}
