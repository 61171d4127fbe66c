/**
 * Durations:
 * - the units ms, s, m, h and combinations from the largest unit down parse to milliseconds
 * - "0" is zero; anything else without a unit, repeated or misordered units, and junk are refused
 * - formatDuration writes the shortest canonical form, and refuses negative or fractional ms
 * - property: parseDuration(formatDuration(ms)) === ms for every whole ms
 */
import fc from 'fast-check';
import t from 'tap';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

t.test('parses each unit and combinations, largest first', async (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['500ms', 500],
    ['20s', 20_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['007s', 7_000],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
});

t.test('refuses what is not a duration', async (t) => {
  for (const text of ['', '20', '20x', 's', '1.5s', '-1s', '30s1m', '1s1s', '1m 30s', ' 1s', '1S', '20sec', '0x', '1ms1s']) {
    t.equal(parseDuration(text), undefined, JSON.stringify(text));
  }
});

t.test('formats the shortest canonical form', async (t) => {
  t.equal(formatDuration(0), '0');
  t.equal(formatDuration(500), '500ms');
  t.equal(formatDuration(20_000), '20s');
  t.equal(formatDuration(90_000), '1m30s');
  t.equal(formatDuration(3_723_004), '1h2m3s4ms');
  t.throws(() => formatDuration(-1), RangeError);
  t.throws(() => formatDuration(1.5), RangeError);
});

t.test('property: durations round-trip through their text', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
  );
  // And any text built from descending units parses to the sum of its parts.
  const units = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const;
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }), { minLength: 4, maxLength: 4 }), (counts) => {
      let text = '';
      let ms = 0;
      counts.forEach((count, i) => {
        const unit = units[i];
        if (count === undefined || unit === undefined) return;
        text += `${count}${unit[0]}`;
        ms += count * unit[1];
      });
      fc.pre(text !== '');
      return parseDuration(text) === ms;
    }),
  );
});
