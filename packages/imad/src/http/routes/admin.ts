/**
 * The configuration file (admin): read it as it is on disk, or replace it. A new text is
 * checked as `imad check` does, written atomically beside the old one (temp file + rename; the
 * text is the body, so its comments stay), then reloaded; a reload the daemon refuses puts the
 * old text back. Trunk peers' health.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseConfig } from '../../config/load.js';
import { writeAtomically } from '../../store/atomic-file.js';
import { HttpError } from '../errors.js';
import { route } from '../route.js';
import { arrayOf, errorSchema, obj, peerSchema, str } from '../schemas.js';
import { peerView } from '../views.js';

const problemsSchema = obj({
  error: str,
  problems: arrayOf(obj({ line: { type: 'integer' }, column: { type: 'integer' }, path: str, message: str })),
});

/** Writes `text` as the configuration file atomically, keeping the file's mode; a refusal of the disk is a 409 that says so. */
function writeConfig(file: string, text: string): void {
  try {
    const mode = statSync(file).mode & 0o777;
    writeAtomically(dirname(file), basename(file), text);
    chmodSync(file, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new HttpError(409, `cannot write ${file} (${code}): the daemon's user needs write access to the file and its folder`);
  }
}

function configFileOf(file: string | undefined): string {
  if (file === undefined) throw new HttpError(409, 'imad was started without a configuration file: nothing to read or replace');
  return file;
}

const getConfig = route({
  method: 'GET',
  url: '/api/config',
  access: 'admin',
  tag: 'admin',
  summary: 'The configuration file as it is on disk',
  schema: { response: { 200: { mediaType: 'text/yaml' }, 401: errorSchema, 403: errorSchema, 409: errorSchema } },
  async handler({ ctx, reply }) {
    const file = configFileOf(ctx.host.configFile);
    return reply.type('text/yaml; charset=utf-8').send(readFileSync(file, 'utf8'));
  },
});

const putConfig = route<string>({
  method: 'PUT',
  url: '/api/config',
  access: 'admin',
  tag: 'admin',
  summary: 'Replace the configuration file: checked, written atomically, reloaded',
  schema: {
    body: { type: 'string', maxLength: 1024 * 1024 },
    bodyMediaType: 'text/yaml',
    response: { 200: obj({ warnings: arrayOf(str) }), 400: errorSchema, 401: errorSchema, 403: errorSchema, 409: errorSchema, 422: problemsSchema },
  },
  async handler({ ctx, body, reply, req }) {
    const file = configFileOf(ctx.host.configFile);
    const checked = parseConfig(body, { baseDir: dirname(file), isCheckingFiles: true });
    if (!checked.ok) {
      return reply.code(422).send({ error: `the configuration has ${checked.problems.length} problem(s)`, problems: checked.problems.map((p) => ({ line: p.line, column: p.column, path: p.path, message: p.message })) });
    }
    const before = readFileSync(file, 'utf8');
    writeConfig(file, body);
    const reloaded = ctx.host.reload(checked.config);
    if (!reloaded.ok) {
      writeConfig(file, before);
      return reply.code(422).send({ error: `the daemon refused the configuration: ${reloaded.reason}`, problems: [{ line: 0, column: 0, path: '', message: reloaded.reason }] });
    }
    req.log.info({ login: req.principal?.login, warnings: reloaded.warnings }, 'configuration replaced through the API');
    return { warnings: reloaded.warnings };
  },
});

const peers = route({
  method: 'GET',
  url: '/api/peers',
  access: 'admin',
  tag: 'admin',
  summary: "Trunk peers' health",
  schema: { response: { 200: arrayOf(peerSchema), 401: errorSchema, 403: errorSchema } },
  async handler({ ctx }) {
    return ctx.host.peers().map(peerView);
  },
});

export const adminRoutes = [getConfig, putConfig, peers];
