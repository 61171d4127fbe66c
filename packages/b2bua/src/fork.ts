/**
 * Forking: which outbound legs a call tries, in what order, and what the
 * caller hears (RFC 3261 §16.7 for choosing among failures, applied by a B2BUA).
 * A pure machine: the Call runs its effects and owns the timers.
 *
 *        start(targets)
 *             │
 *             v         a leg answers (2xx)            ┌──────────┐
 *        ┌─────────┐ ─────────────────────────────────▶ │ answered │  other legs: CANCEL,
 *        │ trying  │                                    └──────────┘  late 2xx: ACK + BYE
 *        └─────────┘ ─── caller CANCEL ───▶ cancelled   (pending legs: CANCEL)
 *          │     ^
 *  every leg failed, no target left
 *          v     │ application gives targets
 *      ┌─────────────────────┐ ── application rejects ──▶ rejected (final to the caller)
 *      │ askingApplication   │ ── caller CANCEL ────────▶ cancelled
 *      └─────────────────────┘
 *
 *   redirect(targets), in trying or askingApplication: every leg still going is
 *   CANCELed and done with (a 2xx from it gets ACK + BYE), the queue and the
 *   failures are dropped, and the new targets start: trying again.
 *
 * parallel: every target at once, first 2xx wins. sequential: one at a time,
 * the next on failure or when its no-answer timer fires.
 */
import { assertNever } from './assert-never.js';

export type ForkMode = 'parallel' | 'sequential';

export interface ForkTarget {
  /** The Request-URI of the outbound INVITE. */
  readonly uri: string;
  /** Give up on this target after this long without an answer (undefined: wait for the callee). */
  readonly noAnswerMs?: number | undefined;
  /** Whatever the application wants back in events (e.g. "assistant bob"). */
  readonly label?: string | undefined;
}

export type LegPhase = 'calling' | 'early' | 'cancelling' | 'done';

export interface ForkLeg {
  readonly id: number;
  readonly target: ForkTarget;
  readonly phase: LegPhase;
}

/** Why a leg did not answer. */
export type FailureCause = 'noAnswer' | 'busy' | 'rejected' | 'timeout' | 'transport' | 'cancelled';

export interface LegFailure {
  readonly leg: number;
  readonly target: ForkTarget;
  readonly status: number;
  readonly cause: FailureCause;
}

export type ForkState =
  | { readonly kind: 'idle' }
  | {
      readonly kind: 'trying';
      readonly mode: ForkMode;
      readonly legs: readonly ForkLeg[];
      readonly queue: readonly ForkTarget[];
      readonly failures: readonly LegFailure[];
      readonly nextId: number;
    }
  | { readonly kind: 'askingApplication'; readonly legs: readonly ForkLeg[]; readonly failures: readonly LegFailure[]; readonly nextId: number }
  | { readonly kind: 'answered'; readonly winner: number; readonly legs: readonly ForkLeg[] }
  | { readonly kind: 'rejected'; readonly status: number; readonly legs: readonly ForkLeg[] }
  | { readonly kind: 'cancelled'; readonly legs: readonly ForkLeg[] };

export type ForkEvent =
  | { readonly type: 'start'; readonly targets: readonly ForkTarget[]; readonly mode: ForkMode }
  | { readonly type: 'provisional'; readonly leg: number; readonly status: number }
  | { readonly type: 'answered'; readonly leg: number }
  | { readonly type: 'failed'; readonly leg: number; readonly status: number; readonly cause?: FailureCause }
  | { readonly type: 'noAnswer'; readonly leg: number }
  | { readonly type: 'callerCancel' }
  | { readonly type: 'applicationTargets'; readonly targets: readonly ForkTarget[]; readonly mode: ForkMode }
  | { readonly type: 'applicationReject'; readonly status: number; readonly reason?: string | undefined }
  /** The application sends the unanswered call elsewhere (a deflection): these targets instead of every leg so far. */
  | { readonly type: 'redirect'; readonly targets: readonly ForkTarget[]; readonly mode: ForkMode };

