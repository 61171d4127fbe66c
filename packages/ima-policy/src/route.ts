/**
 * route: where a call goes, and why. The rules, in order (docs/policy.md has the full text):
 *
 *   0. no manager has the called number (nor a Diversion's) ─► reject 404
 *   1. caller on the block list                 ─► voicemail or reject 603, as the manager chose
 *   2. schedule set and outside office hours    ─► the schedule's outside destination
 *   3. forward all                              ─► the forward destination
 *   4. caller is an assistant of the pool       ─► desk when the manager is available, else 486
 *   5. filter off                               ─► desk
 *   6. filter on, inclusive: whitelisted and desk free ─► desk; otherwise screened
 *      filter on, exclusive: on the screen list ─► screened; otherwise desk
 *   screened: the VIP's assistant, else the active, available, free assistants of the pool,
 *             then the fallback; nobody to alert ─► the fallback at once
 *
 * Every branch ends in a decision: no call is left without a destination.
 */
import { match } from 'ts-pattern';
import type {
  AssistantsDecision,
  Call,
  Decision,
  DiversionReason,
  EntryRef,
  Explanation,
  FinalDecision,
  ManagerDecision,
} from './decision.js';
import type { Assistant, Directory, Manager } from './directory.js';
import { callerKeys, normaliseNumber } from './numbers.js';
import { isOpenAt, localTime } from './schedule.js';
import { findEntry } from './state.js';
import type { Destination, ListEntry, ManagerState, PolicyState } from './state.js';
import { own } from './values.js';
import type { ListName, PhoneState } from './values.js';

/** Phone states in which a phone cannot take a call. */
const UNREACHABLE: readonly PhoneState[] = ['busy', 'dnd', 'offline'];

interface Context {
  readonly directory: Directory;
  readonly state: PolicyState;
  readonly manager: Manager;
  readonly settings: ManagerState;
  readonly notes: string[];
  readonly consumes: EntryRef[];
}

function phoneOf(ctx: Context, number: string): PhoneState {
  return own(ctx.state.phones, normaliseNumber(number, ctx.directory.plan)) ?? 'unknown';
}

/** Remembers a one-call entry the call spends. */
function spend(ctx: Context, list: ListName, entry: ListEntry): void {
  if (entry.expiry.kind === 'one-call') ctx.consumes.push({ managerId: ctx.manager.id, list, pattern: entry.pattern });
}

function atManager(ctx: Context, target: 'desk' | 'softphone', number: string): ManagerDecision {
  return { kind: 'manager', managerId: ctx.manager.id, target, number, reason: ctx.notes.join('; '), consumes: ctx.consumes };
}

/** The decision that sends the call to `destination`; a target that is not configured falls back (and says so). */
function reach(ctx: Context, destination: Destination, why: DiversionReason): FinalDecision {
  const { manager, notes } = ctx;
  const targets = manager.targets;
  const forward = (target: 'mobile' | 'alternative' | 'voicemail' | 'number', number: string): FinalDecision => ({
    kind: 'forward',
    managerId: manager.id,
    target,
    number,
    diversion: { number: manager.number, reason: why },
    reason: notes.join('; '),
    consumes: ctx.consumes,
  });
  return match(destination)
    .with({ kind: 'number' }, (d) => forward('number', d.number))
    .with({ kind: 'target', target: 'desk' }, () => atManager(ctx, 'desk', targets.desk))
    .with({ kind: 'target', target: 'voicemail' }, () => forward('voicemail', targets.voicemail))
    .with({ kind: 'target', target: 'softphone' }, () => {
      if (targets.softphone !== undefined) return atManager(ctx, 'softphone', targets.softphone);
      notes.push('no softphone configured, desk instead');
      return atManager(ctx, 'desk', targets.desk);
    })
    .with({ kind: 'target', target: 'mobile' }, { kind: 'target', target: 'alternative' }, (d) => {
      const number = targets[d.target];
      if (number !== undefined) return forward(d.target, number);
      notes.push(`no ${d.target} number configured, voicemail instead`);
      return forward('voicemail', targets.voicemail);
    })
    .exhaustive();
}

