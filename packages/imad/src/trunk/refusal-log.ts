/**
 * What the log says about messages refused at the trunk's front door. Anyone on
 * the network can send them, so one line per message would let an outsider
 * flood the log: the first refusal from an address is logged, later ones from
 * it are counted, and the count is logged as one line when a window (a minute)
 * has passed since that address's last line: at most one line per address per
 * window. An address that stays quiet for a whole window is forgotten, so its
 * next refusal is logged again at once. The number of addresses tracked is bounded (spoofed
 * UDP sources cost nothing to make); beyond it refusals are only counted.
 */
import type { Clock, Source, TimerHandle } from '@ima/sip-core';

export interface RefusalLogger {
  warn(fields: object, msg: string): void;
}

export interface RefusalLogOptions {
  readonly clock: Clock;
  readonly logger: RefusalLogger;
  /** How often the counts are logged (default 60 s). */
  readonly windowMs?: number;
  /** Addresses tracked at most (default 1000). */
  readonly maxSources?: number;
}

export class RefusalLog {
  readonly #clock: Clock;
  readonly #logger: RefusalLogger;
  readonly #windowMs: number;
  readonly #maxSources: number;
  /** Address -> refusals since its last line, and when that line was written. */
  readonly #counts = new Map<string, { count: number; since: number }>();
  /** Refusals from addresses beyond maxSources, since the last summary. */
  #untracked = 0;
  #timer: TimerHandle | undefined;

  constructor(opts: RefusalLogOptions) {
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#maxSources = opts.maxSources ?? 1000;
  }

  /** One message refused (a request answered 403, or a NOTIFY or response dropped). */
  note(source: Source, method: string | undefined): void {
    const seen = this.#counts.get(source.address);
    if (seen !== undefined) seen.count++;
    else if (this.#counts.size >= this.#maxSources) this.#untracked++;
    else {
      this.#counts.set(source.address, { count: 0, since: this.#clock.now() });
      this.#logger.warn(
        { source: `${source.address}:${source.port}`, method: method ?? 'response' },
        'refused: not an allowed trunk peer (more from this address are counted, one line a minute)',
      );
    }
    this.#timer ??= this.#clock.setTimeout(() => this.#summarize(), this.#windowMs);
  }

  /** Stop the window timer (the daemon is closing). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #summarize(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const [address, seen] of this.#counts) {
      if (now - seen.since < this.#windowMs) continue;
      if (seen.count === 0) {
        this.#counts.delete(address);
        continue;
      }
      // Still sending: it stays tracked, so a steady flood is one line a window.
      this.#logger.warn({ source: address, refused: seen.count, sinceS: Math.round((now - seen.since) / 1000) }, 'refused: more messages from an address outside sip.trunk.allow');
      seen.count = 0;
      seen.since = now;
    }
    if (this.#untracked > 0) {
      this.#logger.warn({ refused: this.#untracked, sources: `more than ${this.#maxSources}` }, 'refused: messages from too many addresses outside sip.trunk.allow to name each');
      this.#untracked = 0;
    }
    if (this.#counts.size > 0) this.#timer = this.#clock.setTimeout(() => this.#summarize(), this.#windowMs);
  }
}
