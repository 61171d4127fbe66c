/**
 * NOTIFY bodies -> the phone state the policy reads (idle, ringing, busy, dnd,
 * offline, unknown), for the two event packages a trunk can serve:
 *
 * - presence (RFC 3856, PIDF RFC 3863, RPID RFC 4480): what Cisco UCM sends to
 *   BLF subscribers over a trunk. Read, most telling first: a do-not-disturb
 *   indication -> dnd; alerting -> ringing; on-the-phone (or RPID busy) -> busy;
 *   basic open -> idle; basic closed -> busy (the line cannot take a call; an
 *   unregistered line has no tuple at all, or says so with an "unknown" note).
 * - dialog (RFC 4235 dialog-info): any confirmed dialog -> busy; else any early
 *   or proceeding/trying one -> ringing; else idle. A "full" document without
 *   dialogs is idle. Partial documents (state="partial") describe only the dialogs
 *   that changed; they are read the same way, which is exact for one line.
 *
 * Namespace prefixes vary between servers, so they are ignored; element names
 * are matched as RPID and Cisco's extensions name them.
 */
import { XMLParser } from 'fast-xml-parser';
import type { PhoneState } from '@ima/ima-policy';

export type BodyReading = { readonly ok: true; readonly state: PhoneState } | { readonly ok: false; readonly reason: string };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Every element may repeat: read everything as arrays, so that one tuple and many look alike.
  isArray: () => true,
  processEntities: false,
});

type Node = Record<string, unknown>;

function parse(xml: string): Node | string {
  if (xml.length > 65536) return 'body over 64 KiB';
  try {
    const doc = parser.parse(xml, true) as Node;
    return doc;
  } catch (err) {
    return `not XML: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Every element named `name` anywhere below `node` (prefixes already removed). */
function findAll(node: unknown, name: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {
    for (const n of node) findAll(n, name, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Node)) {
      if (k === name) out.push(...(Array.isArray(v) ? v : [v]));
      if (!k.startsWith('@')) findAll(v, name, out);
    }
  }
  return out;
}

function text(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node).trim();
  if (Array.isArray(node)) return node.map(text).join('').trim();
  if (node !== null && typeof node === 'object') return text((node as Node)['#text'] ?? '');
  return '';
}

export function phoneStateFromPidf(xml: string): BodyReading {
  const doc = parse(xml);
  if (typeof doc === 'string') return { ok: false, reason: doc };
  if (findAll(doc, 'presence').length === 0) return { ok: false, reason: 'no <presence> element' };
  const has = (name: string) => findAll(doc, name).length > 0;
  if (has('dnd') || has('do-not-disturb')) return { ok: true, state: 'dnd' };
  if (has('alerting') || has('ringing')) return { ok: true, state: 'ringing' };
  if (has('on-the-phone') || has('busy') || has('onthephone')) return { ok: true, state: 'busy' };
  const basics = findAll(doc, 'basic').map(text);
  if (basics.includes('open')) return { ok: true, state: 'idle' };
  if (basics.includes('closed')) return { ok: true, state: 'busy' };
  if (has('unknown')) return { ok: true, state: 'unknown' };
  return { ok: true, state: findAll(doc, 'tuple').length === 0 ? 'offline' : 'unknown' };
}

export function phoneStateFromDialogInfo(xml: string): BodyReading {
  const doc = parse(xml);
  if (typeof doc === 'string') return { ok: false, reason: doc };
  if (findAll(doc, 'dialog-info').length === 0) return { ok: false, reason: 'no <dialog-info> element' };
  const states = findAll(doc, 'dialog').map((d) => text(findAll(d, 'state')[0] ?? '').toLowerCase());
  if (states.includes('confirmed')) return { ok: true, state: 'busy' };
  if (states.some((s) => s === 'early' || s === 'proceeding' || s === 'trying')) return { ok: true, state: 'ringing' };
  return { ok: true, state: 'idle' };
}

/** Read a NOTIFY body by its Content-Type (application/pidf+xml or application/dialog-info+xml). */
export function phoneStateFromNotify(contentType: string | undefined, body: Uint8Array): BodyReading {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const xml = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (type === 'application/pidf+xml') return phoneStateFromPidf(xml);
  if (type === 'application/dialog-info+xml') return phoneStateFromDialogInfo(xml);
  if (body.byteLength === 0) return { ok: false, reason: 'empty body (no state yet)' };
  return { ok: false, reason: `unexpected Content-Type ${contentType ?? '(none)'}` };
}
