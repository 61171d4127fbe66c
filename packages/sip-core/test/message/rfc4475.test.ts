/**
 * RFC 4475 torture messages (test/conformance/rfc4475, a copy of the project's shared vectors), by group:
 * - parse (§3.1.1): accepted; the values the RFC names are exposed; serialize
 *   then parse again gives the same values.
 * - reject (§3.1.2): SipParseError at parseMessage (start line, or a header every
 *   element reads) or at the first read of the faulty header (Date, Contact);
 *   a request gets a 400 (505 for badvers) from errorResponseFor, a response none.
 * - behaviour (§3.2-3.4), the message-layer part: insuf, multi01 and mcl01 are
 *   refused with a buildable 400; the others parse and expose what the
 *   transaction layer or endpoint decides on (unknown schemes, Require, 2543 Via...).
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AbsoluteUri,
  SipParseError,
  SipUri,
  errorResponseFor,
  parseMessage,
  serializeMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/index.js';

const dir = fileURLToPath(new URL('../conformance/', import.meta.url));
const rows = readFileSync(dir + 'rfc4475.tsv', 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [file, section, title, group] = l.split('\t') as [string, string, string, string];
    return { file, section, title, group, name: file.replace(/^rfc4475\/|\.dat$/g, '') };
  });
const bytes = (name: string) => readFileSync(`${dir}rfc4475/${name}.dat`);
const req = (m: SipMessage) => m as SipRequest;
const sip = (u: unknown) => u as SipUri;

/** The values every parse-group check compares before and after a round trip. */
function summary(m: SipMessage) {
  return {
    start: m.kind === 'request' ? [m.method, m.uri.toString()] : [m.status, m.reason],
    via: m.via.map((v) => [v.transport, v.host, v.port, v.branch]),
    from: [m.from.displayName, m.from.uri.toString(), m.from.tag],
    to: [m.to.displayName, m.to.uri.toString(), m.to.tag],
    callId: m.callId,
    cseq: m.cseq,
    maxForwards: m.maxForwards,
    headers: [...m.headers.entries()].filter(([n]) => !/^(content-length|l)$/i.test(n)),
    body: Buffer.from(m.body).toString('latin1'),
  };
}

t.test('RFC 4475 vectors are all present', async (t) => {
  t.equal(rows.length, 49);
});

