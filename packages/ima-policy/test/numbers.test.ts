/**
 * Number normalisation and list matching (docs/policy.md, "Numbers"):
 * - separators are dropped; "+E.164" stays; non-numbers ("anonymous") stay as cleaned
 * - extensions (at most extensionMaxLength digits) are never rewritten
 * - the international prefix becomes "+"; national numbers get the country code, with or without a trunk prefix
 * - access codes are stripped only when an external number remains
 * - patterns: exact ones normalised; prefixes keep their digits but turn the international prefix into "+"
 * - callerKeys: canonical form, then the presented form when it differs
 * - findEntry: exact first (and only exact), then the longest prefix whatever the list order; expired entries skipped
 */
import t from 'tap';
import { DEFAULT_NUMBERING_PLAN, callerKeys, canonicalPattern, findEntry, isDiallable, normaliseNumber } from '../src/index.js';
import type { EntryMap, NumberingPlan } from '../src/index.js';

const ITALY: NumberingPlan = { ...DEFAULT_NUMBERING_PLAN, countryCode: '39', extensionMaxLength: 5 };
const FRANCE: NumberingPlan = { ...DEFAULT_NUMBERING_PLAN, countryCode: '33', trunkPrefix: '0', accessCodes: ['9', '0'], extensionMaxLength: 4 };

t.test('normaliseNumber', async (t) => {
  const table: readonly [string, NumberingPlan, string][] = [
    ['+39 02-123.45(67)', ITALY, '+39021234567'],
    ['021234567', ITALY, '+39021234567'],
    ['3331234567', ITALY, '+393331234567'],
    ['0039021234567', ITALY, '+39021234567'],
    ['1000', ITALY, '1000'],
    ['12345', ITALY, '12345'],
    ['123456', ITALY, '+39123456'],
    ['anonymous', ITALY, 'anonymous'],
    ['', ITALY, ''],
    ['0140000000', FRANCE, '+33140000000'],
    ['90140000000', FRANCE, '+33140000000'],
    ['9001 555 0100', FRANCE, '+15550100'],
    ['9123', FRANCE, '9123'],
    ['90123', FRANCE, '+3390123'], // stripping 9 would leave an extension: kept
    ['140000009', FRANCE, '+33140000009'], // an access code only counts at the start
    ['021234567', DEFAULT_NUMBERING_PLAN, '021234567'],
    ['0044207', DEFAULT_NUMBERING_PLAN, '+44207'],
    ['+1 555', DEFAULT_NUMBERING_PLAN, '+1555'],
  ];
  for (const [raw, plan, expected] of table) t.equal(normaliseNumber(raw, plan), expected, `${raw} -> ${expected}`);
});

t.test('isDiallable', async (t) => {
  for (const ok of ['1', '+39 02 123', '0(6)1']) t.ok(isDiallable(ok), ok);
  for (const bad of ['', '+', '12*', 'abc', '1+2', '1'.repeat(33)]) t.notOk(isDiallable(bad), bad);
  t.ok(isDiallable('1'.repeat(32)));
});

t.test('canonicalPattern', async (t) => {
  const table: readonly [string, string | undefined][] = [
    ['021234567', '+39021234567'],
    ['3*', '3*'],
    ['06 *', '06*'],
    ['0039*', '+39*'],
    ['00*', '00*'],
    ['+3902*', '+3902*'],
    ['*', undefined],
    ['3**', undefined],
    ['abc', undefined],
    ['+*', undefined],
  ];
  for (const [raw, expected] of table) t.equal(canonicalPattern(raw, ITALY), expected, `${raw} -> ${String(expected)}`);
});

t.test('callerKeys', async (t) => {
  t.same(callerKeys('021234567', ITALY), ['+39021234567', '021234567']);
  t.same(callerKeys('+39021234567', ITALY), ['+39021234567']);
  t.same(callerKeys('1000', ITALY), ['1000']);
  t.same(callerKeys('90140000000', FRANCE), ['+33140000000', '0140000000']);
  t.same(callerKeys('anonymous', FRANCE), ['anonymous']);
});

t.test('findEntry', async (t) => {
  const list: EntryMap = {
    '+39021234567': { pattern: '+39021234567', expiry: { kind: 'at', at: 10 } },
    '+3902*': { pattern: '+3902*', expiry: { kind: 'never' } },
    '+39*': { pattern: '+39*', expiry: { kind: 'never' } },
    '02*': { pattern: '02*', expiry: { kind: 'at', at: 10 } },
    '0*': { pattern: '0*', expiry: { kind: 'one-call' } },
  };
  const keys = callerKeys('021234567', ITALY);
  t.equal(findEntry(list, keys, 9)?.pattern, '+39021234567', 'exact first');
  t.equal(findEntry(list, keys, 10)?.pattern, '+3902*', 'then the longest prefix of the canonical form');
  t.equal(findEntry(list, callerKeys('0612', ITALY), 0)?.pattern, '0*', 'prefix of the presented extension');
  t.equal(findEntry(list, ['0212'], 9)?.pattern, '02*');
  t.equal(findEntry(list, ['0212'], 10)?.pattern, '0*');
  t.equal(findEntry(list, ['555'], 0), undefined);
  t.equal(findEntry(list, ['+39021234568'], 0)?.pattern, '+3902*', 'an exact pattern is not a prefix of itself minus a digit');
  t.equal(findEntry({ '+39021234567': { pattern: '+39021234567', expiry: { kind: 'never' } } }, ['+39021234568'], 0), undefined, 'exact means exact');
  const shortFirst: EntryMap = {
    '3*': { pattern: '3*', expiry: { kind: 'never' } },
    '+39*': { pattern: '+39*', expiry: { kind: 'never' } },
    '333*': { pattern: '333*', expiry: { kind: 'never' } },
    '+3933*': { pattern: '+3933*', expiry: { kind: 'never' } },
  };
  t.equal(findEntry(shortFirst, ['+393331234567', '3331234567'], 0)?.pattern, '+3933*', 'the longest prefix, whatever the order of the list');
  t.equal(findEntry(shortFirst, ['3331234567'], 0)?.pattern, '333*');
  t.equal(findEntry(shortFirst, ['333'], 0)?.pattern, '333*', 'a caller equal to a prefix body starts with it');
  t.equal(findEntry(list, ['+3902'], 0)?.pattern, '+3902*');
  t.equal(findEntry({ constructor: { pattern: 'x', expiry: { kind: 'never' } } } as EntryMap, ['toString', '__proto__'], 0), undefined);
});
