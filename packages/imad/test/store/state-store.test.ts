/**
 * The runtime state store (storage.dir):
 * - commits read back after reopening; an unchanged state writes nothing
 * - removed managers are removed; phone states are never stored
 * - a write cut short (no newline, or a damaged last line) was never acknowledged: dropped, file truncated
 * - a damaged line before the end, a gap in seq, or a damaged snapshot stop the start with IMAD_STORE_CORRUPT
 * - compaction: snapshot + empty journal read back the same; a crash between the two is harmless
 * - a second store on a folder in use is refused (IMAD_STORE_LOCKED); a stale lock is taken over
 * - a lock holding our own pid that this process does not hold (a restart after kill -9 in a
 *   container gets the same pid) is stale: taken over; one this process holds is still refused
 * - kill -9 of a real writer process at random moments loses no acknowledged commit
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagerState } from '@ima/ima-policy';
import { StateStore, StoreError } from '../../src/store/state-store.js';

const manager = (noAnswerMs: number, whitelist: string[] = []): ManagerState => ({
  isFilterOn: true,
  filterMode: 'inclusive',
  availability: 'available',
  forward: { kind: 'off' },
  lists: { whitelist: Object.fromEntries(whitelist.map((p) => [p, { pattern: p, expiry: { kind: 'never' } }])), screen: {}, vip: {}, block: {} },
  blockAction: 'voicemail',
  active: ['bob'],
  alerting: 'parallel',
  noAnswerMs,
  fallback: 'voicemail',
  schedule: null,
});
const folder = () => mkdtempSync(join(tmpdir(), 'imad-store-'));
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof StoreError ? err.code : 'other';
  }
  return undefined;
};

t.test('commits read back after reopening; nothing stored reads as undefined', async (t) => {
  const dir = folder();
  const first = StateStore.open(dir);
  t.equal(first.state, undefined, 'a new folder: the YAML values apply');
  first.store.commit({ managers: { alice: manager(20000) }, assistants: { bob: { availability: 'available' } }, phones: { '81000': 'busy' } });
  first.store.commit({ managers: { alice: manager(15000, ['+3902*']) }, assistants: { bob: { availability: 'away' } } });
  const seq = first.store.seq;
  first.store.commit({ managers: { alice: manager(15000, ['+3902*']) }, assistants: { bob: { availability: 'away' } } });
  t.equal(first.store.seq, seq, 'an unchanged state writes nothing');
  first.store.close();
  const again = StateStore.open(dir);
  t.same(again.state, { managers: { alice: manager(15000, ['+3902*']) }, assistants: { bob: { availability: 'away' } } });
  t.notOk('phones' in (again.state ?? {}), 'phone states are not stored');
  again.store.commit({ managers: {}, assistants: { bob: { availability: 'away' } } });
  again.store.close();
  t.same(StateStore.open(dir).state?.managers, {}, 'a removed manager stays removed');
});

t.test('a write cut short was never acknowledged: dropped, and the file truncated', async (t) => {
  for (const torn of ['{"seq":3,"managers":{}', '{"seq":3,"managers":{},"assistants":{}}\tdeadbeefdeadbeef\n']) {
    const dir = folder();
    const a = StateStore.open(dir);
    a.store.commit({ managers: { alice: manager(1000) }, assistants: {} });
    a.store.commit({ managers: { alice: manager(2000) }, assistants: {} });
    a.store.close();
    appendFileSync(join(dir, 'journal.jsonl'), torn);
    const b = StateStore.open(dir);
    t.equal(b.droppedTornWrite, true);
    t.equal(b.state?.managers.alice?.noAnswerMs, 2000);
    t.notMatch(readFileSync(join(dir, 'journal.jsonl'), 'utf8'), /"seq":3/, 'the torn record is gone from the file');
    b.store.commit({ managers: { alice: manager(3000) }, assistants: {} });
    b.store.close();
    t.equal(StateStore.open(dir).state?.managers.alice?.noAnswerMs, 3000, 'and the next commit follows cleanly');
  }
});

t.test('damage before the end, a gap, or a bad snapshot stop the start', async (t) => {
  const dir = folder();
  const a = StateStore.open(dir);
  for (const ms of [1000, 2000, 3000]) a.store.commit({ managers: { alice: manager(ms) }, assistants: {} });
  a.store.close();
  const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
  writeFileSync(join(dir, 'journal.jsonl'), journal.replace('"noAnswerMs":2000', '"noAnswerMs":9999'));
  t.equal(codeOf(() => StateStore.open(dir)), 'IMAD_STORE_CORRUPT', 'a changed byte in the middle');
  const lines = journal.split('\n');
  writeFileSync(join(dir, 'journal.jsonl'), [lines[0], lines[2], ''].join('\n'));
  t.equal(codeOf(() => StateStore.open(dir)), 'IMAD_STORE_CORRUPT', 'a missing record');
  writeFileSync(join(dir, 'journal.jsonl'), journal);
  writeFileSync(join(dir, 'state.json'), '{"seq": 1, "policy": {"version": 1, "state": {"managers": 5');
  t.equal(codeOf(() => StateStore.open(dir)), 'IMAD_STORE_CORRUPT', 'a snapshot that is not JSON');
  writeFileSync(join(dir, 'state.json'), '{"seq": 1, "policy": {"version": 99, "state": {}}}');
  t.equal(codeOf(() => StateStore.open(dir)), 'IMAD_STORE_CORRUPT', 'a snapshot from an unknown version');
  t.match(String((() => { try { StateStore.open(dir); } catch (e) { return (e as Error).message; } })()), /state\.json/, 'the message names the file');
});

t.test('compaction: a snapshot and an empty journal read back the same', async (t) => {
  const dir = folder();
  const a = StateStore.open(dir, { compactEvery: 3 });
  for (let i = 1; i <= 7; i++) a.store.commit({ managers: { alice: manager(i * 1000) }, assistants: { bob: { availability: i % 2 ? 'away' : 'available' } } });
  a.store.close();
  t.equal(readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').length, 1, 'one record since the last snapshot');
  const b = StateStore.open(dir);
  t.equal(b.state?.managers.alice?.noAnswerMs, 7000);
  t.equal(b.store.seq, 7);
  b.store.close();
  // A crash after the snapshot and before the journal reset: the old records are skipped.
  const c = StateStore.open(dir, { compactEvery: 1000 });
  c.store.commit({ managers: { alice: manager(8000) }, assistants: {} });
  const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
  c.store.compact();
  c.store.close();
  writeFileSync(join(dir, 'journal.jsonl'), journal);
  const d = StateStore.open(dir);
  t.equal(d.state?.managers.alice?.noAnswerMs, 8000);
  t.equal(d.store.seq, 8);
});

t.test('one daemon per folder: a live lock is refused, a stale one taken over', async (t) => {
  const dir = folder();
  const a = StateStore.open(dir);
  t.equal(codeOf(() => StateStore.open(dir, { isAlive: () => true })), 'IMAD_STORE_LOCKED');
  a.store.close();
  writeFileSync(join(dir, 'lock'), '999999');
  const b = StateStore.open(dir, { isAlive: () => false });
  t.ok(b.store, 'the lock of a dead process is taken over');
  b.store.close();
});

t.test('a lock with our own pid, left by an earlier process, is taken over', async (t) => {
  const dir = folder();
  // What kill -9 leaves behind when the restarted daemon gets the dead one's pid again.
  writeFileSync(join(dir, 'lock'), String(process.pid));
  const a = StateStore.open(dir, { isAlive: () => true });
  t.ok(a.store, 'taken over, although a process with that pid (ours) is alive');
  t.equal(readFileSync(join(dir, 'lock'), 'utf8'), String(process.pid), 'and the lock is ours now');
  t.equal(codeOf(() => StateStore.open(dir, { isAlive: () => false })), 'IMAD_STORE_LOCKED', 'a folder this process holds is still refused');
  a.store.close();
  const b = StateStore.open(dir);
  t.ok(b.store, 'closing lets it be opened again');
  b.store.close();
});

t.test('kill -9 at random moments loses no acknowledged commit', async (t) => {
  const writer = fileURLToPath(new URL('../fixtures/store-writer.mjs', import.meta.url));
  const dir = folder();
  let lastAck = 0;
  let lastPattern = '';
  for (let round = 0; round < 6; round++) {
    const child = spawn(process.execPath, [writer, dir, '7'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // Wait for the first acknowledgements, then kill at a random moment among the next ones.
    for (let waited = 0; !out.includes('ack ') && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 200)));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const acks = out.split('\n').filter((l) => l.startsWith('ack '));
    t.ok(acks.length > 0, `round ${round}: the writer acknowledged commits`);
    const last = acks[acks.length - 1]!.split(' ');
    lastAck = Number(last[1]);
    lastPattern = last[2]!;
    const { store, state } = StateStore.open(dir, { isAlive: () => false });
    // The acknowledged commit is there; at most the one being written when killed is beyond it.
    t.ok(store.seq === lastAck || store.seq === lastAck + 1, `round ${round}: seq ${store.seq} vs last ack ${lastAck}`);
    // Each commit replaces the whitelist with one entry, +39<n>: the state read back is exactly the
    // acknowledged commit, or the one after it (written whole, its ack not printed yet).
    const expected = store.seq === lastAck ? lastPattern : `+39${Number(lastPattern.slice(3)) + 1}`;
    t.same(Object.keys(state?.managers.alice?.lists.whitelist ?? {}), [expected], `round ${round}: the state of commit ${store.seq} is whole`);
    store.close();
  }
});
