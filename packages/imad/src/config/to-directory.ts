/**
 * From the validated configuration to the policy's directory input, and the policy's own check
 * of it.
 */
import { buildDirectory } from '@ima/ima-policy';
import type { DirectoryInput, DirectoryResult, ManagerInput, User } from '@ima/ima-policy';
import type { Config, ManagerConfig, UserConfig } from './types.js';

function toManagerInput(m: ManagerConfig): ManagerInput {
  return {
    id: m.id,
    name: m.name,
    number: m.number,
    targets: m.targets,
    assistants: m.assistants,
    active: m.active,
    filter: m.isFilterOn,
    filterMode: m.filterMode,
    availability: m.availability,
    alerting: m.alerting,
    noAnswerMs: m.noAnswerMs,
    fallback: m.fallback,
    blockAction: m.blockAction,
    whitelist: m.whitelist,
    timeZone: m.timeZone,
  };
}

/** The login without its password hash: the policy never sees one. */
function toUser(u: UserConfig): User {
  switch (u.role) {
    case 'admin':
      return { login: u.login, role: 'admin' };
    case 'manager':
      return { login: u.login, role: 'manager', manager: u.manager };
    case 'assistant':
      return { login: u.login, role: 'assistant', assistant: u.assistant };
  }
}

/** The policy's view of the configuration: managers, assistants, users and the numbering plan. */
export function toDirectoryInput(config: Config): DirectoryInput {
  return {
    managers: config.managers.map(toManagerInput),
    assistants: config.assistants.map((a) => ({ id: a.id, name: a.name, number: a.number, availability: a.availability })),
    users: config.users.map(toUser),
    numbering: config.numbering,
  };
}

/** The policy's checked, indexed directory of the configuration. */
export function configDirectory(config: Config): DirectoryResult {
  return buildDirectory(toDirectoryInput(config));
}

/**
 * The YAML path of a path in the policy's directory input: the policy names fields in camelCase
 * (`managers[0].noAnswerMs`), the YAML in snake_case (`managers[0].no_answer`).
 */
export function yamlPathOf(policyPath: string): string {
  return policyPath.replace(/noAnswerMs/g, 'no_answer').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
