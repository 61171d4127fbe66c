/**
 * The runtime state: everything managers, assistants and the phones change while IMA runs.
 * It is plain JSON-safe data (records, arrays, strings, numbers, booleans, null), so that
 * persist.ts can write it and read it back unchanged.
 */
import type {
  AlertingMode,
  AssistantAvailability,
  BlockAction,
  FallbackTarget,
  FilterMode,
  ForwardTarget,
  ManagerAvailability,
  PhoneState,
  TargetName,
} from './values.js';
import type { Schedule } from './schedule.js';

/** Where a call may be sent: one of the manager's named targets, or any number. */
export type Destination =
  | { readonly kind: 'target'; readonly target: TargetName }
  | { readonly kind: 'number'; readonly number: string };

/** "Forward all": off, to a named target, or to any number. */
export type Forward =
  | { readonly kind: 'off' }
  | { readonly kind: 'target'; readonly target: ForwardTarget }
  | { readonly kind: 'number'; readonly number: string };

/** How long a list entry lasts: for good, until an instant (epoch ms), or for one call. */
export type Expiry =
  | { readonly kind: 'never' }
  | { readonly kind: 'at'; readonly at: number }
  | { readonly kind: 'one-call' };

/** An entry of the whitelist, screen list or block list; `pattern` is canonical (numbers.ts). */
export interface ListEntry {
  readonly pattern: string;
  readonly expiry: Expiry;
}

/** A VIP entry: the caller goes to the named assistant rather than the pool. */
export interface VipEntry extends ListEntry {
  readonly assistantId: string;
}

/** A caller list keyed by canonical pattern, so that lookups never scan. */
export type EntryMap<E extends ListEntry = ListEntry> = Readonly<Record<string, E>>;

/** The four caller lists of one manager. */
export interface ManagerLists {
  readonly whitelist: EntryMap;
  readonly screen: EntryMap;
  readonly vip: EntryMap<VipEntry>;
  readonly block: EntryMap;
}

/** The runtime settings of one manager. */
export interface ManagerState {
  readonly isFilterOn: boolean;
  readonly filterMode: FilterMode;
  readonly availability: ManagerAvailability;
  readonly forward: Forward;
  readonly lists: ManagerLists;
  readonly blockAction: BlockAction;
  /** The active assistants, in alerting order; always a subset of the manager's pool. */
  readonly active: readonly string[];
  readonly alerting: AlertingMode;
  readonly noAnswerMs: number;
  readonly fallback: FallbackTarget;
  readonly schedule: Schedule | null;
}

/** The runtime settings of one assistant. */
export interface AssistantState {
  readonly availability: AssistantAvailability;
}

/** All runtime state: per manager, per assistant, and per monitored number (canonical form). */
export interface PolicyState {
  readonly managers: Readonly<Record<string, ManagerState>>;
  readonly assistants: Readonly<Record<string, AssistantState>>;
  readonly phones: Readonly<Record<string, PhoneState>>;
}

/** Empty caller lists. */
export const EMPTY_LISTS: ManagerLists = { whitelist: {}, screen: {}, vip: {}, block: {} };

/** True when an entry no longer applies at instant `now`. */
export function isExpired(entry: ListEntry, now: number): boolean {
  return entry.expiry.kind === 'at' && now >= entry.expiry.at;
}

/** A list split for lookups: exact patterns, prefix bodies, and the prefix lengths present (longest first). */
interface ListIndex<E extends ListEntry> {
  readonly exact: ReadonlyMap<string, E>;
  readonly prefixes: ReadonlyMap<string, E>;
  readonly lengths: readonly number[];
}

// State is immutable, so a list object's index never goes stale: build it once per object.
// A WeakMap is a memo, not state: it changes no result and lets go of lists nobody holds.
const indexes = new WeakMap<EntryMap<ListEntry>, ListIndex<ListEntry>>();

function indexOf<E extends ListEntry>(list: EntryMap<E>): ListIndex<E> {
  const cached = indexes.get(list) as ListIndex<E> | undefined;
  if (cached !== undefined) return cached;
  const exact = new Map<string, E>();
  const prefixes = new Map<string, E>();
  for (const [pattern, entry] of Object.entries(list)) {
    if (pattern.endsWith('*')) prefixes.set(pattern.slice(0, -1), entry);
    else exact.set(pattern, entry);
  }
  const lengths = [...new Set([...prefixes.keys()].map((body) => body.length))].sort((a, b) => b - a);
  const index: ListIndex<E> = { exact, prefixes, lengths };
  indexes.set(list, index);
  return index;
}

/**
 * The entry of `list` that a caller matches at `now`: an exact match on any of the caller's
 * keys first, then the longest prefix. Expired entries are skipped. The cost depends on the
 * caller's keys and the number of distinct prefix lengths, never on the size of the list.
 */
export function findEntry<E extends ListEntry>(list: EntryMap<E>, keys: readonly string[], now: number): E | undefined {
  const { exact, prefixes, lengths } = indexOf(list);
  for (const key of keys) {
    const entry = exact.get(key);
    if (entry !== undefined && !isExpired(entry, now)) return entry;
  }
  for (const key of keys) {
    for (const length of lengths) {
      const entry = length <= key.length ? prefixes.get(key.slice(0, length)) : undefined;
      if (entry !== undefined && !isExpired(entry, now)) return entry;
    }
  }
  return undefined;
}
