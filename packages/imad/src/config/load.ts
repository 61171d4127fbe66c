/**
 * Loading a configuration: YAML text -> syntax tree with positions -> every section read and
 * checked -> cross checks -> the policy's own directory check -> a typed `Config`, or every
 * problem at once, each with its line and column.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_NUMBERING_PLAN } from '@ima/ima-policy';
import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { crossCheck } from './cross-check.js';
import { readAssistant, readManager, readUser } from './directory-sections.js';
import type { UserDraft } from './directory-sections.js';
import { complete } from './draft.js';
import type { Draft } from './draft.js';
import { sortProblems } from './problem.js';
import type { ConfigProblem } from './problem.js';
import { entriesOf } from './scalars.js';
import { readHttp, readLog, readNumbering, readShutdown, readSip, readStorage } from './sip-sections.js';
import { configDirectory, yamlPathOf } from './to-directory.js';
import type { AssistantConfig, Config, ManagerConfig, UserConfig } from './types.js';
import { readMap, Walk } from './walk.js';

/** A valid configuration, or every problem found. */
export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface ParseOptions {
  /** The folder that relative paths (storage.dir, sip.tls.*) are resolved against; the current one by default. */
  readonly baseDir?: string;
  /**
   * Whether files the configuration names (sip.tls cert, key, ca) must be readable now; false by
   * default, true in `loadConfig`. storage.dir is never checked: the daemon creates it.
   */
  readonly isCheckingFiles?: boolean;
}

/** The top-level keys, in the order docs/config.md presents them. */
export const TOP_LEVEL_KEYS = ['sip', 'http', 'storage', 'log', 'shutdown', 'numbering', 'managers', 'assistants', 'users'] as const;

function toUserConfig(u: UserDraft): UserConfig | undefined {
  const { login, role, passwordHash } = u;
  if (login === undefined || role === undefined || passwordHash === undefined) return undefined;
  if (role === 'admin') return { login, role, passwordHash };
  if (role === 'manager') return typeof u.manager === 'string' ? { login, role, manager: u.manager, passwordHash } : undefined;
  return typeof u.assistant === 'string' ? { login, role, assistant: u.assistant, passwordHash } : undefined;
}

/** Every draft finished, or undefined when any is missing or incomplete. */
function finishAll<D, T>(drafts: readonly (D | undefined)[] | undefined, finish: (draft: D) => T | undefined): T[] | undefined {
  if (drafts === undefined) return undefined;
  const done: T[] = [];
  for (const draft of drafts) {
    const value = draft === undefined ? undefined : finish(draft);
    if (value === undefined) return undefined;
    done.push(value);
  }
  return done;
}

/**
 * Checks configuration `text` completely and returns the typed configuration, or every problem
 * found (YAML syntax first: when the YAML does not parse, the shape is not checked).
 */
export function parseConfig(text: string, options: ParseOptions = {}): ConfigResult {
  const paths = { baseDir: resolve(options.baseDir ?? '.'), isCheckingFiles: options.isCheckingFiles ?? false };
  const lineCounter = new LineCounter();
  // Duplicate keys are left to the walk, which names the key and where it was first given.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, version: '1.2', merge: false });
  const walk = new Walk(text, lineCounter);
  for (const error of [...doc.errors, ...doc.warnings]) {
    const message = error.code === 'MULTIPLE_DOCS' ? 'the file holds more than one YAML document (---): keep one' : error.message;
    walk.reportAt(error.pos[0], '', `YAML: ${message}`);
  }
  if (walk.problems.length > 0) return { ok: false, problems: sortProblems(walk.problems) };

  const root = doc.contents as Node | null;
  if (root === null) {
    walk.reportAt(0, '', 'the file is empty: it needs at least a sip section');
    return { ok: false, problems: walk.problems };
  }
  walk.nodes.set('', root);
  const top = readMap(walk, root, '', TOP_LEVEL_KEYS);
  if (top === undefined) return { ok: false, problems: walk.problems };

  const numbering = top.optional('numbering', readNumbering, DEFAULT_NUMBERING_PLAN);
  const plan = numbering ?? DEFAULT_NUMBERING_PLAN;
  const sip = top.required('sip', readSip(paths));
  const managers = top.optional('managers', entriesOf(readManager(plan)), []);
  const assistants = top.optional('assistants', entriesOf(readAssistant), []);
  const users = top.optional('users', entriesOf(readUser), []);
  const draft: Draft<Config> = {
    sip,
    http: top.section('http', readHttp(paths)),
    storage: top.section('storage', readStorage(paths)),
    log: top.section('log', readLog),
    shutdown: top.section('shutdown', readShutdown),
    numbering,
    managers: finishAll(managers, (m) => complete<ManagerConfig>(m)),
    assistants: finishAll(assistants, (a) => complete<AssistantConfig>(a)),
    users: finishAll(users, toUserConfig),
  };
  crossCheck(walk, {
    sip,
    httpListen: draft.http?.listen,
    plan,
    managers: managers ?? [],
    assistants: assistants ?? [],
    users: users ?? [],
  });

  const config = complete(draft);
  if (walk.problems.length > 0 || config === undefined) {
    if (walk.problems.length === 0) walk.reportAt(0, '', 'the configuration is incomplete');
    return { ok: false, problems: sortProblems(walk.problems) };
  }
  // The policy checks the directory too; anything it finds that the walk missed still gets a position.
  const directory = configDirectory(config);
  if (!directory.ok) {
    for (const problem of directory.problems) {
      const path = yamlPathOf(problem.path);
      walk.report(undefined, path, problem.message);
    }
    return { ok: false, problems: sortProblems(walk.problems) };
  }
  return { ok: true, config };
}

/**
 * Reads and checks the configuration file `file`; relative paths in it are relative to its
 * folder, and the TLS files it names must be readable.
 */
export async function loadConfig(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ line: 0, column: 0, path: '', message: `cannot read the file: ${reason}` }] };
  }
  return parseConfig(text, { baseDir: dirname(resolve(file)), isCheckingFiles: true });
}
