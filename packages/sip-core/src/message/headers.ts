/**
 * The header section of a message: an ordered list of (name, value) pairs as
 * received, looked up case-insensitively and by compact form, plus a cache of
 * typed values that are parsed on first read and dropped when the header changes.
 */
import { splitTopLevel } from './grammar.js';
import { canonicalName, prettyName } from './header-names.js';

export { canonicalName, prettyName };

/**
 * Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1): only
 * these may be split at commas or combined. Others (Date, WWW-Authenticate,
 * unknown headers) keep their commas.
 */
const LIST_HEADERS = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow', 'allow-events',
  'call-info', 'contact', 'content-encoding', 'content-language', 'diversion', 'error-info', 'history-info',
  'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path', 'privacy', 'proxy-require', 'reason',
  'record-route', 'reject-contact', 'remote-party-id', 'require', 'route', 'security-client', 'security-server',
  'security-verify', 'service-route', 'supported', 'unsupported', 'via', 'warning',
]);

export function isListHeader(canonical: string): boolean {
  return LIST_HEADERS.has(canonical);
}

export type HeaderInit = ReadonlyArray<readonly [string, string]>;

/** The constructor argument of fromParsed(), and the placeholder arrays it replaces at once. */
const ADOPT: HeaderInit = [];
const NO_LINES: string[] = [];
/** lines() of a header that is absent: shared, and never written to (the parsers only read their lines). */
const ABSENT: string[] = [];

/**
 * The headers parseMessage checks, in the order of their slots in the typed
 * values Headers keeps for them (read on every message, so found by position).
 */
export const CORE_KEYS = ['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length'] as const;
export type CoreSlot = 0 | 1 | 2 | 3 | 4 | 5 | 6;
const CORE_SLOT: Readonly<Record<string, CoreSlot>> = { via: 0, from: 1, to: 2, 'call-id': 3, cseq: 4, 'max-forwards': 5, 'content-length': 6 };
/** A core slot whose header was not parsed since it last changed (undefined is a value: an absent Max-Forwards). */
const UNREAD: unique symbol = Symbol('unread');

export class Headers {
  /** Names as received (or as given), values after unfolding, canonical keys. */
  #names: string[];
  #values: string[];
  #keys: string[];
  /** Typed values by canonical key: two small arrays, searched linearly (a message has a few). */
  #cacheKeys: string[] | undefined;
  #cacheValues: unknown[] | undefined;
  /** Typed values of the CORE_KEYS headers, by slot; undefined until the first is read. */
  #core: unknown[] | undefined;
  /** Whether any line was added, removed or replaced since construction (a parsed message's bytes are then stale). */
  #hasChanged = false;

  constructor(init?: HeaderInit) {
    // fromParsed() hands its own arrays over right after: none are made here for it.
    const isAdopting = init === ADOPT;
    this.#names = isAdopting ? NO_LINES : [];
    this.#values = isAdopting ? NO_LINES : [];
    this.#keys = isAdopting ? NO_LINES : [];
    if (init && !isAdopting) for (const [n, v] of init) this.append(n, v);
  }

  /**
   * Internal fast path for the parser: names already trimmed, keys already
   * canonical, and optionally typed values already parsed (the arrays are taken over).
   */
  static fromParsed(names: string[], keys: string[], values: string[], core?: unknown[]): Headers {
    const h = new Headers(ADOPT);
    h.#names = names;
    h.#keys = keys;
    h.#values = values;
    h.#core = core;
    return h;
  }

  /** True once a line was added, removed or replaced: the serializer then re-renders the header section. */
  get hasChanged(): boolean {
    return this.#hasChanged;
  }

  get size(): number {
    return this.#names.length;
  }

  has(name: string): boolean {
    return this.#keys.indexOf(canonicalName(name)) >= 0;
  }

  /** The first value of the header: for list headers, the first element of the list. */
  get(name: string): string | undefined {
    const key = canonicalName(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) return undefined;
    const v = this.#values[i]!;
    return LIST_HEADERS.has(key) && v.indexOf(',') >= 0 ? splitTopLevel(v)[0] : v;
  }