export type ForkEffect =
  | { readonly type: 'startLeg'; readonly leg: number; readonly target: ForkTarget }
  | { readonly type: 'startNoAnswerTimer'; readonly leg: number; readonly ms: number }
  | { readonly type: 'stopNoAnswerTimer'; readonly leg: number }
  | { readonly type: 'cancelLeg'; readonly leg: number; readonly why: 'answeredElsewhere' | 'callerCancel' | 'noAnswer' | 'redirect' }
  /** A 2xx that nobody wants (crossed a CANCEL, or another leg won): ACK it, then BYE (RFC 3261 §15, §16.7). */
  | { readonly type: 'ackAndBye'; readonly leg: number }
  | { readonly type: 'relayProvisional'; readonly leg: number; readonly status: number }
  | { readonly type: 'answerCaller'; readonly leg: number }
  | { readonly type: 'askApplication'; readonly failures: readonly LegFailure[]; readonly suggested: number }
  | { readonly type: 'rejectCaller'; readonly status: number; readonly reason?: string | undefined }
  /** Tell observers: the legs `from` were given up for the new ones, the first of which is `to`. */
  | { readonly type: 'reportRedirect'; readonly from: readonly number[]; readonly to: number };

export interface ForkStep {
  readonly state: ForkState;
  readonly effects: readonly ForkEffect[];
}

export const initialForkState: ForkState = { kind: 'idle' };

const isLive = (l: ForkLeg) => l.phase === 'calling' || l.phase === 'early';

function setPhase(legs: readonly ForkLeg[], id: number, phase: LegPhase): ForkLeg[] {
  return legs.map((l) => (l.id === id ? { ...l, phase } : l));
}

function causeOf(status: number): FailureCause {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408) return 'timeout';
  if (status === 487) return 'cancelled';
  if (status === 503) return 'transport';
  return 'rejected';
}

/**
 * The status that best tells the caller why no leg answered (RFC 3261 §16.7
 * step 6): any 6xx; else the lowest class, preferring busy over other 4xx,
 * and a real answer over our own 408/487 bookkeeping.
 */
export function bestFailureStatus(failures: readonly LegFailure[]): number {
  if (failures.length === 0) return 480;
  const six = failures.find((f) => f.status >= 600);
  if (six) return six.status;
  const real = failures.filter((f) => f.cause !== 'noAnswer' && f.cause !== 'cancelled');
  const pool = real.length > 0 ? real : failures;
  if (pool.some((f) => f.cause === 'busy')) return 486;
  const cls = Math.min(...pool.map((f) => Math.floor(f.status / 100)));
  const first = pool.find((f) => Math.floor(f.status / 100) === cls)!;
  // Our own no-answer cancellation surfaces as 480 (Temporarily Unavailable), not 487.
  return first.cause === 'noAnswer' || first.cause === 'cancelled' ? 480 : first.status;
}

function launch(targets: readonly ForkTarget[], nextId: number): { legs: ForkLeg[]; effects: ForkEffect[]; nextId: number } {
  const legs: ForkLeg[] = [];
  const effects: ForkEffect[] = [];
  for (const target of targets) {
    const id = nextId++;
    legs.push({ id, target, phase: 'calling' });
    effects.push({ type: 'startLeg', leg: id, target });
    if (target.noAnswerMs !== undefined) effects.push({ type: 'startNoAnswerTimer', leg: id, ms: target.noAnswerMs });
  }
  return { legs, effects, nextId };
}

function begin(targets: readonly ForkTarget[], mode: ForkMode, prior: readonly ForkLeg[], failures: readonly LegFailure[], nextId: number): ForkStep {
  if (targets.length === 0) return exhausted(prior, failures, nextId);
  const now = mode === 'parallel' ? targets : targets.slice(0, 1);
  const queue = mode === 'parallel' ? [] : targets.slice(1);
  const l = launch(now, nextId);
  return { state: { kind: 'trying', mode, legs: [...prior, ...l.legs], queue, failures, nextId: l.nextId }, effects: l.effects };
}