/** The assistant, when they may be alerted: in the pool, active, available, and their phone free. */
function alertable(ctx: Context, id: string): Assistant | undefined {
  const assistant = ctx.directory.assistants.get(id);
  if (assistant === undefined || !ctx.manager.pool.includes(id) || !ctx.settings.active.includes(id)) return undefined;
  const availability = (own(ctx.state.assistants, id) ?? assistant.initial).availability;
  return availability === 'available' && !UNREACHABLE.includes(phoneOf(ctx, assistant.number)) ? assistant : undefined;
}

/** A screened call: the VIP's assistant or the pool, then the fallback. */
function screen(ctx: Context, keys: readonly string[], now: number): AssistantsDecision | FinalDecision {
  const { settings, notes } = ctx;
  const vip = findEntry(settings.lists.vip, keys, now);
  const vipAssistant = vip === undefined ? undefined : alertable(ctx, vip.assistantId);
  let chosen = settings.active.flatMap((id) => alertable(ctx, id) ?? []);
  if (vip !== undefined && vipAssistant !== undefined) {
    notes.push(`VIP caller (${vip.pattern}) for assistant ${vip.assistantId}`);
    spend(ctx, 'vip', vip);
    chosen = [vipAssistant];
  } else if (vip !== undefined) {
    notes.push(`VIP assistant ${vip.assistantId} cannot take calls, pool instead`);
  }
  if (chosen.length === 0) {
    notes.push(`no assistant available, fallback to ${settings.fallback}`);
    return reach(ctx, { kind: 'target', target: settings.fallback }, 'unavailable');
  }
  if (settings.alerting === 'first-available') {
    // Prefer an assistant known to be idle over one whose phone is ringing or unknown.
    const isIdle = (a: Assistant): boolean => phoneOf(ctx, a.number) === 'idle';
    chosen = [...chosen.filter(isIdle), ...chosen.filter((a) => !isIdle(a))].slice(0, 1);
  }
  notes.push(`alerting ${chosen.map((a) => a.id).join(', ')} (${settings.alerting}, no answer after ${settings.noAnswerMs} ms)`);
  const reason = notes.join('; ');
  const fallbackCtx: Context = { ...ctx, notes: [`no answer from the assistants, fallback to ${settings.fallback}`], consumes: [] };
  return {
    kind: 'assistants',
    managerId: ctx.manager.id,
    assistants: chosen.map((a) => ({ id: a.id, number: a.number })),
    alerting: settings.alerting,
    noAnswerMs: settings.noAnswerMs,
    fallback: reach(fallbackCtx, { kind: 'target', target: settings.fallback }, 'no-answer'),
    reason,
    consumes: ctx.consumes,
  };
}

