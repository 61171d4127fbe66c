/**
 * PATCH /api/managers/{id}: the body's fields as policy commands, each with the field it came
 * from, so that a refusal names the field. The daemon applies them all or none.
 */
import type { Actor, Command, Destination, Forward, Schedule } from '@ima/ima-policy';
import type { DestinationView, ForwardView, ScheduleView } from './views.js';

export interface ManagerPatch {
  readonly filter?: boolean;
  readonly filterMode?: 'inclusive' | 'exclusive';
  readonly availability?: 'available' | 'busy' | 'away';
  readonly forward?: ForwardView;
  readonly active?: string[];
  readonly alerting?: 'parallel' | 'sequential' | 'first-available';
  /** Seconds. */
  readonly no_answer?: number;
  readonly fallback?: 'voicemail' | 'mobile' | 'alternative' | 'desk';
  readonly schedule?: ScheduleView | null;
  readonly blockAction?: 'voicemail' | 'reject';
}

function forwardOf(f: ForwardView): Forward {
  if (typeof f === 'object') return { kind: 'number', number: f.number };
  return f === 'off' ? { kind: 'off' } : { kind: 'target', target: f };
}

function destinationOf(d: DestinationView): Destination {
  return typeof d === 'object' ? { kind: 'number', number: d.number } : { kind: 'target', target: d };
}

function scheduleOf(s: ScheduleView | null): Schedule | null {
  return s === null ? null : { hours: s.hours.map((h) => ({ day: h.day as Schedule['hours'][number]['day'], from: h.from, to: h.to })), outside: destinationOf(s.outside) };
}

/** The commands of a patch, in the order of the fields above, each with its field. */
export function patchCommands(by: Actor, managerId: string, p: ManagerPatch): Array<{ field: string; command: Command }> {
  const out: Array<{ field: string; command: Command }> = [];
  const add = (field: string, command: Command): void => void out.push({ field, command });
  const base = { by, managerId };
  if (p.filter !== undefined) add('filter', { ...base, type: 'setFilter', isOn: p.filter });
  if (p.filterMode !== undefined) add('filterMode', { ...base, type: 'setFilterMode', mode: p.filterMode });
  if (p.availability !== undefined) add('availability', { ...base, type: 'setAvailability', availability: p.availability });
  if (p.forward !== undefined) add('forward', { ...base, type: 'setForward', forward: forwardOf(p.forward) });
  if (p.active !== undefined) add('active', { ...base, type: 'setActiveAssistants', assistantIds: p.active });
  if (p.alerting !== undefined) add('alerting', { ...base, type: 'setAlerting', alerting: p.alerting });
  if (p.no_answer !== undefined) add('no_answer', { ...base, type: 'setNoAnswer', noAnswerMs: p.no_answer * 1000 });
  if (p.fallback !== undefined) add('fallback', { ...base, type: 'setFallback', fallback: p.fallback });
  if (p.schedule !== undefined) add('schedule', { ...base, type: 'setSchedule', schedule: scheduleOf(p.schedule) });
  if (p.blockAction !== undefined) add('blockAction', { ...base, type: 'setBlockAction', action: p.blockAction });
  return out;
}
