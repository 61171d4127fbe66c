/**
 * The dialog identifier (RFC 3261 §12): Call-ID, local tag and remote tag.
 * A UAC's local tag is the From tag of its request; a UAS's is the To tag of
 * its response (§12.1.1, §12.1.2). Incoming in-dialog requests carry our tag
 * in To and the peer's in From (§12.2.2).
 */
import type { SipRequest, SipResponse } from '../message/message.js';

/** RFC 3261 §12: the three values that identify a dialog, seen from our side. */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** A string key for maps: the three parts, in a fixed order. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The id of the dialog an incoming request belongs to (§12.2.2): local tag =
 * To tag, remote tag = From tag. Undefined for a request outside a dialog (no
 * To tag) or without a From tag (RFC 2543 peers: not supported in dialogs).
 */
export function dialogIdOfRequest(req: SipRequest): DialogId | undefined {
  const localTag = req.to.tag;
  const remoteTag = req.from.tag;
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: req.callId, localTag, remoteTag };
}

/**
 * The id of the dialog a response to our request belongs to (§12.1.2): local
 * tag = From tag, remote tag = To tag. Undefined when the response has no To tag.
 */
export function dialogIdOfResponse(res: SipResponse): DialogId | undefined {
  const localTag = res.from.tag;
  const remoteTag = res.to.tag;
  if (localTag === undefined || remoteTag === undefined) return undefined;
  return { callId: res.callId, localTag, remoteTag };
}
