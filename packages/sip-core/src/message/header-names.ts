/**
 * Header names: compact forms, canonical (lower-case, full) names, pretty
 * names, and what the parser needs to know of each name it receives.
 */
import { isToken } from './grammar.js';

/** RFC 3261 §7.3.3 and later RFCs: compact form -> full name (lower case). */
const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** Pretty names used when code adds a header by its canonical or compact name. */
const PRETTY: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity', 'remote-party-id': 'Remote-Party-ID', 'rseq': 'RSeq', 'rack': 'RAck',
};

const canonicalCache = new Map<string, string>();

/** The canonical (lower-case, full) name of a header name or compact form. */
export function canonicalName(name: string): string {
  const hit = canonicalCache.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const full = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  // Bounded: names come from the network, and an unbounded cache would be a memory leak.
  if (canonicalCache.size < 2048) canonicalCache.set(name, full);
  return full;
}

/** "content-type" -> "Content-Type", with the usual exceptions (Call-ID, CSeq...). */
export function prettyName(canonical: string): string {
  return PRETTY[canonical] ?? canonical.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** The headers parseMessage checks itself (RFC 3261 §8.1.1, §18.3), by small numbers. */
export const CoreHeader = {
  Other: 0,
  Via: 1,
  From: 2,
  To: 3,
  CallId: 4,
  CSeq: 5,
  MaxForwards: 6,
  ContentLength: 7,
} as const;
export type CoreHeader = (typeof CoreHeader)[keyof typeof CoreHeader];

const CORE: Record<string, CoreHeader> = {
  via: CoreHeader.Via,
  from: CoreHeader.From,
  to: CoreHeader.To,
  'call-id': CoreHeader.CallId,
  cseq: CoreHeader.CSeq,
  'max-forwards': CoreHeader.MaxForwards,
  'content-length': CoreHeader.ContentLength,
};

/** What the parser needs to know of a header name as received. */
export interface NameInfo {
  /** The name as first received in this spelling (shared by every line that spells it so). */
  readonly name: string;
  /** The canonical key. */
  readonly key: string;
  readonly core: CoreHeader;
}

const infoCache = new Map<string, NameInfo>();

/**
 * The NameInfo of a received header name, or undefined when it is not a token.
 * Cached by spelling: a name is checked and lower-cased once, not on every line.
 */
export function nameInfo(name: string): NameInfo | undefined {
  const hit = infoCache.get(name);
  if (hit !== undefined) return hit;
  if (!isToken(name)) return undefined;
  const key = canonicalName(name);
  const info: NameInfo = { name, key, core: CORE[key] ?? CoreHeader.Other };
  // Bounded: names come from the network, and an unbounded cache would be a memory leak.
  if (infoCache.size < 2048) infoCache.set(name, info);
  return info;
}

/** A spelling seen followed at once by ":", as text and as octets. */
interface KnownName {
  readonly withColon: string;
  readonly octets: Uint8Array;
  readonly info: NameInfo;
}

/**
 * Spellings seen so far followed at once by ":" ("Via:", "CSeq:"), by their
 * first two characters: the parser finds a known line's name and colon
 * without building a string.
 */
const byStart: Array<KnownName[] | undefined> = new Array<KnownName[] | undefined>(32 * 32).fill(undefined);
let remembered = 0;

function startSlot(text: string, pos: number): number {
  return ((text.charCodeAt(pos) & 0x1f) << 5) | (text.charCodeAt(pos + 1) & 0x1f);
}

/** The NameInfo of a line starting at pos with a name seen before and its colon, else undefined. */
export function knownNameAt(text: string, pos: number): NameInfo | undefined {
  const seen = byStart[startSlot(text, pos)];
  if (seen === undefined) return undefined;
  for (let k = 0; k < seen.length; k++) if (text.startsWith(seen[k]!.withColon, pos)) return seen[k]!.info;
  return undefined;
}

/**
 * knownNameAt() over the octets the text was decoded from one octet per
 * character (ASCII or latin1): comparing octets costs a fraction of startsWith().
 */
export function knownNameIn(octets: Uint8Array, at: number): NameInfo | undefined {
  const seen = byStart[((octets[at]! & 0x1f) << 5) | (octets[at + 1]! & 0x1f)];
  if (seen === undefined) return undefined;
  for (let k = 0; k < seen.length; k++) {
    const name = seen[k]!.octets;
    let j = 0;
    while (j < name.length && octets[at + j] === name[j]) j++;
    if (j === name.length) return seen[k]!.info;
  }
  return undefined;
}

/** Remember a name that was followed at once by its colon, for knownNameAt(). */
export function rememberName(info: NameInfo): void {
  // Bounded like nameInfo's cache: names come from the network.
  if (remembered >= 2048) return;
  const withColon = info.name + ':';
  // A name is a token (ASCII), so its octets are its characters.
  (byStart[startSlot(withColon, 0)] ??= []).push({ withColon, octets: Buffer.from(withColon, 'latin1'), info });
  remembered++;
}