  /** Every value of the header in order; list headers are split at top-level commas. */
  getAll(name: string): string[] {
    const key = canonicalName(name);
    const list = LIST_HEADERS.has(key);
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] !== key) continue;
      const v = this.#values[i]!;
      if (list && v.indexOf(',') >= 0) out.push(...splitTopLevel(v));
      else out.push(v);
    }
    return out;
  }

  /** The header field lines of this header, unsplit (what the typed parsers read). */
  lines(key: string): string[] {
    let out: string[] | undefined;
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] === key) (out ??= []).push(this.#values[i]!);
    return out ?? ABSENT;
  }

  /** How many header field lines carry this header. */
  count(name: string): number {
    const key = canonicalName(name);
    let n = 0;
    for (const k of this.#keys) if (k === key) n++;
    return n;
  }

  /** Replace every occurrence with the given value(s), at the place of the first one (or at the end). */
  set(name: string, value: string | readonly string[]): this {
    const key = canonicalName(name);
    const values = typeof value === 'string' ? [value] : value;
    let at = this.#keys.indexOf(key);
    const keepName = at >= 0 ? this.#names[at]! : name;
    this.#removeKey(key);
    if (at < 0 || at > this.#keys.length) at = this.#keys.length;
    this.#names.splice(at, 0, ...values.map(() => keepName));
    this.#keys.splice(at, 0, ...values.map(() => key));
    this.#values.splice(at, 0, ...values);
    this.#invalidate(key);
    return this;
  }

  /** Add a header line after all others. */
  append(name: string, value: string): this {
    const key = canonicalName(name);
    this.#names.push(name);
    this.#keys.push(key);
    this.#values.push(value);
    this.#invalidate(key);
    return this;
  }

  /** Add a header line before the first line of the same header (or first of all): Via, Record-Route. */
  prepend(name: string, value: string): this {
    const key = canonicalName(name);
    let at = this.#keys.indexOf(key);
    if (at < 0) at = 0;
    this.#names.splice(at, 0, name);
    this.#keys.splice(at, 0, key);
    this.#values.splice(at, 0, value);
    this.#invalidate(key);
    return this;
  }

  /**
   * Remove the first element of a list header (the top Via, the first Route),
   * keeping the rest of its line when several values share it.
   */
  removeFirst(name: string): string | undefined {
    const key = canonicalName(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) return undefined;
    this.#invalidate(key);
    const v = this.#values[i]!;
    const parts = LIST_HEADERS.has(key) && v.indexOf(',') >= 0 ? splitTopLevel(v) : [v];
    if (parts.length > 1) {
      this.#values[i] = parts.slice(1).join(', ');
    } else {
      this.#names.splice(i, 1);
      this.#keys.splice(i, 1);
      this.#values.splice(i, 1);
    }
    return parts[0];
  }

  /** Remove every occurrence; returns how many lines were removed. */
  delete(name: string): number {
    const key = canonicalName(name);
    const n = this.#removeKey(key);
    if (n > 0) this.#invalidate(key);
    return n;
  }

  #removeKey(key: string): number {
    let n = 0;
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] === key) {
        this.#names.splice(i, 1);
        this.#keys.splice(i, 1);
        this.#values.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** [name as received, value] for every header line, in order. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i]!, this.#values[i]!];
  }

  /** Same as entries(), with the canonical key as well (for serializers and copies). */
  forEachLine(fn: (name: string, value: string, key: string) => void): void {
    for (let i = 0; i < this.#names.length; i++) fn(this.#names[i]!, this.#values[i]!, this.#keys[i]!);
  }

  /**
   * The typed value of a header, parsed on first read from its lines and
   * cached until the header changes. The parser throws SipParseError on bad input,
   * and nothing is cached then, so every read of a bad header throws again.
   */
  parsed<T>(key: string, parse: (lines: string[]) => T): T {
    const slot = CORE_SLOT[key];
    if (slot !== undefined) return this.core(slot, parse);
    const keys = this.#cacheKeys;
    if (keys !== undefined) {
      const i = keys.indexOf(key);
      if (i >= 0) return this.#cacheValues![i] as T;
    }
    const lines = this.lines(key);
    const value = parse(lines);
    // An absent header's value is cheap to make again, and not caching it keeps the cache arrays from growing.
    if (lines !== ABSENT) this.seed(key, value);
    return value;
  }

  /** The typed value of one of the CORE_KEYS headers: parsed(), by slot. */
  core<T>(slot: CoreSlot, parse: (lines: string[]) => T): T {
    const core = this.#core;
    if (core !== undefined) {
      const v = core[slot];
      if (v !== UNREAD) return v as T;
    }
    const value = parse(this.lines(CORE_KEYS[slot]));
    (this.#core ??= [UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, UNREAD, UNREAD])[slot] = value;
    return value;
  }

  seed(key: string, value: unknown): void {
    if (this.#cacheKeys === undefined) {
      this.#cacheKeys = [key];
      this.#cacheValues = [value];
    } else {
      this.#cacheKeys.push(key);
      this.#cacheValues!.push(value);
    }
  }

  #invalidate(key: string): void {
    this.#hasChanged = true;
    const slot = CORE_SLOT[key];
    if (slot !== undefined) {
      if (this.#core !== undefined) this.#core[slot] = UNREAD;
      return;
    }
    const keys = this.#cacheKeys;
    if (keys === undefined) return;
    const i = keys.indexOf(key);
    if (i >= 0) {
      keys.splice(i, 1);
      this.#cacheValues!.splice(i, 1);
    }
  }

  /** A deep copy of the header lines (the typed cache is not shared). */
  clone(): Headers {
    return Headers.fromParsed(this.#names.slice(), this.#keys.slice(), this.#values.slice());
  }
}
