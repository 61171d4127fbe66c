/**
 * TLS on the trunk, end to end over loopback. Debian's SIPp is built without TLS (its `-t` knows
 * no `l1`), so the PBX here is our own sip-core over TLS, a real peer on real sockets:
 * - a self-signed certificate is made for the test with the openssl CLI (SAN IP:127.0.0.1); imad,
 *   the PBX's trunk side and its phones present it and verify each other against it (sip.tls ca)
 * - imad listens on a tls:// address only; the PBX sends INVITE 1000 over TLS from a whitelisted caller
 * - imad places the outbound leg over TLS (transport: tls) to the phones: Request-URI
 *   sip:81000@<peer>;transport=tls, top Via SIP/2.0/TLS; the phone answers, the caller gets the
 *   phone's SDP as is, and the caller's BYE reaches the phone
 * openssl is required under CI=true; elsewhere the test is skipped with a notice when it is missing.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DialogUserAgent, Endpoint, type SipTransportLayer, SystemClock, type TerminationCause } from '@ima/sip-core';
import { daemon, freeTcpPort, setup } from './fixtures/e2e.js';

const hasOpenssl = spawnSync('openssl', ['version']).error === undefined;
const CALLER_SDP = 'v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
const PHONE_SDP = 'v=0\r\no=phone 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

/** A self-signed certificate for 127.0.0.1, valid one day. */
function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { cert, key };
}

if (!hasOpenssl) {
  if (process.env.CI === 'true') t.fail('the openssl CLI is required in CI (it makes the test certificate)');
  else t.test('TLS trunk', { skip: 'openssl is not installed' }, async () => {});
} else {
  t.test('a call routed end to end over TLS', async (t) => {
    const certDir = mkdtempSync(join(tmpdir(), 'imad-tls-'));
    const { cert, key } = makeCertificate(certDir);
    const tls = { certFile: cert, keyFile: key, caFile: cert };
    const clock = new SystemClock();

    // The PBX's phones, on TLS only.
    const phonesEp = await Endpoint.listen({ listen: ['tls://127.0.0.1:0'], tls, clock });
    const phonesPort = (phonesEp.transport as SipTransportLayer).listening()[0]!.port;
    const phones = new DialogUserAgent({ endpoint: phonesEp, contact: `<sip:phones@127.0.0.1:${phonesPort};transport=tls>` });
    const rang: Array<{ uri: string; via: string | undefined }> = [];
    const phoneEnded = new Promise<string>((resolve) => {
      phones.onInvite((session) => {
        rang.push({ uri: session.invite.uri.toString(), via: session.invite.headers.get('via') });
        session.on((e) => {
          if (e.type === 'bye') resolve('bye');
          else if (e.type === 'terminated') resolve(e.cause.kind);
        });
        session.progress(180);
        session.accept({ body: PHONE_SDP });
      });
    });

    const imaPort = await freeTcpPort();
    const base = await setup();
    const s = {
      ...base,
      yaml: base.config({ listen: [`tls://127.0.0.1:${imaPort}`], peers: [`127.0.0.1:${phonesPort}`], transport: 'tls', tls: { cert, key, ca: cert } }),
    };
    const d = await daemon(s);

    // The PBX's trunk side, on TLS only, calling the manager's public number from a whitelisted caller.
    const pbxEp = await Endpoint.listen({ listen: ['tls://127.0.0.1:0'], tls, clock });
    const pbxPort = (pbxEp.transport as SipTransportLayer).listening()[0]!.port;
    const pbx = new DialogUserAgent({ endpoint: pbxEp, contact: `<sip:pbx@127.0.0.1:${pbxPort};transport=tls>` });
    t.teardown(async () => {
      pbx.close();
      phones.close();
      await pbxEp.close();
      await phonesEp.close();
      await d.close();
    });

    let answer = '';
    const ended = await new Promise<TerminationCause | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 20_000);
      const session = pbx.invite({
        uri: `sip:1000@127.0.0.1:${imaPort};transport=tls`,
        dest: { protocol: 'tls', host: '127.0.0.1', port: imaPort },
        from: `"Mario Rossi" <sip:+39021234567@127.0.0.1>`,
        body: CALLER_SDP,
        onConfirmed: (res) => {
          answer = res.body.toString();
          setTimeout(() => session.bye(), 200);
        },
        onTerminated: (cause) => {
          clearTimeout(timer);
          resolve(cause);
        },
      });
    });
    t.match(ended, { kind: 'localBye' }, 'the caller was answered and hung up');
    t.equal(answer, PHONE_SDP, "the phone's SDP reached the caller as is");
    t.equal(rang.length, 1);
    t.match(rang[0]?.uri, new RegExp(`^sip:81000@127\\.0\\.0\\.1:${phonesPort};transport=tls$`), 'the whitelisted caller reaches the desk, over TLS');
    t.match(rang[0]?.via, /^SIP\/2\.0\/TLS 127\.0\.0\.1:/, "imad's leg went over TLS");
    t.equal(await phoneEnded, 'bye', "the caller's BYE reached the phone");
  });
}
