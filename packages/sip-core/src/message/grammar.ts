/**
 * Character classes and a cursor over one header value, after line unfolding
 * (RFC 3261 §25.1: LWS is then only SP and HTAB). The header parsers are
 * hand-written on top of this: no regular expressions on the hot path.
 */
import { SipParseError } from '../errors.js';

function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [lo, hi] of ranges) for (let i = lo; i <= hi; i++) t[i] = 1;
  return t;
}
const ALNUM: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]];

/** RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
export const TOKEN = table("-.!%*_+`'~", ALNUM);
/** RFC 3261 word (Call-ID): token characters plus ( ) < > : \ DQUOTE / [ ] ? { } */
export const WORD = table("-.!%*_+`'~()<>:\\\"/[]?{}", ALNUM);
/** hostname, IPv4 and IPv6 reference characters; "_" is tolerated as real networks use it. */
export const HOST = table('-._[]:', ALNUM);
/** user = 1*( unreserved / escaped / user-unreserved ); "%" checked separately. */
export const USER = table("-_.!~*'()&=+$,;?/%", ALNUM);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table("-_.!~*'()&=+$,%", ALNUM);
/** paramchar = param-unreserved / unreserved / escaped */
export const PARAMCHAR = table("[]/:&+$-_.!~*'()%", ALNUM);
/** hname / hvalue characters: hnv-unreserved / unreserved / escaped */
export const HNVCHAR = table("[]/?:+$-_.!~*'()%", ALNUM);

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function isAll(s: string, t: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

/** s[start, end) lower-cased; names are nearly always lower case already, and toLowerCase costs more than this look. */
export function lowerCased(s: string, start: number, end: number): string {
  const text = s.slice(start, end);
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return text.toLowerCase();
  }
  return text;
}

const HEX = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * Undo RFC 3986 %-escapes. Returns undefined when a "%" is not followed by two
 * hex digits (so the caller can report where). Decodes escaped UTF-8 sequences.
 */
export function unescapePct(s: string): string | undefined {
  let i = s.indexOf('%');
  if (i < 0) return s;
  const bytes: number[] = [];
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x25) {
      const h = HEX(s.charCodeAt(j + 1));
      const l = HEX(s.charCodeAt(j + 2));
      if (h < 0 || l < 0) return undefined;
      bytes.push(h * 16 + l);
      j += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(s[j]!, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Escape every character not in `allowed` (plus "%" itself) as %XX of its UTF-8 bytes. */
export function escapePct(s: string, allowed: Uint8Array): string {
  let out = '';
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || allowed[c] !== 1 || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  for (const b of Buffer.from(s, 'utf8')) {
    if (b < 128 && allowed[b] === 1 && b !== 0x25) out += String.fromCharCode(b);
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** A position inside one header value; every read method advances it. */
export class Cursor {
  i = 0;
  constructor(
    readonly s: string,
    readonly part: string,
  ) {}

  fail(message: string): never {
    throw new SipParseError(message, { part: this.part, offset: this.i });
  }

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(): number {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }

  /** Skips SP and HTAB; returns whether any were skipped. */
  ws(): boolean {
    const start = this.i;
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09) break;
      this.i++;
    }
    return this.i > start;
  }

  /** SWS c SWS; returns false (without moving) when c is not next. */
  sep(c: number): boolean {
    const start = this.i;
    this.ws();
    if (this.peek() === c) {
      this.i++;
      this.ws();
      return true;
    }
    this.i = start;
    return false;
  }

  expectSep(c: number, what: string): void {
    if (!this.sep(c)) this.fail(`expected ${what}`);
  }

  /** Reads 1*chars of the table; fails with `what` when there is none. */
  run(t: Uint8Array, what: string): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c >= 128 || t[c] !== 1) break;
      this.i++;
    }
    if (this.i === start) this.fail(`expected ${what}`);
    return s.slice(start, this.i);
  }

  token(what = 'token'): string {
    return this.run(TOKEN, what);
  }

  /** quoted-string at the cursor, returned as written (with its quotes). */
  quoted(): string {
    const s = this.s;
    const start = this.i;
    if (s.charCodeAt(this.i) !== 0x22) this.fail('expected quoted-string');
    this.i++;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return s.slice(start, this.i);
      }
      if (c === 0x5c) {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): any octet but CR and LF
        if (this.i + 1 >= s.length) break;
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.i = start;
    return this.fail('unterminated quoted-string');
  }

  /** Reads digits as a number; fails when absent or above max. */
  number(what: string, max: number): number {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c < 0x30 || c > 0x39) break;
      this.i++;
    }
    if (this.i === start) this.fail(`expected ${what}`);
    // Leading zeros are legal ("0068"); only the value is bounded.
    const digits = s.slice(start, this.i);
    const n = digits.length > 16 ? Infinity : Number(digits);
    if (n > max) {
      this.i = start;
      this.fail(`${what} ${digits.length > 24 ? digits.slice(0, 24) + '...' : digits} is larger than ${max}`);
    }
    return n;
  }

  end(): void {
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected "${this.s[this.i]}"`);
  }
}

/** Remove the quotes and backslash escapes of a quoted-string. */
export function unquote(q: string): string {
  if (q.length < 2 || q.charCodeAt(0) !== 0x22) return q;
  const inner = q.slice(1, -1);
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(.)/gs, '$1');
}

/** Quote a string as a quoted-string, escaping " and \. */
export function quote(s: string): string {
  return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
}

/**
 * Split a header value at top-level commas: never inside a quoted-string or
 * inside <...>. Each part is trimmed of SP/HTAB.
 */
export function splitTopLevel(s: string, sepCode = 0x2c): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x3e) inAngle = false;
    else if (c === sepCode && !inAngle) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}
