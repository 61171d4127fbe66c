/**
 * The call history file, bounded:
 * - entries come back newest first, filtered by manager, time and visibility, up to `limit`
 * - at `keep` entries history.jsonl becomes history.1.jsonl: between keep and 2*keep are kept
 * - a reopened history reads both files; a line torn by a crash is skipped
 */
import t from 'tap';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallHistory, type HistoryEntry } from '../../src/http/call-history.js';

const entry = (i: number, managerId: string | null): HistoryEntry => ({
  id: `c${i}`,
  managerId,
  caller: `0${i}`,
  callerName: '',
  called: '1000',
  started: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  ended: new Date(Date.UTC(2026, 0, 1, 0, i, 30)).toISOString(),
  decision: { kind: 'manager', reason: 'filter off' },
  outcome: 'answered by 81000',
  durationMs: 30_000,
});
const all = { isVisible: () => true, limit: 100 };

t.test('bounded, newest first, filtered, reread after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imad-history-'));
  const h = new CallHistory(dir, () => 3);
  for (let i = 1; i <= 7; i++) h.record(entry(i, i % 2 === 0 ? 'dave' : 'alice'));
  t.same(h.query(all).map((e) => e.id), ['c7', 'c6', 'c5', 'c4'], 'the last rotation kept 3 + 1');
  t.equal(readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').length, 1);
  t.equal(readFileSync(join(dir, 'history.1.jsonl'), 'utf8').trim().split('\n').length, 3);
  t.same(h.query({ ...all, manager: 'dave' }).map((e) => e.id), ['c6', 'c4']);
  t.same(h.query({ ...all, since: Date.UTC(2026, 0, 1, 0, 5), until: Date.UTC(2026, 0, 1, 0, 7) }).map((e) => e.id), ['c6', 'c5']);
  t.same(h.query({ ...all, limit: 2 }).map((e) => e.id), ['c7', 'c6']);
  t.same(h.query({ isVisible: (m) => m === 'alice', limit: 100 }).map((e) => e.id), ['c7', 'c5']);

  appendFileSync(join(dir, 'history.jsonl'), '{"id":"torn');
  const again = new CallHistory(dir, () => 3);
  t.same(again.query(all).map((e) => e.id), ['c7', 'c6', 'c5', 'c4'], 'the torn line is skipped');
});
