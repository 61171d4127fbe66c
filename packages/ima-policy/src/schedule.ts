/**
 * Weekly office hours in the manager's time zone.
 *
 * Time is an input: the caller passes the instant (epoch ms), the directory gives the IANA
 * zone, and Intl converts one to a local weekday and minute. Nothing here reads a clock.
 */
import { WEEKDAYS, isOneOf } from './values.js';
import type { Weekday } from './values.js';
import type { Destination } from './state.js';

/** One stretch of office hours: `from` inclusive, `to` exclusive, "HH:MM" local time ("24:00" ends the day). */
export interface OfficeHours {
  readonly day: Weekday;
  readonly from: string;
  readonly to: string;
}

/** A weekly schedule: inside the office hours the usual rules apply, outside them calls go to `outside`. */
export interface Schedule {
  readonly hours: readonly OfficeHours[];
  readonly outside: Destination;
}

/** A local weekday and minute of the day (0..1439). */
export interface LocalTime {
  readonly day: Weekday;
  readonly minute: number;
}

const CLOCK_TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** Minutes since midnight of an "HH:MM" time; NaN when it is not one, so every comparison with it fails. */
export function minuteOfDay(time: string): number {
  const m = CLOCK_TIME.exec(time);
  if (m === null) return Number.NaN;
  return m[1] === undefined ? 24 * 60 : Number(m[1]) * 60 + Number(m[2]);
}

/** True when `hours` names a weekday and a non-empty stretch of one day. */
export function isOfficeHours(hours: OfficeHours): boolean {
  return isOneOf(WEEKDAYS, hours.day) && minuteOfDay(hours.from) < minuteOfDay(hours.to);
}

// Building a DateTimeFormat costs tens of microseconds: keep one per zone (a cache, not state).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  try {
    const made = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, made);
    return made;
  } catch {
    // Intl throws RangeError for an unknown zone; the policy reports it instead of throwing.
    return undefined;
  }
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== undefined;
}

/** The local weekday and minute at instant `now` (epoch ms) in `timeZone`; undefined for an unknown zone. */
export function localTime(timeZone: string, now: number): LocalTime | undefined {
  const formatter = formatterFor(timeZone);
  if (formatter === undefined || !Number.isFinite(now)) return undefined;
  let day = '';
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(now)) {
    if (part.type === 'weekday') day = part.value.toLowerCase();
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day: day as Weekday, minute: hour * 60 + minute };
}

/** True when local time `at` falls inside one of the schedule's office hours. */
export function isOpenAt(schedule: Schedule, at: LocalTime): boolean {
  return schedule.hours.some((h) => h.day === at.day && minuteOfDay(h.from) <= at.minute && at.minute < minuteOfDay(h.to));
}
