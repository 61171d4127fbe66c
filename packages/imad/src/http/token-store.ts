/**
 * Per-user API tokens for scripts: `ima_` + 32 random bytes (base64url), shown once when made.
 * Only their SHA-256 is kept, in tokens.json under storage.dir (0600, written atomically), so a
 * copy of the folder does not give anyone a usable token. They survive restarts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeAtomically } from '../store/atomic-file.js';

export interface TokenRecord {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  /** ISO 8601. */
  readonly created: string;
}

interface Stored extends TokenRecord {
  /** SHA-256 of the token, hex. */
  readonly hash: string;
}

const FILE = 'tokens.json';

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenStore {
  readonly #dir: string;
  readonly #byHash = new Map<string, Stored>();

  constructor(dir: string) {
    this.#dir = dir;
    const file = `${dir}/${FILE}`;
    if (!existsSync(file)) return;
    let doc: { tokens?: Stored[] };
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as { tokens?: Stored[] };
    } catch (err) {
      // Written atomically, so this is damage from outside: say which file and what removing it means.
      throw new Error(`${file} does not read (${(err as Error).message}): restore it from a backup, or remove it to revoke every API token`);
    }
    for (const t of doc.tokens ?? []) this.#byHash.set(t.hash, t);
  }

  /** Makes a token for `login`; the secret is in the result only. */
  create(login: string, name: string, now = new Date()): TokenRecord & { token: string } {
    const token = `ima_${randomBytes(32).toString('base64url')}`;
    const stored: Stored = { id: randomBytes(8).toString('hex'), login, name, created: now.toISOString(), hash: sha256(token) };
    this.#byHash.set(stored.hash, stored);
    this.#save();
    return { ...publicOf(stored), token };
  }

  /** The token's record when `token` is one of ours. */
  verify(token: string): TokenRecord | undefined {
    // The lookup key is a hash of 256 random bits: timing reveals nothing usable about other tokens.
    const found = this.#byHash.get(sha256(token));
    return found && publicOf(found);
  }

  list(): TokenRecord[] {
    return [...this.#byHash.values()].map(publicOf);
  }

  get(id: string): TokenRecord | undefined {
    const found = [...this.#byHash.values()].find((t) => t.id === id);
    return found && publicOf(found);
  }

  revoke(id: string): boolean {
    const found = [...this.#byHash.values()].find((t) => t.id === id);
    if (found === undefined) return false;
    this.#byHash.delete(found.hash);
    this.#save();
    return true;
  }

  #save(): void {
    writeAtomically(this.#dir, FILE, JSON.stringify({ tokens: [...this.#byHash.values()] }, null, 1) + '\n');
  }
}

function publicOf(t: Stored): TokenRecord {
  return { id: t.id, login: t.login, name: t.name, created: t.created };
}