/** No leg left to try: the application decides (another target list, or the final response). */
function exhausted(legs: readonly ForkLeg[], failures: readonly LegFailure[], nextId: number): ForkStep {
  return {
    state: { kind: 'askingApplication', legs, failures, nextId },
    effects: [{ type: 'askApplication', failures, suggested: bestFailureStatus(failures) }],
  };
}

/** After a leg is done: start the next queued target, or ask the application when nothing is live. */
function advance(s: Extract<ForkState, { kind: 'trying' }>, legs: readonly ForkLeg[], failures: readonly LegFailure[], effects: ForkEffect[]): ForkStep {
  if (legs.some(isLive)) return { state: { ...s, legs, failures }, effects };
  if (s.queue.length > 0) {
    const next = begin(s.queue, 'sequential', legs, failures, s.nextId);
    return { state: next.state, effects: [...effects, ...next.effects] };
  }
  const asked = exhausted(legs, failures, s.nextId);
  return { state: asked.state, effects: [...effects, ...asked.effects] };
}

function legOf(legs: readonly ForkLeg[], id: number): ForkLeg | undefined {
  return legs.find((l) => l.id === id);
}

/** Late messages from legs of a call that is over: only a 2xx needs an action (ACK + BYE). */
function afterTheFact(state: ForkState, event: ForkEvent): ForkStep {
  if (event.type === 'answered') return { state, effects: [{ type: 'ackAndBye', leg: event.leg }] };
  return { state, effects: [] };
}

export function stepFork(state: ForkState, event: ForkEvent): ForkStep {
  switch (state.kind) {
    case 'idle':
      if (event.type === 'start') return begin(event.targets, event.mode, [], [], 1);
      if (event.type === 'callerCancel') return { state: { kind: 'cancelled', legs: [] }, effects: [] };
      return { state, effects: [] };
    case 'trying':
      return stepTrying(state, event);
    case 'askingApplication':
      switch (event.type) {
        case 'applicationTargets':
          return begin(event.targets, event.mode, state.legs, state.failures, state.nextId);
        case 'applicationReject':
          return { state: { kind: 'rejected', status: event.status, legs: state.legs }, effects: [{ type: 'rejectCaller', status: event.status, reason: event.reason }] };
        case 'callerCancel':
          return { state: { kind: 'cancelled', legs: state.legs }, effects: [] };
        case 'redirect':
          return redirect(state.legs, event, state.nextId);
        case 'answered':
        case 'start':
        case 'provisional':
        case 'failed':
        case 'noAnswer':
          return afterTheFact(state, event);
        default:
          return assertNever(event);
      }
    case 'answered':
      // §16.7: once a 2xx went to the caller, any other 2xx is ACKed and ended.
      if (event.type === 'answered' && event.leg !== state.winner) return { state, effects: [{ type: 'ackAndBye', leg: event.leg }] };
      return { state, effects: [] };
    case 'rejected':
    case 'cancelled':
      return afterTheFact(state, event);
    default:
      return assertNever(state);
  }
}

/**
 * Every leg not done yet is given up: a live one is CANCELed (a 2xx crossing that CANCEL gets
 * ACK + BYE, never the caller), one already cancelled for no answer no longer wins with a late
 * 2xx. The new targets start afresh: no queue, no failures from before (the application asked
 * for these targets, so their failures alone decide what it is asked next).
 */