const parseChecks: Record<string, (t: Test, m: SipMessage) => void> = {
  wsinv(t, m) {
    const r = req(m);
    t.equal(r.method, 'INVITE');
    t.equal(sip(r.uri).user, 'vivekg');
    t.equal(sip(r.uri).param('unknownparam'), null);
    t.equal(r.to.tag, '1918181833n');
    t.equal(r.from.displayName, 'J Rosenberg \\"');
    t.equal(r.from.tag, '98asjd8');
    t.equal(r.maxForwards, 68);
    t.same(r.cseq, { seq: 9, method: 'INVITE' });
    t.same(r.via.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    t.equal(r.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
    t.equal(r.headers.get('unknownheaderwithunusualvalue'), ';;,,;;,;');
    t.equal(r.headers.get('subject'), '');
    t.equal(sip(r.route[0]!.uri).param('lr'), null);
    t.equal(sip(r.route[0]!.uri).param('unknownwith'), 'value');
    const c = r.contact;
    t.not(c, '*');
    if (c !== '*') {
      t.equal(c[0]!.displayName, 'Quoted string ""');
      t.equal(c[0]!.params.get('newparam'), 'newvalue');
      t.equal(c[0]!.params.get('secondparam'), null);
      t.equal(c[0]!.q, 0.33);
    }
    t.equal(r.contentType?.mediaType, 'application/sdp');
    t.equal(r.body.byteLength, 150);
  },
  intmeth(t, m) {
    const r = req(m);
    t.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
    t.equal(sip(r.uri).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    t.equal(sip(r.uri).password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    t.equal(sip(r.uri).host, 'example.com');
    t.equal(r.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    t.equal(r.from.displayName, "token1~` token2'+_ token3*%!.-");
    t.equal(r.from.tag, "_token~1'+`*%!-.");
    t.ok(r.from.params.has("fromparam''~+*_!.-%"));
    t.equal(r.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    t.equal(r.cseq.method, r.method);
    t.equal(r.via[0]!.branch, "z9hG4bK-.!%66*_+`'~");
    t.equal(r.maxForwards, 255);
    t.ok(r.headers.has("extensionHeader-!.%*+_`'~"));
  },
  esc01(t, m) {
    const r = req(m);
    t.equal(sip(r.uri).user, 'sips:user@example.com');
    t.equal(sip(r.uri).host, 'example.net');
    t.equal(sip(r.to.uri).user, 'user');
    t.equal(sip(r.from.uri).user, 'I have spaces');
    const c = r.contact;
    if (c === '*') return t.fail('contact');
    const u = sip(c[0]!.uri);
    t.equal(u.user, 'caller');
    t.equal(u.param('lr'), null);
    t.equal(u.param('name'), 'value%41');
  },
  escnull(t, m) {
    t.equal(sip(m.to.uri).user, 'null-\0-null');
    const c = m.contact;
    if (c === '*') return t.fail('contact');
    t.same(c.map((x) => sip(x.uri).user), ['\0', '\0\0']);
  },
  esc02(t, m) {
    const r = req(m);
    t.equal(r.method, 'RE%47IST%45R', 'a method is never unescaped');
    t.equal(r.to.displayName, '%Z%45');
    t.equal(r.via[0]!.branch, 'z9hG4bK209%fzsnel234');
    const c = r.contact;
    if (c === '*') return t.fail('contact');
    t.equal(c.length, 2, 'C%6Fntact is another header, not Contact');
    t.equal(r.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
  },
  lwsdisp(t, m) {
    t.equal(m.from.displayName, 'caller');
    t.equal(sip(m.from.uri).user, 'caller');
  },
  longreq(t, m) {
    t.ok(m.to.displayName!.includes('extremeextreme'));
    t.ok(m.callId.length > 100);
    t.equal(m.via.length, 34);
    t.equal(m.via[0]!.host, 'sip33.example.com');
    t.equal(sip(m.to.uri).port, 6000);
  },
  dblreq(t, m) {
    const r = req(m);
    t.equal(r.method, 'REGISTER', 'only the first message of the datagram');
    t.equal(r.body.byteLength, 0);
  },
  semiuri(t, m) {
    const u = sip(req(m).uri);
    t.equal(u.user, 'user;par=u@example.net');
    t.equal(u.host, 'example.com');
    t.equal(u.params.size, 0);
    t.equal(m.headers.getAll('Accept').length, 6);
  },
  transports(t, m) {
    t.same(m.via.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  },
  mpart01(t, m) {
    t.equal(m.contentType?.type, 'multipart');
    t.ok(m.contentType?.params.has('boundary'));
    t.equal(m.body.byteLength, m.contentLength);
  },
  unreason(t, m) {
    const r = m as SipResponse;
    t.equal(r.status, 200);
    t.ok(r.reason.startsWith('= 2**3 * 5**2 '));
    t.ok(/[\u0400-\u04ff]/.test(r.reason), 'UTF-8 reason phrase decoded');
  },
  noreason(t, m) {
    const r = m as SipResponse;
    t.equal(r.status, 100);
    t.equal(r.reason, '');
  },
};

for (const row of rows.filter((r) => r.group === 'parse')) {
  t.test(`${row.name} (RFC 4475 §${row.section} ${row.title}): is accepted`, async (t) => {
    const m = parseMessage(bytes(row.name));
    const check = parseChecks[row.name];
    t.ok(check, 'has specific checks');
    check?.(t, m);
    const again = parseMessage(serializeMessage(m));
    t.same(summary(again), summary(m), 'serialize then parse gives the same values');
  });
}

/** Where each invalid message must fail: 'parse' = parseMessage, else the accessor that reads the faulty header. */
const rejectAt: Record<string, 'parse' | 'date' | 'contact'> = {
  badinv01: 'parse', clerr: 'parse', ncl: 'parse', scalar02: 'parse', scalarlg: 'parse', quotbal: 'parse',
  ltgtruri: 'parse', lwsruri: 'parse', lwsstart: 'parse', trws: 'parse', escruri: 'parse', baddate: 'date',
  regbadct: 'contact', badaspec: 'parse', baddn: 'parse', badvers: 'parse', mismatch01: 'parse',
  mismatch02: 'parse', bigcode: 'parse',
};

for (const row of rows.filter((r) => r.group === 'reject')) {
  t.test(`${row.name} (RFC 4475 §${row.section} ${row.title}): is refused with SipParseError`, async (t) => {
    const where = rejectAt[row.name]!;
    t.ok(where, 'has an expectation');
    const raw = bytes(row.name);
    if (where === 'parse') {
      let err: unknown;
      try {
        parseMessage(raw);
      } catch (e) {
        err = e;
      }
      t.type(err, SipParseError);
      const res = errorResponseFor(raw, err as SipParseError);
      if (/^SIP\//.test(raw.toString('latin1'))) {
        t.equal(res, undefined, 'a response is never answered');
      } else {
        t.equal(res?.status, row.name === 'badvers' ? 505 : 400);
        t.ok(res?.via.length, 'the response carries the Via to travel back on');
      }
    } else {
      const m = parseMessage(raw);
      t.throws(() => (m as unknown as Record<string, unknown>)[where], SipParseError, `reading ${where} throws`);
      t.throws(() => (m as unknown as Record<string, unknown>)[where], SipParseError, 'and throws again');
    }
  });
}

t.test('insuf (RFC 4475 §3.3.1): missing From, To, Call-ID -> 400 built from what remains', async (t) => {
  const raw = bytes('insuf');
  t.throws(() => parseMessage(raw), SipParseError);
  try {
    parseMessage(raw);
  } catch (e) {
    const res = errorResponseFor(raw, e as SipParseError);
    t.equal(res?.status, 400);
    t.equal(res?.headers.get('cseq'), '193942 INVITE');
    t.equal(res?.via[0]?.branch, 'z9hG4bKkdj.insuf');
  }
});

for (const name of ['multi01', 'mcl01']) {
  t.test(`${name} (RFC 4475 §3.3.8/§3.3.9): several values in a single-value header -> 400`, async (t) => {
    const raw = bytes(name);
    let err: unknown;
    try {
      parseMessage(raw);
    } catch (e) {
      err = e;
    }
    t.type(err, SipParseError);
    t.equal(errorResponseFor(raw, err as SipParseError)?.status, 400);
  });
}

t.test('unkscm, novelsc (RFC 4475 §3.3.2-3): unknown Request-URI schemes parse as opaque URIs (the endpoint answers 416)', async (t) => {
  const a = req(parseMessage(bytes('unkscm')));
  t.type(a.uri, AbsoluteUri);
  t.equal(a.uri.scheme, 'nobodyknowsthisscheme');
  t.equal(a.uri.toString(), 'nobodyKnowsThisScheme:totallyopaquecontent');
  const b = req(parseMessage(bytes('novelsc')));
  t.equal(b.uri.scheme, 'soap.beep');
});

t.test('unksm2 (RFC 4475 §3.3.4): unknown schemes in To, From and Contact are accepted', async (t) => {
  const m = parseMessage(bytes('unksm2'));
  t.equal(m.to.uri.toString(), 'isbn:2983792873');
  t.equal(m.from.uri.scheme, 'http');
  t.equal(m.from.tag, '3234233');
  const c = m.contact;
  t.equal(c !== '*' && c[0]!.uri.toString(), 'name:John_Smith');
});

t.test('bext01 (RFC 4475 §3.3.5): Require and Proxy-Require are exposed for the 420 decision', async (t) => {
  const m = parseMessage(bytes('bext01'));
  t.same(m.require, ['nothingSupportsThis', 'nothingSupportsThisEither']);
  t.same(m.proxyRequire, ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
});

t.test('invut, sdp01 (RFC 4475 §3.3.6, §3.3.15): Content-Type and Accept are exposed for the 415 decision', async (t) => {
  const m = parseMessage(bytes('invut'));
  t.equal(m.contentType?.mediaType, 'application/unknownformat');
  const s = parseMessage(bytes('sdp01'));
  t.ok(s.headers.getAll('accept').length > 0);
});

t.test('cparam01, cparam02 (RFC 4475 §3.3.12-13): header vs URI parameters of Contact', async (t) => {
  const a = parseMessage(bytes('cparam01')).contact;
  const b = parseMessage(bytes('cparam02')).contact;
  if (a === '*' || b === '*') return t.fail('contact');
  t.equal(a[0]!.params.get('unknownparam'), null, 'without <> it is a Contact parameter');
  t.equal(sip(a[0]!.uri).params.size, 0);
  t.equal(b[0]!.params.size, 0);
  t.equal(sip(b[0]!.uri).param('unknownparam'), null, 'inside <> it is a URI parameter');
});

t.test('regescrt (RFC 4475 §3.3.14): an escaped header in a Contact URI is a URI header', async (t) => {
  const c = parseMessage(bytes('regescrt')).contact;
  if (c === '*') return t.fail('contact');
  t.equal(sip(c[0]!.uri).headers.get('route'), '<sip:sip.example.com>');
});

t.test('inv2543, badbranch (RFC 4475 §3.4.1, §3.2.1): RFC 2543 Vias without a cookie branch parse', async (t) => {
  const a = parseMessage(bytes('inv2543'));
  t.equal(a.via[0]!.branch, undefined);
  t.equal(a.body.byteLength > 0, true, 'no Content-Length on UDP: the body is the rest');
  const b = parseMessage(bytes('badbranch'));
  t.equal(b.via[0]!.branch, 'z9hG4bK');
});

t.test('zeromf, bcast, regaut01 (RFC 4475 §3.3.11, §3.3.10, §3.3.7): parse; the layers above act', async (t) => {
  t.equal(parseMessage(bytes('zeromf')).maxForwards, 0);
  t.equal(parseMessage(bytes('bcast')).via[1]!.host, '255.255.255.255');
  t.ok(parseMessage(bytes('regaut01')).headers.get('authorization')?.startsWith('NoOneKnowsThisScheme'));
});
