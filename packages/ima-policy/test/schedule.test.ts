/**
 * Schedules in the manager's time zone:
 * - "HH:MM" parsing, "24:00" as the end of the day, anything else NaN
 * - office hours are a weekday and a non-empty stretch of one day
 * - localTime converts an instant to weekday and minute in a zone, across DST; unknown zone or non-finite time: undefined
 * - isOpenAt: from inclusive, to exclusive, the right day only
 */
import t from 'tap';
import { isOpenAt, localTime } from '../src/index.js';
import { isOfficeHours, isTimeZone, minuteOfDay } from '../src/schedule.js';
import type { Schedule } from '../src/index.js';

t.test('minuteOfDay and isOfficeHours', async (t) => {
  t.equal(minuteOfDay('00:00'), 0);
  t.equal(minuteOfDay('09:30'), 570);
  t.equal(minuteOfDay('23:59'), 1439);
  t.equal(minuteOfDay('24:00'), 1440);
  for (const bad of ['24:01', '9:00', '09:60', '0900', ' 09:00', '09:00 ']) t.ok(Number.isNaN(minuteOfDay(bad)), bad);
  t.ok(isOfficeHours({ day: 'mon', from: '09:00', to: '09:01' }));
  t.notOk(isOfficeHours({ day: 'mon', from: '09:00', to: '09:00' }));
  t.notOk(isOfficeHours({ day: 'monday' as never, from: '09:00', to: '10:00' }));
  t.notOk(isOfficeHours({ day: 'mon', from: 'x', to: '10:00' }));
});

t.test('localTime', async (t) => {
  t.same(localTime('Europe/Rome', Date.UTC(2024, 0, 15, 9, 0)), { day: 'mon', minute: 600 });
  t.same(localTime('Europe/Rome', Date.UTC(2024, 6, 15, 9, 0)), { day: 'mon', minute: 660 }, 'summer time');
  t.same(localTime('America/New_York', Date.UTC(2024, 0, 15, 3, 5)), { day: 'sun', minute: 22 * 60 + 5 }, 'previous day');
  t.same(localTime('UTC', Date.UTC(2024, 0, 21, 0, 0)), { day: 'sun', minute: 0 }, 'midnight is 00, not 24');
  t.equal(localTime('Mars/Olympus', 0), undefined);
  t.equal(localTime('UTC', Number.POSITIVE_INFINITY), undefined);
  t.ok(isTimeZone('Asia/Tokyo'));
  t.ok(isTimeZone('Asia/Tokyo'), 'cached');
  t.notOk(isTimeZone('Nowhere'));
});

t.test('isOpenAt', async (t) => {
  const schedule: Schedule = {
    hours: [
      { day: 'mon', from: '09:00', to: '13:00' },
      { day: 'mon', from: '14:00', to: '18:00' },
      { day: 'sat', from: '00:00', to: '24:00' },
    ],
    outside: { kind: 'target', target: 'voicemail' },
  };
  const cases: readonly [string, number, boolean][] = [
    ['mon', 539, false],
    ['mon', 540, true],
    ['mon', 779, true],
    ['mon', 780, false],
    ['mon', 840, true],
    ['mon', 1079, true],
    ['mon', 1080, false],
    ['tue', 600, false],
    ['sat', 0, true],
    ['sat', 1439, true],
  ];
  for (const [day, minute, isOpen] of cases) t.equal(isOpenAt(schedule, { day: day as never, minute }), isOpen, `${day} ${minute}`);
});
