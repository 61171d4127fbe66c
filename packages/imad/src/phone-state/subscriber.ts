/**
 * Phone state through the trunk: one SUBSCRIBE dialog (RFC 6665) per watched
 * number, with the event package set per trunk (presence or dialog), NOTIFY
 * bodies read into phone states, refreshed before expiry.
 *
 *   subscribing ──2xx──▶ active ──refresh 2xx──▶ active
 *        │                 │  NOTIFY terminated (deactivated, timeout) ──▶ subscribing
 *        │                 │  481 / refresh timeout ──▶ subscribing
 *        │ 489 403 404 405 / NOTIFY terminated (rejected, noresource)
 *        v                 v
 *     refused ──(retry after REFUSED_RETRY_MS)──▶ subscribing
 *   timeout / transport error ──▶ waiting ──(backoff 30 s doubling to 10 min)──▶ subscribing
 *
 * A refusal is reported once per number until a subscription succeeds again:
 * a PBX that does not serve presence must not fill the log once a second.
 * NOTIFY may arrive before the 2xx to SUBSCRIBE (RFC 6665 §4.1.2.4): it is
 * matched by Call-ID and our tag, and accepted.
 */
import {
  type Clock,
  type Destination,
  type Endpoint,
  type SipResponse,
  type SipRequest as SipRequestType,
  SipRequest,
  type TimerHandle,
  type Uri,
  parseUri,
  requestTarget,
  routeSetForUac,
  type RouteSet,
} from '@ima/sip-core';
import type { PhoneState } from '@ima/ima-policy';
import { phoneStateFromNotify } from './notify-body.js';

export type EventPackage = 'presence' | 'dialog';

export interface SubscriberOptions {
  readonly endpoint: Endpoint;
  readonly clock: Clock;
  readonly package: EventPackage;
  /** Where SUBSCRIBEs go: the first healthy trunk peer (undefined: none, retry later). */
  readonly peer: () => Destination | undefined;
  /** Our From URI, e.g. `sip:ima@127.0.0.1`. */
  readonly fromUri: string;
  /** Our Contact header value, e.g. `<sip:ima@127.0.0.1:5060>`. */
  readonly contact: string;
  /** Requested subscription length (default 3600 s). */
  readonly expiresS?: number;
  readonly onState: (number: string, state: PhoneState) => void;
  /** A number the peer will not let us watch: said once, until it works again. */
  readonly onRefused?: (number: string, reason: string) => void;
}

export type SubscriptionStatus = 'subscribing' | 'active' | 'waiting' | 'refused' | 'stopped';

const ACCEPT: Record<EventPackage, string> = { presence: 'application/pidf+xml', dialog: 'application/dialog-info+xml' };
const REFUSING = new Set([403, 404, 405, 489]);
const REFUSED_RETRY_MS = 10 * 60_000;
const BACKOFF_START_MS = 30_000;
const BACKOFF_MAX_MS = 10 * 60_000;

interface Subscription {
  readonly number: string;
  status: SubscriptionStatus;
  callId: string;
  localTag: string;
  remoteTag: string | undefined;
  remoteTarget: Uri | undefined;
  routeSet: RouteSet;
  cseq: number;
  dest: Destination | undefined;
  timer: TimerHandle | undefined;
  backoffMs: number;
  hasReportedRefusal: boolean;
  generation: number;
}

const random = (n: number) => Math.floor(Math.random() * 36 ** n).toString(36);

export class PhoneStateSubscriber {
  readonly #o: SubscriberOptions;
  readonly #subs = new Map<string, Subscription>();
  /** Call-ID -> subscription, for NOTIFY. */
  readonly #byCallId = new Map<string, Subscription>();

  constructor(opts: SubscriberOptions) {
    this.#o = opts;
    opts.endpoint.on('NOTIFY', (req, tx) => {
      const res = this.#onNotify(req);
      opts.endpoint.respond(tx, res.status, res.reason, res.headers ? { headers: res.headers } : undefined);
    });
  }

