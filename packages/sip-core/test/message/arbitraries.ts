/**
 * fast-check arbitraries that build SIP messages from the RFC 3261 grammar:
 * tokens, hosts (names, IPv4, IPv6 references), SIP URIs with escaped users and
 * parameters, display names (tokens or quoted strings with escapes), Vias with
 * LWS and several values on a line, compact header names, folded lines, bodies.
 */
import fc from 'fast-check';

const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const tokenChars = alnum + "-.!%*_+`'~";
const chars = (set: string, min = 1, max = 10) =>
  fc.string({ unit: fc.constantFrom(...set.split('')), minLength: min, maxLength: max });

export const token = chars(tokenChars);
const label = chars(alnum, 1, 8);
export const hostname = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
export const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
export const ipv6 = fc.ipV6().map((a) => `[${a}]`);
export const host = fc.oneof(hostname, ipv4, ipv6);
export const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });

/** A user part: unreserved characters and %-escapes of anything. */
export const user = fc
  .array(fc.oneof(chars(alnum + "-_.!~*'()&=+$,", 1, 4), fc.integer({ min: 0, max: 255 }).map((b) => '%' + b.toString(16).padStart(2, '0').toUpperCase())), {
    minLength: 1,
    maxLength: 4,
  })
  .map((p) => p.join(''));

const uriParam = fc.tuple(chars(alnum + '-_.', 1, 6), fc.option(chars(alnum + '-_.', 1, 8), { nil: undefined })).map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`));

export const sipUri = fc
  .record({
    scheme: fc.constantFrom('sip', 'sips'),
    user: fc.option(user, { nil: undefined }),
    host,
    port,
    params: fc.array(uriParam, { maxLength: 3 }),
  })
  .map((u) => `${u.scheme}:${u.user ? u.user + '@' : ''}${u.host}${u.port ? ':' + u.port : ''}${u.params.join('')}`);

export const telUri = fc.stringMatching(/^\+[1-9][0-9]{4,12}$/).map((n) => `tel:${n}`);

const quotedText = fc
  .array(fc.oneof(chars(alnum + ' ,;:<>@/', 1, 6), fc.constantFrom('\\"', '\\\\')), { maxLength: 4 })
  .map((p) => `"${p.join('')}"`);
export const displayName = fc.option(fc.oneof(quotedText, fc.array(token, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '))), { nil: undefined });

const lws = fc.constantFrom('', ' ', '  ', '\t', '\r\n ');
const paramName = token.filter((n) => !/^(q|expires|tag|branch|received|rport|ttl|maddr)$/i.test(n));
const genParam = fc.tuple(paramName, fc.option(fc.oneof(token, quotedText), { nil: undefined })).map(([k, v]) => (v === undefined ? `;${k}` : `;${k}=${v}`));

export const nameAddr = fc.record({ dn: displayName, uri: fc.oneof({ weight: 4, arbitrary: sipUri }, { weight: 1, arbitrary: telUri }), params: fc.array(genParam, { maxLength: 2 }) }).map(
  ({ dn, uri, params }) => `${dn !== undefined ? dn + ' ' : ''}<${uri}>${params.join('')}`,
);

export const branch = token.map((b) => 'z9hG4bK' + b);
export const via = fc
  .record({ transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS'), host, port, branch, sp1: lws, sp2: lws, extra: fc.array(genParam, { maxLength: 2 }), rport: fc.boolean() })
  .map((v) => `SIP${v.sp1}/2.0/${v.sp2}${v.transport} ${v.host}${v.port ? ':' + v.port : ''};branch=${v.branch}${v.rport ? ';rport' : ''}${v.extra.join('')}`);

const unknownHeader = fc.tuple(token.filter((n) => !/^[a-z]$/i.test(n) && !/^(via|from|to|call-id|cseq|max-forwards|content-length|contact|route|record-route|content-type|expires|date)$/i.test(n)), chars(alnum + ' ,;:=<>"@/()', 0, 30)).map(([n, v]) => [n, v.trim()] as const);

const name = (full: string, compact?: string) => (compact ? fc.constantFrom(full, compact, full.toUpperCase(), full.toLowerCase()) : fc.constantFrom(full, full.toUpperCase(), full.toLowerCase()));

export const method = fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'UPDATE', 'INFO', 'PRACK', 'REFER'), token);

/** A complete message as text, with its pieces for the checks. */
export const message = fc
  .record({
    isRequest: fc.boolean(),
    method,
    ruri: fc.oneof(sipUri, telUri),
    status: fc.integer({ min: 100, max: 699 }),
    reason: chars(alnum + ' ', 0, 20),
    vias: fc.array(fc.array(via, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
    viaName: name('Via', 'v'),
    from: nameAddr,
    fromTag: token,
    fromName: name('From', 'f'),
    to: nameAddr,
    toName: name('To', 't'),
    callId: fc.tuple(token, fc.option(hostname, { nil: undefined })).map(([a, b]) => (b ? `${a}@${b}` : a)),
    callIdName: name('Call-ID', 'i'),
    cseq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    maxForwards: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    contacts: fc.array(nameAddr, { maxLength: 2 }),
    unknown: fc.array(unknownHeader, { maxLength: 3 }),
    fold: fc.boolean(),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((m) => {
    const lines: string[] = [m.isRequest ? `${m.method} ${m.ruri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`];
    for (const group of m.vias) lines.push(`${m.viaName}: ${group.join(' , ')}`);
    lines.push(`${m.fromName}: ${m.from};tag=${m.fromTag}`);
    lines.push(m.fold ? `${m.toName}:\r\n  ${m.to}` : `${m.toName}: ${m.to}`);
    lines.push(`${m.callIdName}: ${m.callId}`);
    lines.push(`CSeq: ${m.cseq} ${m.method}`);
    if (m.maxForwards !== undefined) lines.push(`Max-Forwards: ${m.maxForwards}`);
    if (m.contacts.length > 0) lines.push(`Contact: ${m.contacts.join(', ')}`);
    for (const [n, v] of m.unknown) lines.push(`${n}: ${v}`);
    lines.push(`Content-Length: ${m.body.length}`);
    return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), m.body]);
  });
