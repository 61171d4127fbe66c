/**
 * Webhooks: every live event a configured URL subscribes to is POSTed to it as JSON
 * `{id, event, time, data}`, signed with HMAC-SHA256 of the exact body under the webhook's
 * secret (header X-IMA-Signature: sha256=<hex>). A delivery that fails (no answer in 5 s, or
 * not 2xx) is retried after `backoff`, 2x`backoff`, 4x`backoff`... up to `attempts` tries. The
 * queue is bounded: when it is full the oldest delivery is dropped, with a warning.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WebhookConfig, WebhookEvent } from '../config/types.js';

export const SIGNATURE_HEADER = 'x-ima-signature';

/** The signature header's value for `body`. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

interface Delivery {
  readonly hook: WebhookConfig;
  readonly event: WebhookEvent;
  readonly id: string;
  readonly body: string;
  attempt: number;
}

export interface WebhookOptions {
  readonly hooks: () => readonly WebhookConfig[];
  readonly logger: Logger;
  /** A delivery was given up after its last attempt. */
  readonly onGiveUp: () => void;
  readonly maxQueue?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
}

export class WebhookDispatcher {
  readonly #opts: Required<WebhookOptions>;
  readonly #queue: Delivery[] = [];
  readonly #retries = new Set<NodeJS.Timeout>();
  readonly #inflight = new Set<AbortController>();
  #isClosed = false;

  constructor(opts: WebhookOptions) {
    this.#opts = { maxQueue: 1000, concurrency: 4, timeoutMs: 5000, ...opts };
  }

  publish(event: WebhookEvent, data: unknown): void {
    if (this.#isClosed) return;
    for (const hook of this.#opts.hooks()) {
      if (!hook.events.includes(event)) continue;
      const id = randomUUID();
      this.#enqueue({ hook, event, id, body: JSON.stringify({ id, event, time: new Date().toISOString(), data }), attempt: 0 });
    }
    this.#pump();
  }

  /** Deliveries waiting (queued or waiting for a retry) and in flight. */
  get pending(): number {
    return this.#queue.length + this.#retries.size + this.#inflight.size;
  }

  close(): void {
    this.#isClosed = true;
    for (const t of this.#retries) clearTimeout(t);
    this.#retries.clear();
    for (const c of this.#inflight) c.abort();
    this.#queue.length = 0;
  }

  #enqueue(d: Delivery): void {
    this.#queue.push(d);
    while (this.#queue.length > this.#opts.maxQueue) {
      const dropped = this.#queue.shift()!;
      this.#opts.logger.warn({ url: dropped.hook.url, event: dropped.event, id: dropped.id, maxQueue: this.#opts.maxQueue }, 'webhook queue full: dropped the oldest delivery');
    }
  }

  #pump(): void {
    while (!this.#isClosed && this.#inflight.size < this.#opts.concurrency && this.#queue.length > 0) void this.#deliver(this.#queue.shift()!);
  }

  async #deliver(d: Delivery): Promise<void> {
    const controller = new AbortController();
    this.#inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.#opts.timeoutMs);
    d.attempt++;
    let failure: string | undefined;
    try {
      const res = await fetch(d.hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature(d.hook.secret, d.body), 'x-ima-event': d.event, 'x-ima-delivery': d.id },
        body: d.body,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = (err as Error).name === 'AbortError' ? `no answer within ${this.#opts.timeoutMs} ms` : (err as Error).message;
    } finally {
      clearTimeout(timer);
      this.#inflight.delete(controller);
    }
    if (failure !== undefined && !this.#isClosed) this.#failed(d, failure);
    this.#pump();
  }

  #failed(d: Delivery, failure: string): void {
    if (d.attempt >= d.hook.attempts) {
      this.#opts.logger.warn({ url: d.hook.url, event: d.event, id: d.id, attempts: d.attempt, failure }, 'webhook given up');
      this.#opts.onGiveUp();
      return;
    }
    const delay = d.hook.backoffMs * 2 ** (d.attempt - 1);
    this.#opts.logger.info({ url: d.hook.url, event: d.event, id: d.id, attempt: d.attempt, failure, retryInMs: delay }, 'webhook failed; will retry');
    const t = setTimeout(() => {
      this.#retries.delete(t);
      this.#enqueue(d);
      this.#pump();
    }, delay);
    t.unref();
    this.#retries.add(t);
  }
}
