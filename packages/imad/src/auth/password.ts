/**
 * Password hashes for the `users` section: scrypt (node:crypto) with a random salt, written in a
 * self-describing form so that the cost can be raised later without breaking old hashes:
 *
 *   scrypt$N$r$p$<salt, base64>$<key, base64>
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** The scrypt cost parameters of a hash. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** A parsed hash. */
export interface PasswordHash extends ScryptParams {
  readonly salt: Buffer;
  readonly key: Buffer;
}

/** What `hashPassword` uses: 64 MiB of memory per hash (OWASP's N=2^16, r=8, p=1). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 65_536, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read from a file, so that a hash cannot ask for gigabytes or minutes. */
const LIMITS = { minLogN: 10, maxLogN: 20, maxR: 32, maxP: 16, minSaltBytes: 16, minKeyBytes: 16, maxKeyBytes: 64 } as const;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keyLength, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/**
 * The hash as parsed, or a message saying why `text` is not a hash that `hashPassword` could
 * have written.
 */
export function parsePasswordHash(text: string): { readonly ok: true; readonly hash: PasswordHash } | { readonly ok: false; readonly message: string } {
  const parts = text.split('$');
  if (parts[0] !== 'scrypt' || parts.length !== 6) {
    return { ok: false, message: 'this is not a password hash: expected scrypt$N$r$p$salt$hash (make one with `imad hash-password`)' };
  }
  const [, nText = '', rText = '', pText = '', saltText = '', keyText = ''] = parts;
  const whole = (s: string): number => (/^[1-9]\d{0,9}$/.test(s) ? Number(s) : NaN);
  const N = whole(nText);
  const r = whole(rText);
  const p = whole(pText);
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < LIMITS.minLogN || logN > LIMITS.maxLogN) {
    return { ok: false, message: `scrypt N "${nText}" must be a power of two from 2^${LIMITS.minLogN} to 2^${LIMITS.maxLogN}` };
  }
  if (!(r >= 1 && r <= LIMITS.maxR)) return { ok: false, message: `scrypt r "${rText}" must be from 1 to ${LIMITS.maxR}` };
  if (!(p >= 1 && p <= LIMITS.maxP)) return { ok: false, message: `scrypt p "${pText}" must be from 1 to ${LIMITS.maxP}` };
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return { ok: false, message: 'salt and hash must be base64' };
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < LIMITS.minSaltBytes) return { ok: false, message: `salt is ${salt.length} bytes, fewer than ${LIMITS.minSaltBytes}` };
  if (key.length < LIMITS.minKeyBytes || key.length > LIMITS.maxKeyBytes) {
    return { ok: false, message: `hash is ${key.length} bytes, not ${LIMITS.minKeyBytes} to ${LIMITS.maxKeyBytes}` };
  }
  return { ok: true, hash: { N, r, p, salt, key } };
}

/** Hashes `password` with a fresh random salt; the result goes in a user's `password_hash`. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * True when `password` matches `hash`. A malformed hash is simply false. The comparison takes
 * the same time wherever the keys differ (timingSafeEqual).
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed.ok) return false;
  const { salt, key } = parsed.hash;
  const candidate = await scrypt(password, salt, key.length, parsed.hash);
  return timingSafeEqual(candidate, key);
}
