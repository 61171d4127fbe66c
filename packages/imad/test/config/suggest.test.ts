/**
 * "Did you mean":
 * - edit distance counts insertions, deletions, substitutions and adjacent swaps as one each
 * - a near miss (≤ 2 edits, fewer than half the word) is suggested; a far word is not
 * - case and -/_ confusions are always near
 */
import t from 'tap';
import { editDistance, suggest } from '../../src/config/suggest.js';

t.test('edit distance', async (t) => {
  t.equal(editDistance('', ''), 0);
  t.equal(editDistance('abc', ''), 3);
  t.equal(editDistance('number', 'nubmer'), 1, 'an adjacent swap is one edit');
  t.equal(editDistance('number', 'numbr'), 1);
  t.equal(editDistance('number', 'numbers'), 1);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('suggestions', async (t) => {
  const keys = ['id', 'name', 'number', 'no_answer', 'alerting', 'first-available'];
  t.equal(suggest('nubmer', keys), 'number');
  t.equal(suggest('noanswer', keys), 'no_answer');
  t.equal(suggest('No_Answer', keys), 'no_answer');
  t.equal(suggest('first_available', keys), 'first-available');
  t.equal(suggest('alertng', keys), 'alerting');
  t.equal(suggest('ix', keys), undefined, 'two letters are too short to guess from');
  t.equal(suggest('password', keys), undefined);
  t.equal(suggest('x', []), undefined);
});
