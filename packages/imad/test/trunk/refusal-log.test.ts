/**
 * The log of refusals at the trunk's front door, in virtual time (ManualClock):
 * - the first refusal from an address is logged at once; more from it within the minute are only counted
 * - the count is logged as one line a minute while the address keeps sending, then it is forgotten
 *   and its next refusal is logged at once again
 * - two addresses are logged apart
 * - beyond maxSources addresses, refusals are only counted and summed up in one line
 * - stop() leaves no timer behind
 */
import t from 'tap';
import { ManualClock, type Source } from '@ima/sip-core';
import { RefusalLog } from '../../src/trunk/refusal-log.js';

const from = (address: string, port = 5060): Source => ({ address, port, protocol: 'udp' }) as Source;

function recorder(opts: { maxSources?: number } = {}) {
  const clock = new ManualClock();
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = new RefusalLog({ clock, logger: { warn: (fields, msg) => void lines.push({ fields: fields as Record<string, unknown>, msg }) }, windowMs: 60_000, ...opts });
  return { clock, lines, log };
}

t.test('a flood from one address is one line, then one line a minute with the count', async (t) => {
  const { clock, lines, log } = recorder();
  log.note(from('192.0.2.7', 5070), 'INVITE');
  t.same(lines.map((l) => l.fields), [{ source: '192.0.2.7:5070', method: 'INVITE' }], 'the first refusal is logged at once');
  for (let i = 0; i < 500; i++) log.note(from('192.0.2.7', 5000 + i), 'OPTIONS');
  t.equal(lines.length, 1, '500 more within the minute write nothing');
  clock.advance(60_000);
  t.same(lines[1]?.fields, { source: '192.0.2.7', refused: 500, sinceS: 60 }, 'after a minute: one line with the count');
  for (let i = 0; i < 20; i++) log.note(from('192.0.2.7'), undefined);
  clock.advance(60_000);
  t.same(lines.slice(2).map((l) => l.fields.refused), [20], 'still sending: one line for the next minute');
  clock.advance(60_000);
  t.equal(lines.length, 3, 'a quiet minute writes nothing');
  clock.advance(60_000);
  log.note(from('192.0.2.7'), 'NOTIFY');
  t.same(lines[3]?.fields, { source: '192.0.2.7:5060', method: 'NOTIFY' }, 'then it is forgotten: its next refusal is logged at once');
  log.stop();
  t.equal(clock.pending, 0, 'stop() leaves no timer');
});

t.test('a refusal just before the minute ends does not get a second line at once', async (t) => {
  const { clock, lines, log } = recorder();
  log.note(from('192.0.2.1'), 'INVITE');
  clock.advance(59_000);
  log.note(from('192.0.2.2'), 'INVITE');
  log.note(from('192.0.2.2'), 'INVITE');
  clock.advance(1_000);
  t.same(lines.map((l) => l.fields.source), ['192.0.2.1:5060', '192.0.2.2:5060'], 'each address once; the second one\'s count waits for its own minute');
  clock.advance(60_000);
  t.same(lines[2]?.fields, { source: '192.0.2.2', refused: 1, sinceS: 61 });
  log.stop();
});

t.test('beyond maxSources addresses, refusals are counted in one line', async (t) => {
  const { clock, lines, log } = recorder({ maxSources: 3 });
  for (let i = 0; i < 50; i++) log.note(from(`198.51.100.${i}`), 'INVITE');
  t.equal(lines.length, 3, 'only the first three addresses get a line of their own');
  clock.advance(60_000);
  t.same(lines.slice(3).map((l) => l.fields), [{ refused: 47, sources: 'more than 3' }], 'the rest are summed up');
  log.stop();
});