function redirect(prior: readonly ForkLeg[], event: Extract<ForkEvent, { type: 'redirect' }>, nextId: number): ForkStep {
  const effects: ForkEffect[] = [];
  const from: number[] = [];
  const legs = prior.map((l): ForkLeg => {
    if (l.phase === 'done') return l;
    from.push(l.id);
    if (isLive(l)) effects.push({ type: 'stopNoAnswerTimer', leg: l.id }, { type: 'cancelLeg', leg: l.id, why: 'redirect' });
    return { ...l, phase: 'done' };
  });
  const next = begin(event.targets, event.mode, legs, [], nextId);
  const report: ForkEffect[] = event.targets.length > 0 ? [{ type: 'reportRedirect', from, to: nextId }] : [];
  return { state: next.state, effects: [...effects, ...next.effects, ...report] };
}

function stepTrying(s: Extract<ForkState, { kind: 'trying' }>, event: ForkEvent): ForkStep {
  switch (event.type) {
    case 'redirect':
      return redirect(s.legs, event, s.nextId);
    case 'start':
    case 'applicationTargets':
    case 'applicationReject':
      return { state: s, effects: [] };
    case 'provisional': {
      const leg = legOf(s.legs, event.leg);
      if (!leg || !isLive(leg) || event.status === 100) return { state: s, effects: [] };
      return { state: { ...s, legs: setPhase(s.legs, leg.id, 'early') }, effects: [{ type: 'relayProvisional', leg: leg.id, status: event.status }] };
    }
    case 'answered': {
      const leg = legOf(s.legs, event.leg);
      if (!leg || leg.phase === 'done') return { state: s, effects: [{ type: 'ackAndBye', leg: event.leg }] };
      // A 2xx wins even from a leg we were cancelling for no answer: the callee picked up, and the caller still waits.
      const effects: ForkEffect[] = [{ type: 'stopNoAnswerTimer', leg: leg.id }];
      let legs = setPhase(s.legs, leg.id, 'done');
      for (const other of legs) {
        if (other.id !== leg.id && isLive(other)) {
          effects.push({ type: 'stopNoAnswerTimer', leg: other.id }, { type: 'cancelLeg', leg: other.id, why: 'answeredElsewhere' });
          legs = setPhase(legs, other.id, 'cancelling');
        }
      }
      effects.push({ type: 'answerCaller', leg: leg.id });
      return { state: { kind: 'answered', winner: leg.id, legs }, effects };
    }
    case 'failed': {
      const leg = legOf(s.legs, event.leg);
      if (!leg || leg.phase === 'done') return { state: s, effects: [] };
      const wasNoAnswer = s.failures.some((f) => f.leg === leg.id && f.cause === 'noAnswer');
      const failures = wasNoAnswer ? s.failures : [...s.failures, { leg: leg.id, target: leg.target, status: event.status, cause: event.cause ?? causeOf(event.status) }];
      return advance(s, setPhase(s.legs, leg.id, 'done'), failures, [{ type: 'stopNoAnswerTimer', leg: leg.id }]);
    }
    case 'noAnswer': {
      const leg = legOf(s.legs, event.leg);
      if (!leg || !isLive(leg)) return { state: s, effects: [] };
      // The leg stays 'cancelling' until its 487 arrives; the next target starts now, the caller is not kept waiting.
      const failures = [...s.failures, { leg: leg.id, target: leg.target, status: 408, cause: 'noAnswer' as const }];
      const legs = setPhase(s.legs, leg.id, 'cancelling');
      return advance(s, legs, failures, [{ type: 'cancelLeg', leg: leg.id, why: 'noAnswer' }]);
    }
    case 'callerCancel': {
      const effects: ForkEffect[] = [];
      let legs = s.legs;
      for (const l of s.legs) {
        if (isLive(l)) {
          effects.push({ type: 'stopNoAnswerTimer', leg: l.id }, { type: 'cancelLeg', leg: l.id, why: 'callerCancel' });
          legs = setPhase(legs, l.id, 'cancelling');
        }
      }
      return { state: { kind: 'cancelled', legs }, effects };
    }
    default:
      return assertNever(event);
  }
}
