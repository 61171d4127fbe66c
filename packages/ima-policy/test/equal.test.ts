/**
 * isDeepEqual, which decides whether a command changed a setting:
 * - primitives by Object.is; objects by keys in any order; arrays by position; an array never equals an object,
 *   an object never equals a primitive (even one without keys)
 */
import t from 'tap';
import { isDeepEqual } from '../src/equal.js';

t.ok(isDeepEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
t.notOk(isDeepEqual([], {}));
t.notOk(isDeepEqual({}, []));
t.notOk(isDeepEqual({ a: 1 }, { a: 1, b: 2 }));
t.notOk(isDeepEqual({ a: 1, b: undefined }, { a: 1, c: undefined }));
t.notOk(isDeepEqual([1, 2], [2, 1]));
t.notOk(isDeepEqual(null, {}));
t.notOk(isDeepEqual({}, null));
t.notOk(isDeepEqual('1', 1));
t.notOk(isDeepEqual({}, 1), 'an object never equals a primitive');
t.notOk(isDeepEqual(1, {}), 'a primitive never equals an object');
t.ok(isDeepEqual(Number.NaN, Number.NaN));
