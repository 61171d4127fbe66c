/**
 * One outbound leg of a Call and the helpers that carry a message from one leg
 * to the other: the SDP and the headers the policy lets cross, unchanged.
 */
import {
  type AnswerOptions,
  type Destination,
  type HeaderInit,
  type RequestOptions,
  type Session,
  type SipMessage,
  type SipResponse,
  type TerminationCause,
  type TimerHandle,
  type Uri,
  formatReason,
  parseUri,
  reasonPhrase,
} from '@ima/sip-core';
import type { ForkTarget } from './fork.js';
import { type DiversionReason, type HeaderPolicy, crossingHeaders } from './header-policy.js';

/** A party that diverted the call (RFC 5806), named in the Diversion header of the outbound INVITE. */
export interface DiversionSpec {
  /** The diverting party's number (for IMA: the manager's public number). */
  readonly number: string;
  readonly host: string;
  readonly displayName?: string;
  readonly reason: DiversionReason;
}

/** A target the application routes to: a fork target plus where and how to send its INVITE. */
export interface RouteTarget extends ForkTarget {
  /** The first hop (default: host, port and transport of the URI). */
  readonly dest?: Destination | undefined;
  /** Extra headers for this target's INVITE. */
  readonly headers?: HeaderInit | undefined;
  /** Add a Diversion header naming this party (the call is diverted to this target). */
  readonly diversion?: DiversionSpec | undefined;
  /**
   * The display name this callee sees (default: the caller's), on From and on the copied
   * P-Asserted-Identity, P-Preferred-Identity and Remote-Party-ID; the caller's URIs are kept.
   */
  readonly fromDisplayName?: string | undefined;
}

/** The session API a Call uses on every leg (sip-core's Session). */
type CommonSession = Pick<Session, 'on' | 'state' | 'invite' | 'callId' | 'bye' | 'ack' | 'request'>;

/** The inbound leg: sip-core's UAS session (it answers the caller's INVITE). */
export interface InboundSession extends CommonSession {
  progress(status?: number, opts?: AnswerOptions): boolean;
  accept(opts?: AnswerOptions & { status?: number }): boolean;
  reject(status?: number, opts?: AnswerOptions): boolean;
}

/** An outbound leg: sip-core's UAC session (its INVITE can be CANCELed). */
export interface OutboundSession extends CommonSession {
  /** `crossing2xx: 'keep'`: a 2xx that crosses the CANCEL is handed over ('confirmed') instead of ACKed and BYEd. */
  cancel(opts?: { crossing2xx?: 'release' | 'keep' }): boolean;
}

/** How an outbound leg ended up. */
export type LegOutcome = 'pending' | 'answered' | 'failed' | 'cancelled' | 'released' | 'ended';

/** One outbound leg (a UAC session) of a call. */
export interface CallLeg {
  /** The fork machine's leg id (retarget legs continue the numbering). */
  readonly id: number;
  readonly target: RouteTarget;
  readonly session: OutboundSession;
  /** 'fork': started by the fork machine; 'retarget': a new leg for an answered call. */
  readonly kind: 'fork' | 'retarget';
  outcome: LegOutcome;
  /** The final status the leg's INVITE got (200 when answered). */
  status: number | undefined;
  /** The latest provisional (for relaying) and the 2xx, until the answer reached the caller or the leg ended. */
  provisional: SipResponse | undefined;
  answer: SipResponse | undefined;
  /** A 2xx arrived on this leg (it stays true when `answer` has been let go). */
  isAnswered: boolean;
  /** The final non-2xx the leg's INVITE got, when there was one. */
  rejection: SipResponse | undefined;
  noAnswerTimer: TimerHandle | undefined;
  isTerminated: boolean;
}

/** What observers learn about a leg when the call ends. */
export interface LegSummary {
  readonly id: number;
  readonly uri: string;
  readonly label: string | undefined;
  readonly outcome: LegOutcome;
  readonly status: number | undefined;
}

/** The observer's view of a leg. */
export const summarize = (l: CallLeg): LegSummary => ({ id: l.id, uri: l.target.uri, label: l.target.label, outcome: l.outcome, status: l.status });

const hasBody = (m: SipMessage): boolean => m.body.byteLength > 0;

/** The body of a message with its Content-Type, when it has one. */
function bodyOf(m: SipMessage): { body?: Uint8Array; contentType?: string } {
  if (!hasBody(m)) return {};
  return { body: m.body, contentType: m.headers.get('content-type') ?? 'application/sdp' };
}

/** A request relayed to the other leg: same method, body and Content-Type, the headers the policy lets cross. */
export function relayRequestOptions(req: SipMessage, policy: HeaderPolicy): RequestOptions {
  return { headers: crossingHeaders(req, policy), ...bodyOf(req) };
}

/** A response relayed to the other leg: same reason phrase, body, and the headers the policy lets cross. */
export function relayAnswerOptions(res: SipResponse, policy: HeaderPolicy): AnswerOptions & { reason: string } {
  return { reason: res.reason, headers: crossingHeaders(res, policy), ...bodyOf(res) };
}

/** RFC 3326: `Reason: SIP;cause=503;text="Service Unavailable"`. */
export function reasonHeader(status: number, text: string = reasonPhrase(status)): [string, string] {
  return ['Reason', formatReason({ protocol: 'SIP', cause: status, text })];
}

/** The status that stands for how a leg's INVITE session ended (RFC 3261 §8.1.3.1: no response = 408, transport = 503). */
export function statusOfCause(cause: TerminationCause): number {
  switch (cause.kind) {
    case 'rejected':
      return cause.status;
    case 'cancelled':
    case 'remoteBye':
      return 487;
    case 'timeout':
      return 408;
    case 'transportError':
      return 503;
    case 'dialogGone':
      return cause.status;
    case 'ackTimeout':
      return 408;
    case 'localBye':
    case 'forkReleased':
    case 'closed':
      return 500;
  }
}

/**
 * The SIP URI of `user` whose first hop is `dest` (the reverse of destinationOfUri): its host
 * (an IPv6 literal in brackets) and port, with `;transport=` unless UDP, the default.
 */
export function uriOfDestination(user: string, dest: Destination): string {
  const host = dest.host.includes(':') && !dest.host.startsWith('[') ? `[${dest.host}]` : dest.host;
  return `sip:${user}@${host}:${dest.port}${dest.protocol === 'udp' ? '' : `;transport=${dest.protocol}`}`;
}

/** RFC 3263 without DNS: the first hop of a SIP URI is its host, port and transport parameter. */
export function destinationOfUri(text: string | Uri): Destination | undefined {
  let uri: Uri;
  try {
    uri = typeof text === 'string' ? parseUri(text) : text;
  } catch {
    return undefined;
  }
  if (uri.kind !== 'sip') return undefined;
  const t = uri.params.get('transport')?.toLowerCase();
  const protocol = t === 'tcp' ? 'tcp' : t === 'tls' || uri.scheme === 'sips' ? 'tls' : 'udp';
  return { protocol, host: uri.hostname, port: uri.port ?? (protocol === 'tls' ? 5061 : 5060) };
}
