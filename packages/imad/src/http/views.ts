/**
 * The JSON shapes of docs/api.md, made from the directory, the policy state and the live calls.
 * One function per shape; the routes and the live events both use them, so that a `manager`
 * event carries exactly what GET /api/managers/{id} returns.
 */
import type { Call as B2buaCall } from '@ima/b2bua';
import {
  type Directory,
  type Forward,
  type ListEntry,
  type Manager,
  type PolicyState,
  type Schedule,
  normaliseNumber,
} from '@ima/ima-policy';
import type { CallInfo } from '../calls.js';
import type { PeerHealth } from '../trunk/peers.js';
import type { Principal } from './principal.js';

export type ForwardView = 'off' | 'mobile' | 'alternative' | 'voicemail' | { number: string };
export type DestinationView = 'desk' | 'softphone' | 'mobile' | 'voicemail' | 'alternative' | { number: string };
export interface ScheduleView {
  hours: Array<{ day: string; from: string; to: string }>;
  outside: DestinationView;
}
export interface EntryView {
  entry: string;
  expires: string | null;
  oneCall: boolean;
}

export function forwardView(f: Forward): ForwardView {
  switch (f.kind) {
    case 'off':
      return 'off';
    case 'target':
      return f.target;
    case 'number':
      return { number: f.number };
  }
}

export function scheduleView(s: Schedule | null): ScheduleView | null {
  if (s === null) return null;
  return {
    hours: s.hours.map((h) => ({ day: h.day, from: h.from, to: h.to })),
    outside: s.outside.kind === 'target' ? s.outside.target : { number: s.outside.number },
  };
}

function entries(list: Readonly<Record<string, ListEntry>>): EntryView[] {
  return Object.values(list).map((e) => ({
    entry: e.pattern,
    expires: e.expiry.kind === 'at' ? new Date(e.expiry.at).toISOString() : null,
    oneCall: e.expiry.kind === 'one-call',
  }));
}

function phoneOf(directory: Directory, state: PolicyState, number: string): string {
  return state.phones[normaliseNumber(number, directory.plan)] ?? 'unknown';
}

export function managerView(directory: Directory, state: PolicyState, m: Manager) {
  const s = state.managers[m.id] ?? m.initial;
  return {
    id: m.id,
    name: m.name,
    number: m.number,
    targets: { ...m.targets },
    assistants: [...m.pool],
    filter: s.isFilterOn,
    filterMode: s.filterMode,
    availability: s.availability,
    forward: forwardView(s.forward),
    active: [...s.active],
    alerting: s.alerting,
    no_answer: s.noAnswerMs / 1000,
    fallback: s.fallback,
    schedule: scheduleView(s.schedule),
    // The schedule's office hours are in this IANA zone.
    timeZone: m.timeZone,
    blockAction: s.blockAction,
    whitelist: entries(s.lists.whitelist),
    blocklist: entries(s.lists.block),
    phone: phoneOf(directory, state, m.targets.desk),
  };
}
export type ManagerView = ReturnType<typeof managerView>;

export function assistantView(directory: Directory, state: PolicyState, id: string) {
  const a = directory.assistants.get(id)!;
  return {
    id: a.id,
    name: a.name,
    number: a.number,
    availability: (state.assistants[a.id] ?? a.initial).availability,
    phone: phoneOf(directory, state, a.number),
    managers: [...directory.managers.values()].filter((m) => m.pool.includes(a.id)).map((m) => m.id),
  };
}
export type AssistantView = ReturnType<typeof assistantView>;

export function meView(directory: Directory, p: Principal) {
  switch (p.role) {
    case 'admin':
      return { login: p.login, role: p.role, name: p.login };
    case 'manager':
      return { login: p.login, role: p.role, name: directory.managers.get(p.managerId)?.name ?? p.login, managerId: p.managerId };
    case 'assistant':
      return { login: p.login, role: p.role, name: directory.assistants.get(p.assistantId)?.name ?? p.login, assistantId: p.assistantId };
  }
}

/** The API's id of a B2BUA call (whose own id holds a newline): URL-safe and opaque. */
export const callIdOf = (b2buaId: string): string => Buffer.from(b2buaId).toString('base64url');
export const b2buaIdOf = (apiId: string): string => Buffer.from(apiId, 'base64url').toString();

const numberOfUri = (uri: string): string => /^sips?:([^@;]+)@/.exec(uri)?.[1] ?? uri;

export function callView(call: B2buaCall, info: CallInfo | undefined, answeredAt: number | undefined) {
  const answered = call.answeredLeg;
  const isRinging = call.legs.some((l) => l.outcome === 'pending' && l.provisional !== undefined && l.provisional.status >= 180);
  return {
    id: callIdOf(call.id),
    managerId: info?.managerId ?? null,
    caller: info?.caller ?? '',
    callerName: info?.callerName ?? '',
    called: info?.called ?? '',
    state: answered ? ('answered' as const) : isRinging ? ('ringing' as const) : ('routing' as const),
    decision: info ? { kind: info.decision.kind, reason: info.decision.reason } : { kind: 'unknown', reason: '' },
    legs: call.legs.map((l) => ({ id: l.id, target: numberOfUri(l.target.uri), label: l.target.label ?? '', state: l.outcome })),
    ...(answered ? { answeredBy: numberOfUri(answered.target.uri) } : {}),
    started: new Date(info?.started ?? Date.now()).toISOString(),
    ...(answeredAt !== undefined ? { answered: new Date(answeredAt).toISOString() } : {}),
  };
}
export type CallView = ReturnType<typeof callView>;

export function peerView(p: PeerHealth) {
  return {
    host: p.host,
    port: p.port,
    status: p.status,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.rttMs !== undefined ? { rttMs: p.rttMs } : {}),
    // The monitor's clock is monotonic (performance.now()): turned into wall time here.
    since: new Date(Date.now() - (performance.now() - p.since)).toISOString(),
  };
}
