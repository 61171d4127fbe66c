/**
 * Strings kept for a long time (a call's dialog state, a transaction's keys)
 * should not hold on to more than themselves. V8 cuts a substring of 13 or
 * more characters out of its parent without copying (a sliced string that
 * keeps the whole parent alive: a parsed message's header section), and
 * joins strings into ropes (a tree of parts). ownString makes a flat copy.
 */

/** V8 makes neither slices nor ropes shorter than this (SlicedString::kMinLength, ConsString::kMinLength). */
const MIN_SHARED_LENGTH = 13;

/** A flat copy of `s` that shares no memory with another string (`s` itself when it is too short to share). */
export function ownString(s: string): string {
  // A JSON round trip copies every UTF-16 code unit exactly, lone surrogates included.
  return s.length < MIN_SHARED_LENGTH ? s : (JSON.parse(JSON.stringify(s)) as string);
}
