/**
 * Transaction matching (RFC 3261 §17.1.3, §17.2.3, §9.2, §8.2.2.2):
 * - client: branch + CSeq method; a CANCEL has its own key; a response without branch has none
 * - server (RFC 3261 branch): branch + sent-by + method; ACK matches its INVITE; another sent-by or method does not
 * - server (RFC 2543 fallback): no cookie, or the bare cookie of RFC 4475 §3.2.1 badbranch.dat (read as bytes);
 *   Request-URI, To tag, From tag, Call-ID, CSeq, top Via; the ACK matches by the response's To tag
 * - CANCEL finds the INVITE it cancels, in both styles
 * - merge key: only for requests without To tag, From tag + Call-ID + CSeq
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMessage, type SipRequest } from '../../src/index.js';
import {
  cancelTargetKey,
  clientKeyOfResponse,
  clientTransactionKey,
  isRfc3261Branch,
  mergeKey,
  serverTransactionKey,
} from '../../src/transaction/matching.js';
import { buildAckForNon2xx, buildCancel } from '../../src/transaction/messages.js';
import { request, response } from './fixtures/messages.js';

const conformance = fileURLToPath(new URL('../conformance/rfc4475/', import.meta.url));

t.test('client: a response matches by top Via branch and CSeq method', async (t) => {
  const invite = request('INVITE', { branch: 'z9hG4bKone' });
  t.equal(clientKeyOfResponse(response(invite, 180)), clientTransactionKey('z9hG4bKone', 'INVITE'));
  const cancel = buildCancel(invite);
  t.not(clientKeyOfResponse(response(cancel, 200)), clientKeyOfResponse(response(invite, 200)), 'the CANCEL has its own client transaction');
  const noBranch = response(request('OPTIONS'), 200);
  noBranch.headers.set('Via', 'SIP/2.0/UDP 192.0.2.1');
  t.equal(clientKeyOfResponse(noBranch), undefined);
});

t.test('isRfc3261Branch: the cookie and something after it', async (t) => {
  t.ok(isRfc3261Branch('z9hG4bK776asdhds'));
  t.notOk(isRfc3261Branch('z9hG4bK'), 'the bare cookie (RFC 4475 §3.2.1) is not');
  t.notOk(isRfc3261Branch('776asdhds'));
  t.notOk(isRfc3261Branch(undefined));
});

t.test('server, RFC 3261: branch + sent-by + method; ACK matches the INVITE', async (t) => {
  const invite = request('INVITE', { branch: 'z9hG4bKx1' });
  const key = serverTransactionKey(invite);
  t.equal(serverTransactionKey(request('INVITE', { branch: 'z9hG4bKx1' })), key, 'a retransmission matches');
  t.equal(serverTransactionKey(buildAckForNon2xx(invite, response(invite, 486))), key, 'the ACK to a non-2xx matches its INVITE');
  t.not(serverTransactionKey(request('INVITE', { branch: 'z9hG4bKx1', sentBy: '192.0.2.99:5060' })), key, 'another sent-by does not');
  t.not(serverTransactionKey(request('OPTIONS', { branch: 'z9hG4bKx1' })), key, 'another method does not');
  t.not(serverTransactionKey(buildCancel(invite)), key, 'a CANCEL is its own transaction');
  t.equal(cancelTargetKey(buildCancel(invite)), key, 'and finds the INVITE it cancels (§9.2)');
});

t.test('server, RFC 2543 fallback: every named field takes part', async (t) => {
  const o = { branch: '1234abcd' };
  const key = serverTransactionKey(request('INVITE', o));
  t.equal(serverTransactionKey(request('INVITE', o)), key);
  t.not(serverTransactionKey(request('INVITE', { ...o, uri: 'sip:carol@example.org' })), key, 'Request-URI');
  t.not(serverTransactionKey(request('INVITE', { ...o, toTag: 'x' })), key, 'To tag');
  t.not(serverTransactionKey(request('INVITE', { ...o, fromTag: 'x' })), key, 'From tag');
  t.not(serverTransactionKey(request('INVITE', { ...o, callId: 'other@x' })), key, 'Call-ID');
  t.not(serverTransactionKey(request('INVITE', { ...o, cseq: 2 })), key, 'CSeq');
  t.not(serverTransactionKey(request('INVITE', { ...o, sentBy: '192.0.2.7' })), key, 'top Via');
  const invite = request('INVITE', o);
  const ack = buildAckForNon2xx(invite, response(invite, 486, 'resp-tag'));
  t.not(serverTransactionKey(ack), key, 'the ACK carries the To tag of the response...');
  t.equal(serverTransactionKey(ack), serverTransactionKey(invite, { toTag: 'resp-tag' }), '...and matches the INVITE indexed under that tag');
  t.equal(cancelTargetKey(buildCancel(invite)), key, 'CANCEL finds the INVITE');
});

t.test('RFC 4475 §3.2.1 badbranch.dat: a bare magic cookie falls back to the RFC 2543 rules', async (t) => {
  const bytes = readFileSync(conformance + 'badbranch.dat');
  const req = parseMessage(bytes) as SipRequest;
  t.equal(req.topVia?.branch, 'z9hG4bK');
  const key = serverTransactionKey(req);
  t.match(key, /^s2543\n/);
  t.equal(serverTransactionKey(parseMessage(bytes) as SipRequest), key, 'its retransmission matches');
  // Another request with the same bare branch but another Call-ID is another transaction.
  const other = parseMessage(Buffer.from(bytes.toString('latin1').replace('badbranch.', 'other.'), 'latin1')) as SipRequest;
  t.not(serverTransactionKey(other), key);
  // Under RFC 3261 rules both would have collided (same branch, sent-by, method).
  t.equal(other.topVia?.branch, req.topVia?.branch);
});

t.test('merge key: From tag, Call-ID, CSeq of requests without To tag', async (t) => {
  const a = request('INVITE', { branch: 'z9hG4bKa' });
  const b = request('INVITE', { branch: 'z9hG4bKb' });
  t.equal(mergeKey(a), mergeKey(b), 'a forked copy has the same merge key');
  t.not(serverTransactionKey(a), serverTransactionKey(b), 'but another transaction key');
  t.equal(mergeKey(request('BYE', { toTag: 't' })), undefined, 'in-dialog requests are not checked');
  t.equal(mergeKey(request('ACK')), undefined);
  t.not(mergeKey(request('INVITE', { cseq: 2 })), mergeKey(a));
});
