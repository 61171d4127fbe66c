/**
 * SipRequest | SipResponse -> bytes. Header order and text are kept as they
 * are; Content-Length always states the body's real length.
 */
import type { SipMessage } from './message.js';

/**
 * Serialize a message. Content-Length is set to the body's length (added when absent).
 * A parsed message that nothing has changed is its received octets: the Buffer
 * returned then shares memory with the parser's input.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  const same = msg.unchangedBytes;
  if (same !== undefined) return same;
  let head =
    msg.kind === 'request' ? `${msg.method} ${msg.uri.toString()} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  const bodyLength = msg.body.byteLength;
  let wroteLength = false;
  msg.headers.forEachLine((name, value, key) => {
    if (key === 'content-length') {
      if (wroteLength) return;
      wroteLength = true;
      head += `${name}: ${bodyLength}\r\n`;
      return;
    }
    head += `${name}: ${value}\r\n`;
  });
  if (!wroteLength) head += `Content-Length: ${bodyLength}\r\n`;
  head += '\r\n';
  const enc = msg.headerEncoding;
  // One pass over the text: measuring it first, then writing it, walks it twice (bodiless BYEs, ACKs and provisionals are common).
  if (bodyLength === 0) return Buffer.from(head, enc);
  const headLength = Buffer.byteLength(head, enc);
  const out = Buffer.allocUnsafe(headLength + bodyLength);
  out.write(head, 0, enc);
  if (bodyLength > 0) out.set(msg.body, headLength);
  return out;
}

/** The serialized message as text (for logs and tests); the body is decoded as UTF-8. */
export function messageToString(msg: SipMessage): string {
  return serializeMessage(msg).toString(msg.headerEncoding);
}
