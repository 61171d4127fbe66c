/**
 * Which headers of the caller's INVITE cross to an outbound leg, what is added
 * (Diversion, RFC 5806), and the hop count (Max-Forwards, RFC 3261 §16.6 step 3,
 * applied by a B2BUA so that a routing loop through the PBX still ends: 483).
 *
 * Never copied, whatever the policy says: what belongs to one dialog or one hop
 * (Via, Route, Record-Route, Contact, Call-ID, CSeq, From/To tags, Max-Forwards,
 * Content-Length) and credentials (Authorization, Proxy-Authorization).
 */
import { type SipMessage, type SipRequest, canonicalName, formatNameAddr, parseNameAddrList, parseUri } from '@ima/sip-core';

/** Decides, per header of the caller's INVITE, whether it crosses to the outbound leg. */
export interface HeaderPolicy {
  /** Canonical (lower-case, full) names that cross. */
  readonly copy: ReadonlySet<string>;
}

/** What IMA needs across a CUCM trunk: identity, diversion history, session timers, display hints. */
export const DEFAULT_HEADER_POLICY: HeaderPolicy = {
  copy: new Set([
    'p-asserted-identity', 'p-preferred-identity', 'privacy', 'remote-party-id', 'diversion', 'history-info',
    'user-agent', 'session-expires', 'min-se', 'alert-info', 'call-info', 'subject', 'priority', 'accept',
    'accept-language', 'organization', 'x-cisco-original-called',
  ]),
};

const NEVER = new Set([
  'via', 'route', 'record-route', 'contact', 'call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length',
  'authorization', 'proxy-authorization', 'proxy-require', 'content-type', 'content-disposition', 'content-encoding',
]);

/** The header lines of a message from one leg (the caller's INVITE, a re-INVITE, a 2xx) that cross to the other, in their order. */
export function crossingHeaders(inbound: SipMessage, policy: HeaderPolicy = DEFAULT_HEADER_POLICY): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  inbound.headers.forEachLine((name, value, key) => {
    if (!NEVER.has(key) && policy.copy.has(key)) out.push([name, value]);
  });
  return out;
}

/** The identity headers that carry a display name the called phone may show instead of From's (RFC 3325, draft-ietf-sip-privacy-04). */
const IDENTITY = new Set(['p-asserted-identity', 'p-preferred-identity', 'remote-party-id']);

/**
 * The crossing header lines with the display name of every identity value
 * (P-Asserted-Identity, P-Preferred-Identity, Remote-Party-ID) replaced and
 * the URIs and parameters kept: a PBX that trusts the trunk may show those
 * rather than From's name. A value that does not parse is left as it came.
 */
export function withDisplayName(lines: ReadonlyArray<readonly [string, string]>, displayName: string): Array<readonly [string, string]> {
  return lines.map(([name, value]) => {
    if (!IDENTITY.has(canonicalName(name))) return [name, value];
    try {
      const values = parseNameAddrList([value], name);
      return [name, values.map((na) => formatNameAddr({ displayName, uri: na.uri, params: na.params })).join(', ')];
    } catch {
      return [name, value];
    }
  });
}

export type HopResult = { readonly ok: true; readonly maxForwards: number } | { readonly ok: false; readonly status: 483 };

/** RFC 3261 §16.6 step 3: one less hop; none left (0) is 483 Too Many Hops. Absent: 70, as §8.1.1.6 sets. */
export function nextHop(inbound: SipRequest): HopResult {
  const mf = inbound.maxForwards ?? 70;
  if (mf <= 0) return { ok: false, status: 483 };
  return { ok: true, maxForwards: mf - 1 };
}

/** RFC 5806 diversion reasons. */
export type DiversionReason =
  | 'unknown' | 'user-busy' | 'no-answer' | 'unavailable' | 'unconditional' | 'time-of-day' | 'do-not-disturb'
  | 'deflection' | 'follow-me' | 'out-of-service' | 'away';

/**
 * A Diversion header value naming the diverting party (the manager's public
 * number, so that the voicemail box is the manager's), with reason and counter
 * one above the highest counter already present (RFC 5806 §3).
 */
export function diversionFor(inbound: SipRequest, diverter: { number: string; host: string; displayName?: string }, reason: DiversionReason): string {
  let counter = 0;
  try {
    for (const d of inbound.diversion) {
      const c = Number(d.params.get('counter') ?? '1');
      counter = Math.max(counter, Number.isFinite(c) ? c : 1);
    }
  } catch {
    // A malformed Diversion from upstream does not stop ours from being added.
  }
  const uri = parseUri(`sip:${diverter.number}@${diverter.host}`);
  return formatNameAddr({
    displayName: diverter.displayName,
    uri,
    params: new Map([['reason', reason], ['counter', String(counter + 1)], ['privacy', 'off']]),
  });
}

/** The canonical name, for callers building their own policies from header names as people write them. */
export function policyOf(names: readonly string[]): HeaderPolicy {
  return { copy: new Set(names.map((n) => canonicalName(n))) };
}
