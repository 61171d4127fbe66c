/**
 * The call history: one JSON line per ended call, in history.jsonl under storage.dir. When it
 * holds `keep` entries it becomes history.1.jsonl (the older one is dropped), so the history
 * keeps between `keep` and 2*`keep` calls and each write is one append. Both files are read at
 * start; a line cut short by a crash is skipped.
 */
import { appendFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir } from '../store/atomic-file.js';

export interface HistoryEntry {
  readonly id: string;
  readonly managerId: string | null;
  readonly caller: string;
  readonly callerName: string;
  readonly called: string;
  /** ISO 8601. */
  readonly started: string;
  readonly ended: string;
  readonly decision: { readonly kind: string; readonly reason: string };
  /** "answered by 2000 (assistant bob)", "cancelled by the caller", "rejected 486", ... */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface HistoryQuery {
  readonly isVisible: (managerId: string | null) => boolean;
  readonly manager?: string | undefined;
  /** Epoch ms; entries that started at or after. */
  readonly since?: number | undefined;
  /** Epoch ms; entries that started before. */
  readonly until?: number | undefined;
  readonly limit: number;
}

const CURRENT = 'history.jsonl';
const PREVIOUS = 'history.1.jsonl';

function readLines(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  const out: HistoryEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // A torn last line (a crash mid-append): the call is lost, the rest is kept.
    }
  }
  return out;
}

export class CallHistory {
  readonly #dir: string;
  /** Read at each write, so that a reload's http.history.keep applies at the next rotation. */
  readonly #keep: () => number;
  #previous: HistoryEntry[];
  #current: HistoryEntry[];

  constructor(dir: string, keep: () => number) {
    this.#dir = dir;
    this.#keep = keep;
    this.#previous = readLines(join(dir, PREVIOUS));
    this.#current = readLines(join(dir, CURRENT));
  }

  record(entry: HistoryEntry): void {
    if (this.#current.length >= this.#keep()) {
      renameSync(join(this.#dir, CURRENT), join(this.#dir, PREVIOUS));
      syncDir(this.#dir);
      this.#previous = this.#current;
      this.#current = [];
    }
    appendFileSync(join(this.#dir, CURRENT), JSON.stringify(entry) + '\n', { mode: 0o600 });
    this.#current.push(entry);
  }

  /** Newest first. */
  query(q: HistoryQuery): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (const list of [this.#current, this.#previous]) {
      for (let i = list.length - 1; i >= 0 && out.length < q.limit; i--) {
        const e = list[i]!;
        const started = Date.parse(e.started);
        if (q.manager !== undefined && e.managerId !== q.manager) continue;
        if (q.since !== undefined && started < q.since) continue;
        if (q.until !== undefined && started >= q.until) continue;
        if (q.isVisible(e.managerId)) out.push(e);
      }
    }
    return out;
  }
}
