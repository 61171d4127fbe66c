/**
 * The response that answers a request we could not parse (RFC 3261 §8.2.6,
 * RFC 4475 §3.1.2): copied from whatever can still be read of the request.
 */
import type { SipParseError } from '../errors.js';
import { Headers, canonicalName } from './headers.js';
import { SipResponse } from './message.js';
import { parseViaList } from './header-values.js';
import { findHeaderEnd, skipLeadingCrlf, toBuffer } from './parse.js';

const SENT_BY = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?:\s*:\s*([0-9]{1,5}))?/i;
const BRANCH = /;\s*branch\s*=\s*([A-Za-z0-9.!%*_+`'~-]+)/i;

/**
 * The top Via as it should stand in the response: as received when it parses;
 * else (RFC 4475 §3.1.2.1, a Via with stray separators) the transport, sent-by
 * and branch that can still be read, so that the 400 can travel back.
 */
function readableVia(value: string): string | undefined {
  try {
    const top = parseViaList([value])[0];
    if (top !== undefined) return value;
  } catch {
    // fall through to the lenient reading
  }
  const m = SENT_BY.exec(value.trim());
  if (!m) return undefined;
  const branch = BRANCH.exec(value)?.[1];
  return `SIP/2.0/${m[1]!.toUpperCase()} ${m[2]}${m[3] ? ':' + m[3] : ''}${branch ? ';branch=' + branch : ''}`;
}

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * Build the 400 (or 505, 513...) that answers an unparseable request, or
 * undefined when no response can be built: the input is a response (never
 * answered), an ACK (RFC 3261 §17.2.1: no response to ACK), or it has no
 * readable start line or Via to send the response along.
 */
export function errorResponseFor(input: Uint8Array | string, error: SipParseError): SipResponse | undefined {
  const buf = toBuffer(input);
  const start = skipLeadingCrlf(buf);
  let end = findHeaderEnd(buf, start);
  if (end < 0) end = buf.length;
  const head = buf.toString('latin1', start, end);
  const lines = head.split('\r\n');
  const startLine = lines[0] ?? '';
  const method = /^([A-Za-z0-9!%*_+`'~.-]+) /.exec(startLine)?.[1];
  if (method === undefined || /^SIP\//i.test(startLine) || method === 'ACK') return undefined;

  // Unfold, keep the headers a response copies (RFC 3261 §8.2.6.2).
  const kept: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && kept.length > 0) {
      const last = kept[kept.length - 1]!;
      last[1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    if (COPIED.has(canonicalName(name))) kept.push([name, line.slice(colon + 1).trim()]);
  }
  // The response travels back along the top Via: without one that reads, it cannot be sent.
  const firstVia = kept.findIndex(([n]) => canonicalName(n) === 'via');
  if (firstVia < 0) return undefined;
  const via = readableVia(kept[firstVia]![1]);
  if (via === undefined) return undefined;
  kept[firstVia]![1] = via;
  const headers = new Headers(kept);
  const res = new SipResponse({ status: error.status, reason: error.reasonPhrase, headers });
  res.headerEncoding = 'latin1';
  return res;
}
