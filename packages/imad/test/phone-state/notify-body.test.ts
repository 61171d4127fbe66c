/**
 * NOTIFY bodies -> phone state:
 * - PIDF: basic open -> idle; on-the-phone -> busy; Cisco alerting -> ringing; dnd -> dnd;
 *   basic closed -> busy; no tuple -> offline; prefixes do not matter
 * - dialog-info: confirmed -> busy; early -> ringing; terminated or none -> idle
 * - dispatch by Content-Type; malformed XML, a wrong root, an unknown type are refused with a reason
 */
import t from 'tap';
import { phoneStateFromDialogInfo, phoneStateFromNotify, phoneStateFromPidf } from '../../src/phone-state/notify-body.js';

const pidf = (inner: string, tuple = true) => `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:ce="urn:cisco:params:xml:ns:pidf:rpid" entity="sip:81000@192.0.2.20">
${tuple ? `<tuple id="1"><status><basic>${inner.includes('closed') ? 'closed' : 'open'}</basic></status></tuple>` : ''}
<dm:person><rpid:activities>${inner.replace('closed', '')}</rpid:activities></dm:person>
</presence>`;

t.test('PIDF as Cisco UCM sends it to BLF subscribers', async (t) => {
  const state = (xml: string) => {
    const r = phoneStateFromPidf(xml);
    return r.ok ? r.state : r.reason;
  };
  t.equal(state(pidf('')), 'idle');
  t.equal(state(pidf('<rpid:on-the-phone/>closed')), 'busy');
  t.equal(state(pidf('<ce:alerting/>closed')), 'ringing');
  t.equal(state(pidf('<ce:dnd/>')), 'dnd');
  t.equal(state(pidf('closed')), 'busy', 'closed: the line cannot take a call');
  t.equal(state(pidf('', false)), 'offline', 'no tuple: nothing registered');
  t.equal(state(pidf('<x:on-the-phone xmlns:x="urn:ietf:params:xml:ns:pidf:rpid"/>')), 'busy', 'any prefix');
});

t.test('dialog-info (RFC 4235)', async (t) => {
  const di = (states: string[]) =>
    `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:2000@192.0.2.20">${states
      .map((s, i) => `<dialog id="d${i}" direction="recipient"><state>${s}</state></dialog>`)
      .join('')}</dialog-info>`;
  const state = (xml: string) => {
    const r = phoneStateFromDialogInfo(xml);
    return r.ok ? r.state : r.reason;
  };
  t.equal(state(di([])), 'idle');
  t.equal(state(di(['early'])), 'ringing');
  t.equal(state(di(['terminated', 'confirmed'])), 'busy');
  t.equal(state(di(['terminated'])), 'idle');
});

t.test('dispatch by Content-Type; bad bodies are refused with a reason', async (t) => {
  const r = phoneStateFromNotify('application/pidf+xml;charset=utf-8', Buffer.from(pidf('<rpid:on-the-phone/>')));
  t.same(r, { ok: true, state: 'busy' });
  t.same(phoneStateFromNotify('Application/Dialog-Info+XML', Buffer.from('<dialog-info><dialog><state>early</state></dialog></dialog-info>')), { ok: true, state: 'ringing' });
  for (const [ct, body] of [
    ['application/pidf+xml', '<presence><tuple>'],
    ['application/pidf+xml', '<html/>'],
    ['application/dialog-info+xml', '<presence/>'],
    ['text/plain', 'busy'],
    ['application/pidf+xml', 'x'.repeat(70000)],
  ] as const) {
    const out = phoneStateFromNotify(ct, Buffer.from(body));
    t.equal(out.ok, false, `${ct}: ${body.slice(0, 20)}`);
    if (!out.ok) t.ok(out.reason.length > 0);
  }
  t.equal(phoneStateFromNotify(undefined, Buffer.alloc(0)).ok, false, 'an empty NOTIFY carries no state yet');
});
