/**
 * Prometheus metrics (GET /metrics), in a registry of their own (two daemons in one process,
 * as in the tests, do not share counters):
 *   ima_calls_total, ima_calls_active, ima_decisions_total{kind}, ima_trunk_peer_up{peer},
 *   ima_errors_total{source}, ima_login_failures_total, ima_sse_clients, and Node's process metrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PeerHealth } from '../trunk/peers.js';

/** Where an error was counted: an HTTP 5xx answer, a webhook given up, a call that failed. */
export type ErrorSource = 'http' | 'webhook' | 'call';

export interface MetricsSources {
  readonly activeCalls: () => number;
  readonly peers: () => readonly PeerHealth[];
  readonly sseClients: () => number;
}

export class ApiMetrics {
  readonly registry = new Registry();
  readonly calls: Counter;
  readonly decisions: Counter<'kind'>;
  readonly errors: Counter<'source'>;
  readonly loginFailures: Counter;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.calls = new Counter({ name: 'ima_calls_total', help: 'Calls the trunk brought since start', registers });
    this.decisions = new Counter({ name: 'ima_decisions_total', help: 'Routing decisions by kind', labelNames: ['kind'], registers });
    this.errors = new Counter({ name: 'ima_errors_total', help: 'Errors: HTTP 5xx answers, webhooks given up, failed calls', labelNames: ['source'], registers });
    this.loginFailures = new Counter({ name: 'ima_login_failures_total', help: 'Refused logins (wrong password or rate-limited)', registers });
    new Gauge({
      name: 'ima_calls_active',
      help: 'Calls in progress',
      registers,
      collect() {
        this.set(sources.activeCalls());
      },
    });
    new Gauge({
      name: 'ima_trunk_peer_up',
      help: 'Trunk peer health: 1 up, 0 down, -1 unknown (no OPTIONS answer yet or pings off)',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const p of sources.peers()) this.set({ peer: `${p.host}:${p.port}` }, p.status === 'up' ? 1 : p.status === 'down' ? 0 : -1);
      },
    });
    new Gauge({
      name: 'ima_sse_clients',
      help: 'Open live-event streams',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
    // Labels of a counter only show once incremented: start every decision kind and error source at 0.
    for (const kind of ['manager', 'assistants', 'forward', 'reject']) this.decisions.inc({ kind }, 0);
    for (const source of ['http', 'webhook', 'call']) this.errors.inc({ source }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  error(source: ErrorSource): void {
    this.errors.inc({ source });
  }
}
