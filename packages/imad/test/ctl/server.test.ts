/**
 * The control socket server on its own:
 * - a socket path longer than a Unix socket allows is refused up front, naming storage.dir
 *   (Linux would otherwise fail with a misleading EADDRINUSE)
 * - a socket at an ordinary path listens, with mode 0600, and answers a request
 */
import t from 'tap';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctlRequest, startControlServer } from '../../src/ctl/server.js';

const dir = mkdtempSync(join(tmpdir(), 'imad-ctl-server-'));

t.test('a socket path over 107 bytes is refused with a reason', async (t) => {
  const long = join(dir, 'x'.repeat(120), 'imad.sock');
  await t.rejects(startControlServer(long, () => ({ ok: true, result: null })), /at most 107: choose a shorter storage\.dir/);
});

t.test('an ordinary path listens with mode 0600 and answers', async (t) => {
  const path = join(dir, 'imad.sock');
  const server = await startControlServer(path, (req) => ({ ok: true, result: req.cmd }));
  t.teardown(() => void server.close());
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.same(await ctlRequest(path, { cmd: 'status', args: [] }), { ok: true, result: 'status' });
});