  /** Watch exactly these numbers: new ones are subscribed, dropped ones unsubscribed. */
  watch(numbers: readonly string[]): void {
    const wanted = new Set(numbers);
    for (const [n, sub] of this.#subs) if (!wanted.has(n)) this.#stop(sub);
    for (const n of wanted) if (!this.#subs.has(n)) this.#subscribe(this.#fresh(n));
  }

  status(number: string): SubscriptionStatus | undefined {
    return this.#subs.get(number)?.status;
  }

  /** Unsubscribe everything (Expires: 0) and stop every timer. */
  stop(): void {
    for (const sub of [...this.#subs.values()]) this.#stop(sub);
  }

  #fresh(number: string): Subscription {
    const sub: Subscription = {
      number, status: 'subscribing', callId: '', localTag: '', remoteTag: undefined, remoteTarget: undefined, routeSet: [],
      cseq: 0, dest: undefined, timer: undefined, backoffMs: BACKOFF_START_MS, hasReportedRefusal: false, generation: 0,
    };
    this.#subs.set(number, sub);
    return sub;
  }

  #clearTimer(sub: Subscription): void {
    if (sub.timer) this.#o.clock.clearTimeout(sub.timer);
    sub.timer = undefined;
  }

  #later(sub: Subscription, ms: number, fn: () => void): void {
    this.#clearTimer(sub);
    const generation = sub.generation;
    sub.timer = this.#o.clock.setTimeout(() => {
      sub.timer = undefined;
      if (sub.generation === generation && sub.status !== 'stopped') fn();
    }, ms);
  }

  /** A new subscription (new Call-ID and tag). */
  #subscribe(sub: Subscription): void {
    const dest = this.#o.peer();
    this.#byCallId.delete(sub.callId);
    sub.generation++;
    sub.status = 'subscribing';
    if (dest === undefined) return this.#backoff(sub, 'no trunk peer is up');
    sub.dest = dest;
    sub.callId = `sub-${random(12)}@ima`;
    sub.localTag = random(10);
    sub.remoteTag = undefined;
    sub.remoteTarget = undefined;
    sub.routeSet = [];
    sub.cseq = 1;
    this.#byCallId.set(sub.callId, sub);
    const host = dest.host.includes(':') ? `[${dest.host}]` : dest.host;
    const uri = parseUri(`sip:${sub.number}@${host}:${dest.port}`);
    this.#send(sub, uri, [['To', `<${uri.toString()}>`]], this.#o.expiresS ?? 3600);
  }

  /** An in-dialog SUBSCRIBE: a refresh, or Expires 0 to end. */
  #refresh(sub: Subscription, expiresS: number): void {
    if (sub.remoteTarget === undefined || sub.remoteTag === undefined) return this.#subscribe(sub);
    sub.cseq++;
    const target = requestTarget(sub.routeSet, sub.remoteTarget);
    const toUri = parseUri(`sip:${sub.number}@${sub.dest!.host.includes(':') ? `[${sub.dest!.host}]` : sub.dest!.host}:${sub.dest!.port}`);
    this.#send(sub, target.uri, [['To', `<${toUri.toString()}>;tag=${sub.remoteTag}`], ...target.routes.map((r) => ['Route', r] as [string, string])], expiresS);
  }

  #send(sub: Subscription, uri: Uri, extra: Array<[string, string]>, expiresS: number): void {
    const generation = sub.generation;
    const req = new SipRequest({
      method: 'SUBSCRIBE',
      uri,
      headers: [
        ['From', `<${this.#o.fromUri}>;tag=${sub.localTag}`],
        ...extra,
        ['Call-ID', sub.callId],
        ['CSeq', `${sub.cseq} SUBSCRIBE`],
        ['Max-Forwards', '70'],
        ['Contact', this.#o.contact],
        ['Event', this.#o.package],
        ['Accept', ACCEPT[this.#o.package]],
        ['Expires', String(expiresS)],
      ],
    });
    const stale = () => sub.generation !== generation || sub.status === 'stopped';
    this.#o.endpoint.request(req, sub.dest!, {
      onResponse: (res) => {
        if (res.status >= 200 && !stale()) this.#onResponse(sub, res, expiresS);
      },
      onTimeout: () => !stale() && this.#backoff(sub, 'SUBSCRIBE timed out'),
      onTransportError: (err) => !stale() && this.#backoff(sub, `cannot send SUBSCRIBE: ${err.message}`),
    });
  }

  #onResponse(sub: Subscription, res: SipResponse, askedS: number): void {
    if (askedS === 0) return; // our unsubscribe: nothing more to do
    if (res.status < 300) {
      // RFC 6665 §4.1.2.1: the 2xx creates the dialog and says how long the subscription lasts.
      sub.remoteTag ??= res.to.tag;
      const contact = res.contact;
      if (contact !== '*' && contact[0]) sub.remoteTarget = contact[0].uri;
      sub.remoteTarget ??= parseUri(`sip:${sub.number}@${sub.dest!.host.includes(':') ? `[${sub.dest!.host}]` : sub.dest!.host}:${sub.dest!.port}`);
      if (res.cseq.seq === 1) sub.routeSet = routeSetForUac(res);
      this.#active(sub, res.expires ?? askedS);
      return;
    }
    if (res.status === 481) return this.#subscribe(sub); // the peer forgot the dialog: start again
    if (REFUSING.has(res.status)) return this.#refused(sub, `${res.status} ${res.reason} to SUBSCRIBE`);
    this.#backoff(sub, `${res.status} ${res.reason} to SUBSCRIBE`);
  }

  #active(sub: Subscription, expiresS: number): void {
    sub.status = 'active';
    sub.backoffMs = BACKOFF_START_MS;
    sub.hasReportedRefusal = false;
    // Refresh well before expiry (RFC 6665 §4.1.2.2), at least a few seconds ahead.
    const ms = Math.max(1000, Math.min(expiresS * 1000 - 5000, expiresS * 800));
    this.#later(sub, ms, () => this.#refresh(sub, this.#o.expiresS ?? 3600));
  }

  #refused(sub: Subscription, reason: string): void {
    sub.status = 'refused';
    if (!sub.hasReportedRefusal) {
      sub.hasReportedRefusal = true;
      this.#o.onRefused?.(sub.number, reason);
    }
    this.#later(sub, REFUSED_RETRY_MS, () => this.#subscribe(sub));
  }

  #backoff(sub: Subscription, _reason: string): void {
    sub.status = 'waiting';
    const ms = sub.backoffMs;
    sub.backoffMs = Math.min(sub.backoffMs * 2, BACKOFF_MAX_MS);
    this.#later(sub, ms, () => this.#subscribe(sub));
  }

  #stop(sub: Subscription): void {
    this.#clearTimer(sub);
    if (sub.status === 'active') this.#refresh(sub, 0);
    sub.status = 'stopped';
    sub.generation++;
    this.#subs.delete(sub.number);
    this.#byCallId.delete(sub.callId);
  }

  #onNotify(req: SipRequestType): { status: number; reason?: string; headers?: Array<[string, string]> } {
    const sub = this.#byCallId.get(req.callId);
    // RFC 6665 §4.1.3: a NOTIFY matching no subscription gets 481.
    if (sub === undefined || req.to.tag !== sub.localTag) return { status: 481 };
    if (req.event?.type !== this.#o.package) return { status: 489, headers: [['Allow-Events', this.#o.package]] };
    sub.remoteTag ??= req.from.tag;
    const contact = req.contact;
    if (sub.remoteTarget === undefined && contact !== '*' && contact[0]) sub.remoteTarget = contact[0].uri;
    const ss = req.subscriptionState;
    const reading = phoneStateFromNotify(req.headers.get('content-type'), req.body);
    if (reading.ok) this.#o.onState(sub.number, reading.state);
    if (ss?.state === 'terminated') {
      const reason = ss.reason ?? 'noreason';
      if (reason === 'rejected' || reason === 'noresource') this.#refused(sub, `subscription terminated: ${reason}`);
      else if (reason === 'probation' || reason === 'giveup') this.#later(sub, (ss.retryAfter ?? 60) * 1000, () => this.#subscribe(sub));
      else this.#later(sub, 0, () => this.#subscribe(sub)); // deactivated, timeout: subscribe again now
    } else if (ss?.state === 'active' || ss?.state === 'pending') {
      if (sub.status !== 'active' && ss.expires !== undefined) this.#active(sub, ss.expires);
    }
    return { status: 200 };
  }
}