/** The manager a call is for: by the called number, else by the most recent Diversion that names one. */
function findManager(directory: Directory, call: Call, notes: string[]): Manager | undefined {
  const plan = directory.plan;
  const direct = directory.managerByNumber.get(normaliseNumber(call.calledNumber, plan));
  if (direct !== undefined) return direct;
  for (const diversion of call.diversions ?? []) {
    const diverted = directory.managerByNumber.get(normaliseNumber(diversion.number, plan));
    if (diverted !== undefined) {
      notes.push(`called ${call.calledNumber}, diverted from ${diversion.number}`);
      return diverted;
    }
  }
  return undefined;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Rules 1 to 6 for a call to `ctx.manager`; see the module comment. */
function decideFor(ctx: Context, call: Call, now: number): Decision {
  const { directory, manager, settings, notes } = ctx;
  const keys = callerKeys(call.callerNumber, directory.plan);
  const name = call.callerName === undefined || call.callerName === '' ? '' : ` "${call.callerName}"`;
  const caller = `caller${name} ${keys[0]}`;
  const desk = (): ManagerDecision => atManager(ctx, 'desk', manager.targets.desk);

  const blocked = findEntry(settings.lists.block, keys, now);
  if (blocked !== undefined) {
    notes.push(`${caller} is blocked (${blocked.pattern}), ${settings.blockAction === 'reject' ? 'rejected' : 'to voicemail'}`);
    spend(ctx, 'block', blocked);
    if (settings.blockAction === 'voicemail') return reach(ctx, { kind: 'target', target: 'voicemail' }, 'deflection');
    return { kind: 'reject', managerId: manager.id, status: 603, phrase: 'Decline', reason: notes.join('; '), consumes: ctx.consumes };
  }
  if (settings.schedule !== null) {
    const local = localTime(manager.timeZone, now);
    if (local === undefined) {
      notes.push('time unknown, schedule not applied');
    } else if (!isOpenAt(settings.schedule, local)) {
      const at = `${local.day} ${pad(Math.floor(local.minute / 60))}:${pad(local.minute % 60)} ${manager.timeZone}`;
      notes.push(`outside office hours (${at})`);
      return reach(ctx, settings.schedule.outside, 'time-of-day');
    } else {
      notes.push('within office hours');
    }
  }
  const forwarded = match(settings.forward)
    .with({ kind: 'off' }, () => undefined)
    .with({ kind: 'target' }, (f): Destination => ({ kind: 'target', target: f.target }))
    .with({ kind: 'number' }, (f): Destination => f)
    .exhaustive();
  if (forwarded !== undefined) {
    notes.push(`forward all to ${forwarded.kind === 'target' ? forwarded.target : forwarded.number}`);
    return reach(ctx, forwarded, 'unconditional');
  }
  const assistant = keys.map((k) => directory.assistantByNumber.get(k)).find((a) => a !== undefined);
  if (assistant !== undefined && manager.pool.includes(assistant.id)) {
    notes.push(`caller is assistant ${assistant.id}; manager ${manager.id} is ${settings.availability}`);
    if (settings.availability === 'available') return desk();
    return { kind: 'reject', managerId: manager.id, status: 486, phrase: 'Busy Here', reason: notes.join('; '), consumes: ctx.consumes };
  }
  if (!settings.isFilterOn) {
    notes.push('filter off');
    return desk();
  }
  if (settings.filterMode === 'exclusive') {
    const listed = findEntry(settings.lists.screen, keys, now);
    if (listed === undefined) {
      notes.push(`filter on (exclusive); ${caller} is not on the screen list`);
      return desk();
    }
    notes.push(`filter on (exclusive); ${caller} is on the screen list (${listed.pattern})`);
    spend(ctx, 'screen', listed);
    return screen(ctx, keys, now);
  }
  const whitelisted = findEntry(settings.lists.whitelist, keys, now);
  if (whitelisted === undefined) {
    notes.push(`filter on; ${caller} is not whitelisted`);
    return screen(ctx, keys, now);
  }
  const phone = phoneOf(ctx, manager.targets.desk);
  notes.push(`filter on; ${caller} is whitelisted (${whitelisted.pattern}); manager desk ${phone}`);
  if (UNREACHABLE.includes(phone)) return screen(ctx, keys, now);
  spend(ctx, 'whitelist', whitelisted);
  return desk();
}

/**
 * Where a call would go at instant `now` (epoch ms), and why, step by step: the portal's
 * dry run and the call history use this; {@link route} is the same without the steps.
 */
export function explain(directory: Directory, state: PolicyState, call: Call, now: number): Explanation {
  const notes: string[] = [];
  const manager = findManager(directory, call, notes);
  if (manager === undefined) {
    notes.push(`no manager has the number ${call.calledNumber}`);
    const reason = notes.join('; ');
    return { decision: { kind: 'reject', managerId: null, status: 404, phrase: 'Not Found', reason, consumes: [] }, steps: notes };
  }
  const settings = own(state.managers, manager.id) ?? manager.initial;
  const ctx: Context = { directory, state, manager, settings, notes, consumes: [] };
  return { decision: decideFor(ctx, call, now), steps: notes };
}

/** Where a call goes at instant `now` (epoch ms): one decision, with a reason a person can read. */
export function route(directory: Directory, state: PolicyState, call: Call, now: number): Decision {
  return explain(directory, state, call, now).decision;
}
