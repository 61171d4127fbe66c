/**
 * PolicyRouter, the policy's decisions turned into B2BUA targets, when legs fail:
 * - the assistants' legs got no response from a peer (timeout): the same assistants go to the next peer
 * - the assistants rejected the call (486): the decision's fallback (voicemail, with Diversion)
 * - a ringing call steered elsewhere (steered()): a steered leg that times out on a peer does not
 *   bring the assistants back on the next peer; the fallback follows instead
 */
import t from 'tap';
import type { Call as B2buaCall, LegFailure, RouteDecision } from '@ima/b2bua';
import type { AssistantsDecision } from '@ima/ima-policy';
import { type SipRequest, parseMessage } from '@ima/sip-core';
import { PolicyRouter } from '../src/calls.js';

const A = { host: '127.0.0.1', port: 5080, protocol: 'udp' as const };
const B = { host: '127.0.0.2', port: 5080, protocol: 'udp' as const };

const decision: AssistantsDecision = {
  kind: 'assistants',
  managerId: 'alice',
  assistants: [{ id: 'bob', number: '2000' }],
  alerting: 'parallel',
  noAnswerMs: 20_000,
  fallback: { kind: 'forward', managerId: 'alice', target: 'voicemail', number: '8000', diversion: { number: '1000', reason: 'no-answer' }, reason: 'no answer', consumes: [] },
  reason: 'filter on; caller not whitelisted',
  consumes: [],
};

function rig() {
  let peer = A;
  const failedPeers: string[] = [];
  const router = new PolicyRouter(
    {
      decide: () => decision,
      peer: () => peer,
      peerFailed: (p) => {
        failedPeers.push(p.host);
        peer = B;
      },
      consumed: () => {},
      log: () => {},
    },
    () => '1000',
  );
  const invite = parseMessage(
    'INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1\r\nFrom: <sip:0299@127.0.0.1>;tag=1\r\nTo: <sip:1000@127.0.0.1>\r\n' +
      'Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
  ) as SipRequest;
  // The router reads a call's id and its legs' rejections only.
  const call = { id: 'call-1', legs: [{ id: 1, rejection: undefined }] } as unknown as B2buaCall;
  return { router, invite, call, failedPeers };
}

const uris = (d: RouteDecision): string[] => ('targets' in d ? d.targets.map((x) => x.uri) : [`reject ${d.reject}`]);
const timeout: LegFailure[] = [{ leg: 1, target: { uri: 'sip:2000@127.0.0.1:5080' }, status: 408, cause: 'timeout' }] as unknown as LegFailure[];

t.test('no response from the peer: the assistants are placed on the next peer', async (t) => {
  const r = rig();
  t.same(uris(r.router.route(r.invite, r.call)), ['sip:2000@127.0.0.1:5080']);
  t.same(uris(r.router.onAllFailed(timeout, 408, r.call)), ['sip:2000@127.0.0.2:5080']);
  t.same(r.failedPeers, ['127.0.0.1']);
});

t.test('the assistants rejected the call: the fallback, with a Diversion naming the manager', async (t) => {
  const r = rig();
  r.router.route(r.invite, r.call);
  const busy = [{ ...timeout[0]!, status: 486, cause: 'rejected' }] as unknown as LegFailure[];
  const d = r.router.onAllFailed(busy, 486, r.call);
  t.same(uris(d), ['sip:8000@127.0.0.1:5080']);
  t.match('targets' in d ? d.targets[0]?.diversion : undefined, { number: '1000', reason: 'no-answer' });
});

t.test('a steered call whose steered leg times out: the fallback, never the assistants again', async (t) => {
  const r = rig();
  r.router.route(r.invite, r.call);
  r.router.steered(r.call);
  t.same(uris(r.router.onAllFailed(timeout, 408, r.call)), ['sip:8000@127.0.0.1:5080']);
  t.same(r.failedPeers, [], 'nothing is known about the peer of a steered leg from the first placement');
});
