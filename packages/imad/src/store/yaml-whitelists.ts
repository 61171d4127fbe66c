/**
 * The whitelists as the YAML file last gave them. Whitelist entries written in
 * the YAML follow the file, while entries added at run time (portal, API, ctl)
 * stay: to tell which is which across a restart, imad keeps the last applied
 * YAML whitelists beside the state, in yaml-whitelists.json. An admin who edits
 * the file while imad is stopped then sees the edit applied at the next start,
 * exactly as a SIGHUP would have applied it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@ima/ima-policy';
import type { Config } from '../config/types.js';
import { writeAtomically } from './atomic-file.js';
import { StoreError } from './state-store.js';

const FILE = 'yaml-whitelists.json';

/** Manager id -> the whitelist patterns the YAML gave. */
export type YamlWhitelists = Readonly<Record<string, readonly string[]>>;

export function yamlWhitelistsOf(config: Config): YamlWhitelists {
  return Object.fromEntries(config.managers.map((m) => [m.id, [...m.whitelist]]));
}

/** The whitelists last applied, or undefined when this folder has none yet. */
export function readYamlWhitelists(dir: string): YamlWhitelists | undefined {
  const path = join(dir, FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const valid =
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => Array.isArray(v) && v.every((p) => typeof p === 'string'));
    if (valid) return parsed as YamlWhitelists;
  } catch {
    // reported below
  }
  throw new StoreError('IMAD_STORE_CORRUPT', `${path} does not read as {manager: [patterns]}; fix it or delete it (the next start then adds every YAML whitelist entry and removes none)`);
}

export function writeYamlWhitelists(dir: string, whitelists: YamlWhitelists): void {
  writeAtomically(dir, FILE, `${JSON.stringify(whitelists)}\n`);
}

/**
 * The commands that move the runtime whitelists from what the YAML said
 * (`before`) to what it says now (`after`). A manager absent from `before`
 * gets every entry added and none removed: an entry it has at run time may
 * have been added through the portal.
 */
export function whitelistCommands(before: YamlWhitelists, after: YamlWhitelists): Command[] {
  const by = { kind: 'system' } as const;
  const commands: Command[] = [];
  for (const [managerId, patterns] of Object.entries(after)) {
    const was = new Set(before[managerId] ?? []);
    const now = new Set(patterns);
    for (const pattern of now) {
      if (!was.has(pattern)) commands.push({ type: 'addEntry', by, managerId, entry: { list: 'whitelist', pattern, expiry: { kind: 'never' } } });
    }
    for (const pattern of was) {
      if (!now.has(pattern)) commands.push({ type: 'removeEntry', by, managerId, list: 'whitelist', pattern });
    }
  }
  return commands;
}
