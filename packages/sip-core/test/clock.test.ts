/**
 * SystemClock: timers of one duration share a Node timer (a busy stack holds a few per call for 64*T1).
 * - timers fire in the order they fall due, those of one duration in the order they were set, none early
 * - a cleared timer does not fire; the others of its duration still do
 * - a timer set while its duration's timers fire waits for its own time
 * - a callback that throws does not stop the timers after it
 */
import t from 'tap';
import { SystemClock } from '../src/clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('timers fire in the order they fall due, never early', async (t) => {
  const clock = new SystemClock();
  const fired: string[] = [];
  const late: string[] = [];
  const set = (name: string, ms: number) => {
    const at = clock.now() + ms;
    clock.setTimeout(() => {
      fired.push(name);
      if (clock.now() < at) late.push(name);
    }, ms);
  };
  set('a30', 30);
  set('b10', 10);
  set('c30', 30);
  set('d20', 20);
  set('e10', 10);
  await sleep(60);
  t.same(fired, ['b10', 'e10', 'd20', 'a30', 'c30']);
  t.same(late, [], 'none fired before its time');
});

t.test('a cleared timer does not fire; the others of its duration do', async (t) => {
  const clock = new SystemClock();
  const fired: number[] = [];
  const handles = [1, 2, 3].map((n) => clock.setTimeout(() => fired.push(n), 10));
  clock.clearTimeout(handles[0]!);
  clock.clearTimeout(handles[0]!);
  await sleep(30);
  clock.clearTimeout(handles[1]!);
  t.same(fired, [2, 3]);
});

t.test('a timer set while its duration fires waits for its own time', async (t) => {
  const clock = new SystemClock();
  const fired: string[] = [];
  let setAt = 0;
  clock.setTimeout(() => {
    fired.push('first');
    setAt = clock.now();
    clock.setTimeout(() => fired.push(clock.now() - setAt >= 10 ? 'second, on time' : 'second, early'), 10);
  }, 10);
  await sleep(60);
  t.same(fired, ['first', 'second, on time']);
});

t.test('a callback that throws does not stop the timers after it', async (t) => {
  const clock = new SystemClock();
  const fired: number[] = [];
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  // What a throwing Node timer callback does: the error reaches the process.
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onError);
  try {
    clock.setTimeout(() => fired.push(1), 10);
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => fired.push(3), 10);
    await sleep(40);
  } finally {
    process.removeListener('uncaughtException', onError);
    for (const l of listeners) process.on('uncaughtException', l);
  }
  t.same(fired, [1, 3]);
  t.equal(errors.length, 1);
});
