/**
 * Runtime state on disk, under storage.dir: a snapshot plus an append-only
 * journal, so that `kill -9` at any moment loses no acknowledged change and
 * never leaves a half-written file.
 *
 *   state.json      {"seq": N, "policy": {version, state}}     written whole: tmp, fsync, rename, fsync dir
 *   journal.jsonl   one record per commit, seq N+1, N+2, ...   appended, fsync before commit() returns
 *   lock            the pid of the daemon using the folder; a lock whose process is gone is taken
 *                   over, and so is one holding our own pid that this process does not hold: in a
 *                   container, a daemon restarted after kill -9 often gets the same pid again
 *
 * A record carries the full new value of every manager and assistant whose
 * settings changed (null: removed), so replay needs no policy logic and no
 * directory. Phone states are live observations and are not stored.
 *
 * Opening: the snapshot, then every record with a higher seq, in order. A last
 * line without its newline or checksum is a write cut short by a crash: it was
 * never acknowledged, so it is dropped (and the file truncated). Anything else
 * that does not read (a bad line before the end, a gap in seq, a snapshot that
 * does not parse) stops the start with a StoreError that says which file and
 * what to do: a corrupt store must never silently reset someone's filter.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syncDir, writeAtomically } from './atomic-file.js';
import { type AssistantState, type ManagerState, type PolicyState, parseState, serializeState } from '@ima/ima-policy';

export type StoreErrorCode = 'IMAD_STORE_CORRUPT' | 'IMAD_STORE_LOCKED' | 'IMAD_STORE_IO';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** The part of the state that is stored: settings, not live phone states. */
export interface StoredState {
  readonly managers: Readonly<Record<string, ManagerState>>;
  readonly assistants: Readonly<Record<string, AssistantState>>;
}

interface JournalRecord {
  readonly seq: number;
  readonly managers: Readonly<Record<string, ManagerState | null>>;
  readonly assistants: Readonly<Record<string, AssistantState | null>>;
}

export interface StoreOptions {
  /** Write a new snapshot and start an empty journal after this many records (default 1000). */
  readonly compactEvery?: number;
  /** Whether a process with this pid is alive (injectable for tests). */
  readonly isAlive?: (pid: number) => boolean;
}

const SNAPSHOT = 'state.json';
const JOURNAL = 'journal.jsonl';
const LOCK = 'lock';

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseRecordLine(line: string): JournalRecord | undefined {
  const tab = line.lastIndexOf('\t');
  if (tab < 0) return undefined;
  const body = line.slice(0, tab);
  if (checksum(body) !== line.slice(tab + 1)) return undefined;
  try {
    const r = JSON.parse(body) as JournalRecord;
    return Number.isSafeInteger(r.seq) && typeof r.managers === 'object' && typeof r.assistants === 'object' ? r : undefined;
  } catch {
    return undefined;
  }
}

function apply<T>(base: Readonly<Record<string, T>>, changes: Readonly<Record<string, T | null>>): Record<string, T> {
  const out: Record<string, T> = { ...base };
  for (const [id, value] of Object.entries(changes)) {
    if (value === null) delete out[id];
    else out[id] = value;
  }
  return out;
}

/** What changed between two states, entity by entity (states are immutable: unchanged entities keep their object). */
function diff<T>(before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>): Record<string, T | null> {
  const out: Record<string, T | null> = {};
  for (const [id, value] of Object.entries(after)) if (before[id] !== value && JSON.stringify(before[id]) !== JSON.stringify(value)) out[id] = value;
  for (const id of Object.keys(before)) if (!(id in after)) out[id] = null;
  return out;
}

export class StateStore {
  readonly dir: string;
  readonly #compactEvery: number;
  #fd: number;
  #seq: number;
  #sinceSnapshot: number;
  #state: StoredState;
  #closed = false;
  /** The folders this process holds the lock of (resolved paths): our pid in a lock file means "ours" only for these. */
  static readonly #held = new Set<string>();

