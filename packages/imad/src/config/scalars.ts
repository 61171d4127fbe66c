/**
 * Readers of single values: text, numbers written as text, durations, on/off, enums, whole
 * numbers, lists. Each reports what is wrong at the value's position and returns undefined.
 */
import { isSeq, isScalar } from 'yaml';
import type { Node, Scalar } from 'yaml';
import { isDiallable } from '@ima/ima-policy';
import { formatDuration, parseDuration } from './duration.js';
import type { Parsed } from './net.js';
import { suggest } from './suggest.js';
import { child, describe } from './walk.js';
import type { Reader, Walk } from './walk.js';

function scalarOf(node: Node | null): Scalar | undefined {
  return node !== null && isScalar(node) ? node : undefined;
}

/** How to fix a value that YAML read as a number or true/false although text was meant. */
function quoteHint(walk: Walk, node: Node): string {
  const written = walk.sourceOf(node);
  const scalar = scalarOf(node);
  if (typeof scalar?.value === 'number') {
    return `${written} is a YAML number, which loses a leading 0 or +: quote it, as "${written}"`;
  }
  return `${written} is ${describe(node)}, not text: quote it, as "${written}"`;
}

/** Non-empty text. A number or true/false is refused with a hint to quote it. */
export const text: Reader<string> = (walk, node, path) => {
  const scalar = scalarOf(node);
  if (scalar === undefined || scalar.value === null) {
    walk.report(node, path, `must be text, not ${describe(node)}`);
    return undefined;
  }
  if (typeof scalar.value !== 'string') {
    walk.report(node, path, quoteHint(walk, scalar));
    return undefined;
  }
  if (scalar.value.trim() === '') {
    walk.report(node, path, 'must not be empty');
    return undefined;
  }
  return scalar.value;
};

/** Text that passes `check` (which gives a message, or undefined when the text is fine). */
export function textWhere(check: (value: string) => string | undefined): Reader<string> {
  return (walk, node, path) => {
    const value = text(walk, node, path);
    if (value === undefined) return undefined;
    const problem = check(value);
    if (problem === undefined) return value;
    walk.report(node, path, problem);
    return undefined;
  };
}

/** Text parsed into a value. */
export function parsedText<T>(parse: (value: string) => Parsed<T>): Reader<T> {
  return (walk, node, path) => {
    const value = text(walk, node, path);
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed.ok) return parsed.value;
    walk.report(node, path, `"${value}": ${parsed.message}`);
    return undefined;
  };
}

const ID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** An id or login: 1 to 64 letters, digits or `_.@-`. */
export const identifier: Reader<string> = textWhere((value) =>
  ID.test(value) ? undefined : `"${value}" must be 1 to 64 letters, digits or _.@- (no spaces)`,
);

/** A phone number: digits with an optional leading +, separators allowed. Must be quoted. */
export const phoneNumber: Reader<string> = textWhere((value) =>
  isDiallable(value) ? undefined : `"${value}" is not a phone number (digits, optionally starting with +)`,
);

/** One of `values`; a near miss gets a hint. */
export function oneOf<T extends string>(values: readonly T[]): Reader<T> {
  return (walk, node, path) => {
    const scalar = scalarOf(node);
    const value = scalar?.value;
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    const shown = scalar !== undefined && value !== null ? `"${walk.sourceOf(scalar)}"` : describe(node);
    const hint = typeof value === 'string' ? suggest(value, values) : undefined;
    const help = hint === undefined ? '' : ` (did you mean "${hint}"?)`;
    walk.report(node, path, `${shown} is not one of ${values.join(', ')}${help}`);
    return undefined;
  };
}

/**
 * on/off or true/false, in any case. YAML 1.2 reads `on` and `off` as text and `true`/`false`
 * as booleans; both are accepted.
 */
export const onOff: Reader<boolean> = (walk, node, path) => {
  const value = scalarOf(node)?.value;
  if (typeof value === 'boolean') return value;
  const word = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (word === 'on' || word === 'true') return true;
  if (word === 'off' || word === 'false') return false;
  const shown = typeof value === 'string' || typeof value === 'number' ? `"${String(value)}"` : describe(node);
  walk.report(node, path, `${shown} must be on, off, true or false`);
  return undefined;
};

/** A duration (`20s`, `500ms`, `2m`, `0`) within [minMs, maxMs], in milliseconds. */
export function duration(minMs: number, maxMs: number): Reader<number> {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  return (walk, node, path) => {
    const scalar = scalarOf(node);
    const value = scalar?.value;
    let ms: number | undefined;
    if (value === 0) ms = 0;
    else if (typeof value === 'string') ms = parseDuration(value);
    if (ms === undefined) {
      const written = scalar === undefined || value === null ? describe(node) : `"${walk.sourceOf(scalar)}"`;
      const unit = typeof value === 'number' ? ': add a unit, as 20s, 500ms or 2m' : ' (use 20s, 500ms, 2m, 1m30s or 0)';
      walk.report(node, path, `${written} is not a duration${unit}`);
      return undefined;
    }
    if (ms < minMs || ms > maxMs) {
      walk.report(node, path, `${formatDuration(ms)} must be ${range}`);
      return undefined;
    }
    return ms;
  };
}

/** A whole number within [min, max], written as a YAML number. */
export function wholeNumber(min: number, max: number): Reader<number> {
  return (walk, node, path) => {
    const value = scalarOf(node)?.value;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    if (typeof value === 'string' && /^\d+$/.test(value)) {
      walk.report(node, path, `"${value}" is quoted: write it without quotes, as ${value}`);
      return undefined;
    }
    const shown = typeof value === 'number' || typeof value === 'string' ? `"${String(value)}"` : describe(node);
    walk.report(node, path, `${shown} must be a whole number from ${min} to ${max}`);
    return undefined;
  };
}

/**
 * The entries of a list, each read with `item` (undefined where invalid, and reported); `key:`
 * with nothing is an empty list. Undefined when the node is not a list.
 */
export function entriesOf<T>(item: Reader<T>): Reader<(T | undefined)[]> {
  return (walk, node, path) => {
    const scalar = scalarOf(node);
    if (node === null || (scalar !== undefined && scalar.value === null)) return [];
    if (!isSeq(node)) {
      const hint = scalar !== undefined ? `: write [ ${walk.sourceOf(node)} ]` : '';
      walk.report(node, path, `must be a list, not ${describe(node)}${hint}`);
      return undefined;
    }
    return node.items.map((entry, i) => walk.read(entry as Node | null, child(path, i), item));
  };
}

/**
 * A list of items read with `item`. Undefined when the list or any item is invalid (each is
 * reported). With `minItems`, a shorter list is reported.
 */
export function listOf<T>(item: Reader<T>, minItems = 0): Reader<T[]> {
  const read = entriesOf(item);
  return (walk, node, path) => {
    const values = read(walk, node, path);
    if (values === undefined) return undefined;
    if (values.length < minItems) {
      walk.report(node, path, `must list at least ${minItems === 1 ? 'one entry' : `${minItems} entries`}`);
      return undefined;
    }
    return values.every((v) => v !== undefined) ? (values as T[]) : undefined;
  };
}
