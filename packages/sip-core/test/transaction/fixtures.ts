/**
 * Shared builders for the transaction tests (not a test file itself): requests
 * and responses as a UA would send them, and small effect helpers.
 */
import { SipRequest, SipResponse, parseUri, type SipError } from '../../src/index.js';
import { SipError as Err } from '../../src/errors.js';
import { makeResponse } from '../../src/transaction/messages.js';
import type { Effect, TimerConfig } from '../../src/transaction/types.js';

export const CFG: TimerConfig = { T1: 500, T2: 4000, T4: 5000 };
export const UDP = { isReliable: false };
export const TCP = { isReliable: true };

export interface RequestOptions {
  branch?: string;
  toTag?: string;
  fromTag?: string;
  callId?: string;
  cseq?: number;
  sentBy?: string;
  uri?: string;
  routes?: string[];
}

/** A request as a UAC puts it on the wire (top Via with a branch). */
export function request(method: string, o: RequestOptions = {}): SipRequest {
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/UDP ${o.sentBy ?? '192.0.2.1:5060'};branch=${o.branch ?? 'z9hG4bKtest1'}`],
    ['Max-Forwards', '70'],
  ];
  for (const r of o.routes ?? []) headers.push(['Route', r]);
  headers.push(
    ['From', `<sip:alice@example.com>;tag=${o.fromTag ?? 'fromtag1'}`],
    ['To', `<sip:bob@example.org>${o.toTag !== undefined ? `;tag=${o.toTag}` : ''}`],
    ['Call-ID', o.callId ?? 'call-1@192.0.2.1'],
    ['CSeq', `${o.cseq ?? 1} ${method}`],
    ['Contact', '<sip:alice@192.0.2.1:5060>'],
  );
  return new SipRequest({ method, uri: parseUri(o.uri ?? 'sip:bob@example.org'), headers });
}

/** The response a UAS would send to req (To tag "totag" on everything but 100). */
export function response(req: SipRequest, status: number, toTag = 'totag'): SipResponse {
  return makeResponse(req, status, undefined, { toTag });
}

export const transportError = (): SipError => new Err('SIP_ERR_TRANSPORT', 'unreachable');

/** A compact view of effects for table assertions. */
export function summary(effects: readonly Effect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'send':
        return e.message.kind === 'request' ? `send ${e.message.method}` : `send ${e.message.status}`;
      case 'startTimer':
        return `start ${e.timer} ${e.ms}`;
      case 'cancelTimer':
        return `cancel ${e.timer}`;
      case 'deliver':
        return `deliver ${e.delivery.kind}${e.delivery.kind === 'response' ? ' ' + e.delivery.res.status : ''}`;
      case 'terminated':
        return `terminated ${e.why}`;
    }
  });
}