  private constructor(dir: string, fd: number, seq: number, sinceSnapshot: number, state: StoredState, compactEvery: number) {
    this.dir = dir;
    this.#fd = fd;
    this.#seq = seq;
    this.#sinceSnapshot = sinceSnapshot;
    this.#state = state;
    this.#compactEvery = compactEvery;
  }

  /**
   * Open (creating the folder if needed) and read back what was stored.
   * `state` is undefined when nothing was ever stored: the YAML's initial values apply.
   * Throws StoreError when the folder is locked by a live process or the store is corrupt.
   */
  static open(dir: string, opts: StoreOptions = {}): { store: StateStore; state: StoredState | undefined; droppedTornWrite: boolean } {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError('IMAD_STORE_IO', `cannot create storage folder ${dir}: ${(err as Error).message}`, { cause: err });
    }
    StateStore.#lock(dir, opts.isAlive ?? processAlive);
    try {
      return StateStore.#read(dir, opts.compactEvery ?? 1000);
    } catch (err) {
      StateStore.#unlock(dir);
      throw err;
    }
  }

  static #lock(dir: string, isAlive: (pid: number) => boolean): void {
    const path = join(dir, LOCK);
    if (StateStore.#held.has(resolve(dir))) throw new StoreError('IMAD_STORE_LOCKED', `${dir} is already open in this process`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        StateStore.#held.add(resolve(dir));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StoreError('IMAD_STORE_IO', `cannot lock ${path}: ${(err as Error).message}`, { cause: err });
        }
        const pid = Number(readFileSync(path, 'utf8').trim());
        // Our own pid, in a folder this process does not hold: left by an earlier process that had our pid.
        if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new StoreError('IMAD_STORE_LOCKED', `${dir} is in use by process ${pid} (another imad?): stop it first`);
        }
        // A stale lock: its process is gone (killed, crashed), or it was an earlier holder of our pid. Take it over.
        unlinkSync(path);
      }
    }
    throw new StoreError('IMAD_STORE_LOCKED', `cannot lock ${path}`);
  }

  static #unlock(dir: string): void {
    StateStore.#held.delete(resolve(dir));
    try {
      unlinkSync(join(dir, LOCK));
    } catch {
      // already gone
    }
  }

  static #read(dir: string, compactEvery: number): { store: StateStore; state: StoredState | undefined; droppedTornWrite: boolean } {
    const snapPath = join(dir, SNAPSHOT);
    let seq = 0;
    let state: StoredState | undefined;
    if (existsSync(snapPath)) {
      const text = readFileSync(snapPath, 'utf8');
      let doc: { seq?: unknown; policy?: unknown };
      try {
        doc = JSON.parse(text) as typeof doc;
      } catch (err) {
        throw new StoreError('IMAD_STORE_CORRUPT', `${snapPath} is not valid JSON (${(err as Error).message}): restore it from a backup, or remove the folder to start from the YAML's values`);
      }
      const loaded = parseState(JSON.stringify(doc.policy));
      if (!Number.isSafeInteger(doc.seq) || !loaded.ok) {
        throw new StoreError('IMAD_STORE_CORRUPT', `${snapPath} does not hold a valid state (${loaded.ok ? 'bad seq' : loaded.reason}): restore it from a backup, or remove the folder to start from the YAML's values`);
      }
      seq = doc.seq as number;
      state = { managers: loaded.state.managers, assistants: loaded.state.assistants };
    }
    const journalPath = join(dir, JOURNAL);
    const text = existsSync(journalPath) ? readFileSync(journalPath, 'utf8') : '';
    const lines = text.split('\n');
    const tail = lines.pop() ?? ''; // after the last newline: empty, or a write cut short
    let droppedTornWrite = tail.length > 0;
    let goodBytes = text.length - tail.length;
    let applied = 0;
    for (let i = 0; i < lines.length; i++) {
      const record = parseRecordLine(lines[i]!);
      if (record === undefined) {
        if (i === lines.length - 1 && tail.length === 0) {
          // The last line, newline written but its bytes not all on disk: also never acknowledged.
          droppedTornWrite = true;
          goodBytes -= lines[i]!.length + 1;
          break;
        }
        throw new StoreError('IMAD_STORE_CORRUPT', `${journalPath} line ${i + 1} is damaged: restore the folder from a backup, or remove it to start from the YAML's values`);
      }
      if (record.seq <= seq) continue; // already in the snapshot (a crash between snapshot and journal reset)
      if (record.seq !== seq + 1) throw new StoreError('IMAD_STORE_CORRUPT', `${journalPath} line ${i + 1}: record ${record.seq} follows ${seq}: records are missing`);
      const base = state ?? { managers: {}, assistants: {} };
      state = { managers: apply(base.managers, record.managers), assistants: apply(base.assistants, record.assistants) };
      seq = record.seq;
      applied++;
    }
    let fd: number;
    try {
      fd = openSync(journalPath, 'a+', 0o600);
      if (droppedTornWrite) {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, goodBytes)));
        fsyncSync(fd);
      }
    } catch (err) {
      throw new StoreError('IMAD_STORE_IO', `cannot open ${journalPath}: ${(err as Error).message}`, { cause: err });
    }
    const store = new StateStore(dir, fd, seq, applied, state ?? { managers: {}, assistants: {} }, compactEvery);
    return { store, state, droppedTornWrite };
  }

  /** The sequence number of the last acknowledged commit. */
  get seq(): number {
    return this.#seq;
  }

  /**
   * Store the settings of `next`. When this returns, the change is on disk
   * (fsync'd); it throws StoreError (IMAD_STORE_IO) when it is not, and then the
   * caller must not acknowledge the change. A state equal to the stored one writes nothing.
   */
  commit(next: PolicyState | StoredState): void {
    if (this.#closed) throw new StoreError('IMAD_STORE_IO', 'the store is closed');
    const managers = diff(this.#state.managers, next.managers);
    const assistants = diff(this.#state.assistants, next.assistants);
    if (Object.keys(managers).length === 0 && Object.keys(assistants).length === 0) return;
    const record: JournalRecord = { seq: this.#seq + 1, managers, assistants };
    const body = JSON.stringify(record);
    try {
      writeSync(this.#fd, `${body}\t${checksum(body)}\n`);
      fsyncSync(this.#fd);
    } catch (err) {
      throw new StoreError('IMAD_STORE_IO', `cannot write ${join(this.dir, JOURNAL)}: ${(err as Error).message}`, { cause: err });
    }
    this.#seq = record.seq;
    this.#state = { managers: next.managers, assistants: next.assistants };
    if (++this.#sinceSnapshot >= this.#compactEvery) this.compact();
  }

  /** Write the whole state as a new snapshot and start an empty journal (bounds the journal and the replay time). */
  compact(): void {
    const policy = JSON.parse(serializeState({ managers: this.#state.managers, assistants: this.#state.assistants, phones: {} })) as unknown;
    try {
      writeAtomically(this.dir, SNAPSHOT, JSON.stringify({ seq: this.#seq, policy }));
      // A crash here leaves the old journal beside the new snapshot: its records are <= seq and skipped on open.
      closeSync(this.#fd);
      writeFileSync(join(this.dir, `${JOURNAL}.tmp`), '', { mode: 0o600 });
      renameSync(join(this.dir, `${JOURNAL}.tmp`), join(this.dir, JOURNAL));
      syncDir(this.dir);
      this.#fd = openSync(join(this.dir, JOURNAL), 'a+', 0o600);
    } catch (err) {
      throw new StoreError('IMAD_STORE_IO', `cannot compact the store in ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    this.#sinceSnapshot = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      closeSync(this.#fd);
    } finally {
      StateStore.#unlock(this.dir);
    }
  }
}
