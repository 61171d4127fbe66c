/** Realistic messages as Cisco Unified CM sends them over a SIP trunk (addresses from documentation ranges). */
const sdp = (ip: string, port: number) =>
  [
    'v=0',
    `o=CiscoSystemsCCM-SIP 2000 1 IN IP4 ${ip}`,
    's=SIP Call',
    `c=IN IP4 ${ip}`,
    'b=TIAS:64000',
    'b=AS:64',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 18 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:18 G729/8000',
    'a=ptime:20',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    '',
  ].join('\r\n');

function msg(head: string[], body = ''): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from(head.join('\r\n') + `\r\nContent-Length: ${b.length}\r\n\r\n`), b]);
}

export const invite = msg(
  [
    'INVITE sip:1000@192.0.2.10:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK1a2b3c4d5e6f7',
    'From: "Mario Rossi" <sip:+390212345678@192.0.2.20>;tag=2198364~7c1a9f2e-3b44-4d1c-9e2a-0a1b2c3d4e5f-41873920',
    'To: <sip:1000@192.0.2.10>',
    'Date: Thu, 03 Dec 2026 16:00:00 GMT',
    'Call-ID: 5a3f2c00-6d41a2b1-9e7-1401a8c0@192.0.2.20',
    'Supported: timer,resource-priority,replaces',
    'Min-SE:  1800',
    'User-Agent: Cisco-CUCM14.0',
    'Allow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY',
    'CSeq: 101 INVITE',
    'Expires: 180',
    'Allow-Events: presence, kpml',
    'Supported: X-cisco-srtp-fallback,X-cisco-original-called',
    'Diversion: <sip:1099@192.0.2.20>;reason=unconditional;privacy=off;screen=yes',
    'Remote-Party-ID: "Mario Rossi" <sip:+390212345678@192.0.2.20>;party=calling;screen=yes;privacy=off',
    'P-Asserted-Identity: "Mario Rossi" <sip:+390212345678@192.0.2.20>',
    'Session-Expires:  1800',
    'Contact: <sip:+390212345678@192.0.2.20:5060;transport=udp>;+u.sip!devicename.ccm.cisco.com="SEP001122334455"',
    'Max-Forwards: 69',
    'Content-Type: application/sdp',
  ],
  sdp('192.0.2.30', 24580),
);

export const ok200 = msg(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK7f6e5d4c3b2a1;rport=5060;received=192.0.2.10',
    'From: "Mario Rossi" <sip:+390212345678@192.0.2.10>;tag=ima-8f3a2b1c',
    'To: <sip:81000@192.0.2.20>;tag=3301928~7c1a9f2e-3b44-4d1c-9e2a-0a1b2c3d4e5f-41873921',
    'Date: Thu, 03 Dec 2026 16:00:02 GMT',
    'Call-ID: ima-2c4e6a8b0d1f3e5a7c9b@192.0.2.10',
    'CSeq: 1 INVITE',
    'Allow: INVITE, OPTIONS, INFO, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY',
    'Allow-Events: presence',
    'Supported: replaces',
    'Server: Cisco-CUCM14.0',
    'Remote-Party-ID: <sip:81000@192.0.2.20>;party=called;screen=no;privacy=off',
    'Session-Expires:  1800;refresher=uas',
    'Require:  timer',
    'P-Asserted-Identity: <sip:81000@192.0.2.20>',
    'Contact: <sip:81000@192.0.2.20:5060;transport=udp>;+u.sip!devicename.ccm.cisco.com="SEP00AABBCCDDEE"',
    'Content-Type: application/sdp',
  ],
  sdp('192.0.2.40', 16384),
);

export const bye = msg([
  'BYE sip:+390212345678@192.0.2.20:5060;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK0f1e2d3c4b5a6;rport',
  'From: <sip:1000@192.0.2.10>;tag=ima-1d2c3b4a',
  'To: "Mario Rossi" <sip:+390212345678@192.0.2.20>;tag=2198364~7c1a9f2e-3b44-4d1c-9e2a-0a1b2c3d4e5f-41873920',
  'Call-ID: 5a3f2c00-6d41a2b1-9e7-1401a8c0@192.0.2.20',
  'CSeq: 102 BYE',
  'Max-Forwards: 70',
  'User-Agent: IMA',
]);
