/**
 * pnpm bench:policy — route() on a directory of 10 managers and on one of 10,000 managers,
 * every manager with 1,000 whitelist entries (exact numbers and prefixes), and the calls a
 * mix of whitelisted, prefix-matched, screened, blocked and assistant callers. Prints the
 * median ns per decision for both and their ratio: one decision must cost the same whatever
 * the size of the directory or of the whitelist (the lists are indexed, not scanned), so the
 * ratio must stay under 1.5 (exit code 1 otherwise).
 *
 * The gated ratio compares like with like: in both directories the calls go to 10 managers
 * (all of the small one; 10 drawn at random from the large one), so the work per decision is
 * the same and only the size of the directory and state differs; a scan would show at once.
 * A second figure spreads the calls over all 10,000 managers: every decision then touches
 * cold memory, and the difference is the CPU caches, not the algorithm. It is printed, not gated.
 *
 * State is immutable, so managers may share list objects: the 10,000 managers draw their
 * whitelist from 64 distinct 1,000-entry lists, which keeps the set-up to a few seconds
 * (10 million distinct entries would take most of the run to build). Each lookup still
 * hashes into a 1,000-key list of the manager called.
 * Bounded: a fixed number of samples of a fixed number of calls.
 */
import { buildDirectory, initialState, route } from '@ima/ima-policy';
import type { Call, Directory, EntryMap, ListEntry, PolicyState } from '@ima/ima-policy';

const WHITELIST_SIZE = 1_000;
const DISTINCT_LISTS = 64;
const CALLS = 2_048;
const SAMPLES = 31;
const ROUNDS = 3;
const NOW = Date.UTC(2024, 0, 15, 9, 0);

/** A deterministic generator (xorshift), so that every run routes the same calls. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** 1,000 entries: 900 exact Italian numbers and 100 prefixes, seeded by `n`. */
function whitelist(n: number): EntryMap<ListEntry> {
  const next = rng(n + 1);
  const entries: Record<string, ListEntry> = {};
  let count = 0;
  while (count < WHITELIST_SIZE) {
    const digits = String(Math.floor(next() * 1e8)).padStart(8, '0');
    const pattern = count >= 900 ? `+3906${digits.slice(0, 4)}*` : `+3902${digits}`;
    if (entries[pattern] === undefined) count++;
    entries[pattern] = { pattern, expiry: { kind: 'never' } };
  }
  return entries;
}

interface World {
  readonly directory: Directory;
  readonly state: PolicyState;
  readonly lists: readonly EntryMap<ListEntry>[];
  readonly size: number;
}

function world(managerCount: number, lists: readonly EntryMap<ListEntry>[]): World {
  const managers = Array.from({ length: managerCount }, (_, i) => ({
    id: `m${i}`,
    name: `Manager ${i}`,
    number: String(100_000 + i),
    targets: { desk: String(300_000 + i), voicemail: '8000', mobile: `+39333${String(i).padStart(7, '0')}` },
    assistants: [`a${i}`],
    filter: true,
  }));
  const assistants = managers.map((_, i) => ({ id: `a${i}`, name: `Assistant ${i}`, number: String(500_000 + i) }));
  const built = buildDirectory({ managers, assistants, users: [], numbering: { countryCode: '39', extensionMaxLength: 6 } });
  if (!built.ok) throw new Error(JSON.stringify(built.problems.slice(0, 3)));
  const initial = initialState(built.directory);
  const state: PolicyState = {
    ...initial,
    managers: Object.fromEntries(
      Object.entries(initial.managers).map(([id, settings], i) => {
        const block = { '+39066666*': { pattern: '+39066666*', expiry: { kind: 'never' } } } as const;
        return [id, { ...settings, lists: { ...settings.lists, whitelist: lists[i % lists.length]!, block } }];
      }),
    ),
  };
  return { directory: built.directory, state, lists, size: managerCount };
}

/** CALLS calls to the managers `targets` (indexes), seeded by `seed`. */
function callsTo(w: World, targets: readonly number[], seed: number): readonly Call[] {
  const next = rng(seed);
  return Array.from({ length: CALLS }, (): Call => {
    const m = targets[Math.floor(next() * targets.length)]!;
    const wl = Object.keys(w.lists[m % w.lists.length]!);
    const pick = next();
    const whitelisted = wl[Math.floor(next() * 900)]!;
    const callerNumber =
      pick < 0.3 ? `0${whitelisted.slice(3)}` // national form of an exact entry
      : pick < 0.45 ? `${wl[900 + Math.floor(next() * 100)]!.slice(0, -1)}123` // matches a prefix
      : pick < 0.9 ? `0${String(Math.floor(next() * 1e9)).padStart(9, '0')}` // screened
      : pick < 0.95 ? '066666123' // blocked
      : String(500_000 + m); // the manager's own assistant
    return { callerNumber, calledNumber: String(100_000 + m) };
  });
}

/** Median ns per decision over SAMPLES passes over `calls`. */
function measure(w: World, calls: readonly Call[]): number {
  let sink = 0;
  const pass = (): number => {
    const start = process.hrtime.bigint();
    for (const call of calls) sink += route(w.directory, w.state, call, NOW).reason.length;
    return Number(process.hrtime.bigint() - start) / calls.length;
  };
  for (let i = 0; i < 5; i++) pass(); // warm up the JIT
  const samples = Array.from({ length: SAMPLES }, pass).sort((a, b) => a - b);
  if (sink === 0) throw new Error('no decision was made');
  return samples[Math.floor(SAMPLES / 2)]!;
}

const started = performance.now();
const lists = Array.from({ length: DISTINCT_LISTS }, (_, i) => whitelist(i));
const small = world(10, lists);
const large = world(10_000, lists);
const pickTen = rng(7);
const tenOfLarge = Array.from({ length: 10 }, (_, k) => k * 1_000 + Math.floor(pickTen() * 1_000));
const smallCalls = callsTo(small, Array.from({ length: 10 }, (_, i) => i), 1);
const largeCalls = callsTo(large, tenOfLarge, 2);
const spreadCalls = callsTo(large, Array.from({ length: large.size }, (_, i) => i), 3);
const setupMs = performance.now() - started;
// Interleave the measures so that machine noise falls on all alike; keep each one's best median.
const best = { small: Infinity, large: Infinity, spread: Infinity };
for (let round = 0; round < ROUNDS; round++) {
  best.small = Math.min(best.small, measure(small, smallCalls));
  best.large = Math.min(best.large, measure(large, largeCalls));
  best.spread = Math.min(best.spread, measure(large, spreadCalls));
}
const ratio = best.large / best.small;
const entries = `${WHITELIST_SIZE} whitelist entries each`;
console.log(`node ${process.version}; set-up ${setupMs.toFixed(0)} ms; ${CALLS} calls x ${SAMPLES} samples, best of ${ROUNDS} rounds`);
console.log(`route, 10 managers, ${entries}:      median ${best.small.toFixed(0)} ns/decision`);
console.log(`route, 10,000 managers, ${entries}:  median ${best.large.toFixed(0)} ns/decision (calls to 10 of them)`);
console.log(`ratio ${ratio.toFixed(2)} (must stay under 1.5): ${ratio < 1.5 ? 'ok' : 'TOO SLOW'}`);
console.log(
  `not gated: calls spread over all 10,000 managers: median ${best.spread.toFixed(0)} ns/decision ` +
    `(ratio ${(best.spread / best.small).toFixed(2)}: cold caches, not a scan)`,
);
if (ratio >= 1.5) process.exitCode = 1;
