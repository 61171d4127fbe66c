/**
 * From the daemon's events to what the API publishes: `manager`, `assistant`, `call` and
 * `peers` events for the SSE streams and the webhooks, the call history (one entry per ended
 * call), the metrics, and when each live call was answered.
 */
import type { B2buaEvent, CallEndCause, LegSummary } from '@ima/b2bua';
import { type PolicyEvent, normaliseNumber } from '@ima/ima-policy';
import type { WebhookEvent } from '../config/types.js';
import type { ApiHost } from './api-host.js';
import type { CallHistory } from './call-history.js';
import type { EventHub, Subject } from './event-hub.js';
import type { ApiMetrics } from './metrics.js';
import { assistantView, callIdOf, callView, managerView, peerView } from './views.js';

export interface LiveEventSinks {
  readonly hub: EventHub;
  readonly webhooks: { publish(event: WebhookEvent, data: unknown): void };
  readonly history: CallHistory;
  readonly metrics: ApiMetrics;
  readonly answeredAt: Map<string, number>;
}

const numberOfUri = (uri: string): string => /^sips?:([^@;]+)@/.exec(uri)?.[1] ?? uri;

/** How a call ended, in words for the history. */
export function outcomeOf(cause: CallEndCause, legs: readonly LegSummary[]): string {
  // The last leg that was up: after a steer, the new target rather than the assistant who answered first.
  const answered = [...legs].reverse().find((l) => l.outcome === 'answered' || l.outcome === 'ended');
  const by = answered ? `answered by ${numberOfUri(answered.uri)}${answered.label ? ` (${answered.label})` : ''}` : undefined;
  switch (cause.kind) {
    case 'callerBye':
      return `${by ?? 'answered'}; the caller hung up`;
    case 'calleeBye':
      return `${by ?? 'answered'}; the callee hung up`;
    case 'callerCancel':
      return 'cancelled by the caller';
    case 'rejected':
      return `rejected ${cause.status}`;
    case 'failed':
      return `failed ${cause.status} on the ${cause.side} side`;
    default:
      return cause.kind;
  }
}

/** Subscribes to the daemon; returns the function that unsubscribes. */
export function connectLiveEvents(host: ApiHost, sinks: LiveEventSinks): () => void {
  const send = (event: WebhookEvent, data: unknown, subject: Subject): void => {
    sinks.hub.publish(event, data, subject);
    sinks.webhooks.publish(event, data);
  };
  const sendManager = (id: string): void => {
    const m = host.directory().managers.get(id);
    if (m) send('manager', managerView(host.directory(), host.state(), m), { kind: 'manager', managerId: id });
  };
  const sendAssistant = (id: string): void => {
    if (host.directory().assistants.has(id)) send('assistant', assistantView(host.directory(), host.state(), id), { kind: 'assistant', assistantId: id });
  };
  const onPolicy = (e: PolicyEvent): void => {
    const directory = host.directory();
    switch (e.type) {
      case 'managerChanged':
      case 'entryExpired':
        return sendManager(e.managerId);
      case 'assistantChanged':
        return sendAssistant(e.assistantId);
      case 'phoneChanged':
        // A desk phone is part of its manager's record, an assistant's phone of the assistant's.
        for (const m of directory.managers.values()) if (normaliseNumber(m.targets.desk, directory.plan) === e.number) sendManager(m.id);
        for (const a of directory.assistants.values()) if (normaliseNumber(a.number, directory.plan) === e.number) sendAssistant(a.id);
        return;
      case 'directoryReplaced':
        for (const id of directory.managers.keys()) sendManager(id);
        for (const id of directory.assistants.keys()) sendAssistant(id);
        return;
      case 'unchanged':
        return;
    }
  };
  const onCall = (e: B2buaEvent): void => {
    const info = host.callInfo(e.call.id);
    if (e.type === 'created') {
      // Published at the decision, once the router knows whose call it is.
      sinks.metrics.calls.inc();
      return;
    }
    if (e.type === 'answered') sinks.answeredAt.set(e.call.id, Date.now());
    const view = callView(e.call, info, sinks.answeredAt.get(e.call.id));
    send('call', { type: e.type, call: view }, { kind: 'call', managerId: info?.managerId ?? null });
    if (e.type !== 'ended') return;
    sinks.answeredAt.delete(e.call.id);
    if (e.cause.kind === 'failed') sinks.metrics.error('call');
    const ended = Date.now();
    const started = info?.started ?? ended;
    try {
      sinks.history.record({
        id: callIdOf(e.call.id),
        managerId: info?.managerId ?? null,
        caller: info?.caller ?? '',
        callerName: info?.callerName ?? '',
        called: info?.called ?? '',
        started: new Date(started).toISOString(),
        ended: new Date(ended).toISOString(),
        decision: info ? { ...info.decision } : { kind: 'unknown', reason: '' },
        outcome: outcomeOf(e.cause, e.legs),
        durationMs: ended - started,
      });
    } catch (err) {
      host.logger.error({ err }, 'could not write the call history');
    }
  };
  const offs = [
    host.events.on('state', (s) => s.events.forEach(onPolicy)),
    host.events.on('call', onCall),
    host.events.on('decision', (d) => {
      sinks.metrics.decisions.inc({ kind: d.decision.kind });
      const call = host.b2bua.calls.get(d.callId);
      const info = host.callInfo(d.callId);
      if (call) send('call', { type: 'created', call: callView(call, info, undefined) }, { kind: 'call', managerId: info?.managerId ?? null });
    }),
    host.events.on('peers', (peers) => send('peers', peers.map(peerView), { kind: 'peers' })),
  ];
  return () => offs.forEach((off) => off());
}
