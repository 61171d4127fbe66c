/**
 * Password hashes:
 * - hashPassword writes scrypt$N$r$p$salt$key with a fresh salt each time
 * - verifyPassword accepts the password and refuses any other, and a malformed hash
 * - parsePasswordHash refuses wrong schemes, part counts, costs out of bounds, short salts and keys
 * - the default cost is the documented one
 */
import t from 'tap';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, parsePasswordHash, verifyPassword } from '../../src/auth/password.js';
import { HASH } from '../fixtures/config.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

t.test('hash then verify', async (t) => {
  const hash = await hashPassword('correct horse', CHEAP);
  t.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  t.equal(await verifyPassword('correct horse', hash), true);
  t.equal(await verifyPassword('correct horsE', hash), false);
  t.equal(await verifyPassword('', hash), false);
  t.not(await hashPassword('correct horse', CHEAP), hash, 'a fresh salt every time');
});

t.test('the fixture hash is of "secret"', async (t) => {
  t.equal(await verifyPassword('secret', HASH), true);
});

t.test('unicode passwords are compared in NFC', async (t) => {
  const hash = await hashPassword('caf\u00e9', CHEAP);
  t.equal(await verifyPassword('cafe\u0301', hash), true);
});

t.test('the default cost', async (t) => {
  t.same(DEFAULT_SCRYPT_PARAMS, { N: 65_536, r: 8, p: 1 });
  const hash = await hashPassword('x');
  t.match(hash, /^scrypt\$65536\$8\$1\$/);
  t.equal(await verifyPassword('x', hash), true);
});

t.test('malformed hashes', async (t) => {
  const [, , , , salt = '', key = ''] = HASH.split('$');
  const cases: [string, string][] = [
    ['bcrypt$10$x', 'this is not a password hash: expected scrypt$N$r$p$salt$hash (make one with `imad hash-password`)'],
    [`scrypt$1024$8$1$${salt}`, 'this is not a password hash: expected scrypt$N$r$p$salt$hash (make one with `imad hash-password`)'],
    [`scrypt$1000$8$1$${salt}$${key}`, 'scrypt N "1000" must be a power of two from 2^10 to 2^20'],
    [`scrypt$2097152$8$1$${salt}$${key}`, 'scrypt N "2097152" must be a power of two from 2^10 to 2^20'],
    [`scrypt$01024$8$1$${salt}$${key}`, 'scrypt N "01024" must be a power of two from 2^10 to 2^20'],
    [`scrypt$1024$0$1$${salt}$${key}`, 'scrypt r "0" must be from 1 to 32'],
    [`scrypt$1024$8$17$${salt}$${key}`, 'scrypt p "17" must be from 1 to 16'],
    [`scrypt$1024$8$1$not base64!$${key}`, 'salt and hash must be base64'],
    [`scrypt$1024$8$1$AAAA$${key}`, 'salt is 3 bytes, fewer than 16'],
    [`scrypt$1024$8$1$${salt}$AAAA`, 'hash is 3 bytes, not 16 to 64'],
  ];
  for (const [text, message] of cases) {
    const parsed = parsePasswordHash(text);
    t.same(parsed.ok ? 'ok' : parsed.message, message, text);
    t.equal(await verifyPassword('secret', text), false, `verify refuses ${text}`);
  }
  t.ok(parsePasswordHash(HASH).ok);
});
