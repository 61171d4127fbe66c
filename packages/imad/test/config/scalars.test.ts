/**
 * Each value reader on its own, over `value: <yaml>` documents:
 * - text: strings pass; numbers and booleans get a quote hint with the text as written; empty and
 *   non-scalars are refused
 * - identifier, phoneNumber: their character rules
 * - oneOf: members pass, near misses get a hint, others list the members
 * - onOff: on/off/true/false in any case, quoted or not; anything else refused
 * - duration: units, 0, bounds, and a bare number asks for a unit
 * - wholeNumber: bounds, quoted numbers told to drop the quotes
 * - listOf / entriesOf: empty (nothing) lists, minimum length, one bad item fails the list but
 *   every bad item is reported; a scalar is told to be written as a list
 */
import t from 'tap';
import { LineCounter, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { duration, entriesOf, identifier, listOf, oneOf, onOff, phoneNumber, text, wholeNumber } from '../../src/config/scalars.js';
import { Walk } from '../../src/config/walk.js';
import type { Reader } from '../../src/config/walk.js';

/** Reads the value of `value: <yaml>` with `reader`: the value, or the problems as `COL: message`. */
function read<T>(reader: Reader<T>, yaml: string): T | string[] {
  const source = `value: ${yaml}\n`;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const walk = new Walk(source, lineCounter);
  const pair = (doc.contents as { items: Pair<Node, Node | null>[] }).items[0];
  const value = walk.read(pair?.value ?? null, 'value', reader);
  if (walk.problems.length > 0) return walk.problems.map((p) => `${p.column}: ${p.message}`);
  if (value === undefined) throw new Error('undefined without a problem');
  return value;
}

t.test('text', async (t) => {
  t.equal(read(text, 'Alice Rossi'), 'Alice Rossi');
  t.equal(read(text, '"1000"'), '1000');
  t.same(read(text, '1000'), ['8: value: 1000 is a YAML number, which loses a leading 0 or +: quote it, as "1000"']);
  t.same(read(text, '+3902'), ['8: value: +3902 is a YAML number, which loses a leading 0 or +: quote it, as "+3902"']);
  t.same(read(text, '1.50'), ['8: value: 1.50 is a YAML number, which loses a leading 0 or +: quote it, as "1.50"']);
  t.same(read(text, 'false'), ['8: value: false is true/false, not text: quote it, as "false"']);
  t.same(read(text, '"  "'), ['8: value: must not be empty']);
  t.same(read(text, ''), ['8: value: must be text, not empty']);
  t.same(read(text, '[ a ]'), ['8: value: must be text, not a list']);
  t.same(read(text, '{ a: 1 }'), ['8: value: must be text, not a mapping']);
});

t.test('identifier and phoneNumber', async (t) => {
  t.equal(read(identifier, 'alice.rossi@corp-1_x'), 'alice.rossi@corp-1_x');
  t.same(read(identifier, 'x'.repeat(65)), [`8: value: "${'x'.repeat(65)}" must be 1 to 64 letters, digits or _.@- (no spaces)`]);
  t.same(read(identifier, 'àlice'), ['8: value: "àlice" must be 1 to 64 letters, digits or _.@- (no spaces)']);
  t.equal(read(phoneNumber, '"+39 (02) 123-45.67"'), '+39 (02) 123-45.67');
  t.same(read(phoneNumber, '"12a"'), ['8: value: "12a" is not a phone number (digits, optionally starting with +)']);
  t.same(read(phoneNumber, '"1+2"'), ['8: value: "1+2" is not a phone number (digits, optionally starting with +)']);
});

t.test('oneOf', async (t) => {
  const mode = oneOf(['parallel', 'sequential', 'first-available'] as const);
  t.equal(read(mode, 'sequential'), 'sequential');
  t.same(read(mode, 'paralel'), ['8: value: "paralel" is not one of parallel, sequential, first-available (did you mean "parallel"?)']);
  t.same(read(mode, 'random'), ['8: value: "random" is not one of parallel, sequential, first-available']);
  t.same(read(mode, '3'), ['8: value: "3" is not one of parallel, sequential, first-available']);
  t.same(read(mode, ''), ['8: value: empty is not one of parallel, sequential, first-available']);
});

t.test('onOff', async (t) => {
  for (const [yaml, value] of [['on', true], ['off', false], ['true', true], ['false', false], ['"on"', true], ['ON', true], ['False', false]] as const) {
    t.equal(read(onOff, yaml), value, yaml);
  }
  t.same(read(onOff, 'yes'), ['8: value: "yes" must be on, off, true or false']);
  t.same(read(onOff, '1'), ['8: value: "1" must be on, off, true or false']);
  t.same(read(onOff, ''), ['8: value: empty must be on, off, true or false']);
});

t.test('duration', async (t) => {
  const d = duration(1_000, 300_000);
  t.equal(read(d, '20s'), 20_000);
  t.equal(read(d, '1m30s'), 90_000);
  t.equal(read(d, '"5m"'), 300_000);
  t.same(read(d, '0'), ['8: value: 0 must be from 1s to 5m']);
  t.same(read(d, '5m1ms'), ['8: value: 5m1ms must be from 1s to 5m']);
  t.same(read(d, '20'), ['8: value: "20" is not a duration: add a unit, as 20s, 500ms or 2m']);
  t.same(read(d, '20 s'), ['8: value: "20 s" is not a duration (use 20s, 500ms, 2m, 1m30s or 0)']);
  t.same(read(d, ''), ['8: value: empty is not a duration (use 20s, 500ms, 2m, 1m30s or 0)']);
  t.equal(read(duration(0, 1000), '0'), 0);
});

t.test('wholeNumber', async (t) => {
  const n = wholeNumber(1, 15);
  t.equal(read(n, '6'), 6);
  t.same(read(n, '0'), ['8: value: "0" must be a whole number from 1 to 15']);
  t.same(read(n, '2.5'), ['8: value: "2.5" must be a whole number from 1 to 15']);
  t.same(read(n, '"6"'), ['8: value: "6" is quoted: write it without quotes, as 6']);
  t.same(read(n, 'six'), ['8: value: "six" must be a whole number from 1 to 15']);
});

t.test('listOf and entriesOf', async (t) => {
  t.same(read(listOf(identifier), '[ a, b ]'), ['a', 'b']);
  t.same(read(listOf(identifier), ''), [], 'nothing is an empty list');
  t.same(read(listOf(identifier), '[]'), []);
  t.same(read(listOf(identifier, 1), ''), ['8: value: must list at least one entry']);
  t.same(read(listOf(identifier, 2), '[ a ]'), ['8: value: must list at least 2 entries']);
  t.same(read(listOf(identifier), 'a'), ['8: value: must be a list, not text: write [ a ]']);
  t.same(read(listOf(identifier), '{ a: 1 }'), ['8: value: must be a list, not a mapping']);
  t.same(read(listOf(phoneNumber), '[ 1, "2", 3 ]'), [
    '10: value[0]: 1 is a YAML number, which loses a leading 0 or +: quote it, as "1"',
    '18: value[2]: 3 is a YAML number, which loses a leading 0 or +: quote it, as "3"',
  ]);
  const entries = read(entriesOf(phoneNumber), '[ "1", x ]');
  t.same(entries, ['15: value[1]: "x" is not a phone number (digits, optionally starting with +)']);
});
