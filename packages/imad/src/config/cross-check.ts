/**
 * Checks that span entries: duplicate ids and numbers, references between managers, assistants
 * and users, targets that would loop back into IMA, and the trunk's own consistency.
 */
import { isIP } from 'node:net';
import { normaliseNumber } from '@ima/ima-policy';
import type { NumberingPlan } from '@ima/ima-policy';
import type { Draft } from './draft.js';
import type { UserDraft } from './directory-sections.js';
import { cidrContains } from './net.js';
import { suggest } from './suggest.js';
import type { AssistantConfig, ManagerConfig, SipConfig } from './types.js';
import type { Walk } from './walk.js';

/** The sections as read, for the cross checks. */
export interface Sections {
  readonly sip: SipConfig | undefined;
  readonly httpListen: { readonly host: string; readonly port: number } | undefined;
  readonly plan: NumberingPlan;
  readonly managers: readonly (Draft<ManagerConfig> | undefined)[];
  readonly assistants: readonly (Draft<AssistantConfig> | undefined)[];
  readonly users: readonly (UserDraft | undefined)[];
}

/** "line 12" for the node at `path`, to say where the other half of a clash is. */
function lineOf(walk: Walk, path: string): string {
  const offset = walk.nodeAt(path)?.range?.[0];
  return offset === undefined ? path : `${path}, line ${walk.position(offset).line}`;
}

/** Reports every value seen before under another path. */
function checkUnique(walk: Walk, entries: readonly { value: string | undefined; path: string }[], what: (value: string, first: string) => string): void {
  const first = new Map<string, string>();
  for (const { value, path } of entries) {
    if (value === undefined) continue;
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, path);
    else walk.report(undefined, path, what(value, lineOf(walk, earlier)));
  }
}

function checkIds(walk: Walk, s: Sections): void {
  const duplicate = (value: string, first: string): string => `duplicate id "${value}" (first at ${first})`;
  checkUnique(walk, s.managers.map((m, i) => ({ value: m?.id, path: `managers[${i}].id` })), duplicate);
  checkUnique(walk, s.assistants.map((a, i) => ({ value: a?.id, path: `assistants[${i}].id` })), duplicate);
  checkUnique(walk, s.users.map((u, i) => ({ value: u?.login, path: `users[${i}].login` })), (value, first) => `duplicate login "${value}" (first at ${first})`);
}

function checkNumbers(walk: Walk, s: Sections): void {
  const canonical = (raw: string | undefined): string | undefined => (raw === undefined ? undefined : normaliseNumber(raw, s.plan));
  const entries = [
    ...s.managers.map((m, i) => ({ value: canonical(m?.number), path: `managers[${i}].number` })),
    ...s.assistants.map((a, i) => ({ value: canonical(a?.number), path: `assistants[${i}].number` })),
  ];
  checkUnique(walk, entries, (_value, first) => `this number is already taken (by ${first})`);
  // A target that is a public number would send the call straight back to IMA.
  const publicNumbers = new Map<string, string>();
  s.managers.forEach((m, i) => {
    const number = canonical(m?.number);
    if (number !== undefined && !publicNumbers.has(number)) publicNumbers.set(number, m?.id ?? `managers[${i}]`);
  });
  s.managers.forEach((m, i) => {
    for (const [name, raw] of Object.entries(m?.targets ?? {})) {
      const owner = publicNumbers.get(canonical(raw) ?? '');
      if (owner !== undefined) {
        walk.report(undefined, `managers[${i}].targets.${name}`, `"${raw}" is the public number of ${owner}: the call would loop back into IMA`);
      }
    }
  });
}

const MAX_LISTED = 8;

/** What to say after "is not an assistant": the near miss, the few that exist, or how many. */
function hint(id: string, ids: ReadonlySet<string>): string {
  if (ids.size === 0) return '(there are none)';
  const near = suggest(id, [...ids]);
  if (near !== undefined) return `(did you mean "${near}"?)`;
  if (ids.size <= MAX_LISTED) return `(known: ${[...ids].join(', ')})`;
  return `(none of the ${ids.size} known is close)`;
}

function checkIdList(walk: Walk, ids: readonly string[] | undefined, path: string, isKnown: (id: string) => boolean, notKnown: (id: string) => string): void {
  const seen = new Set<string>();
  ids?.forEach((id, j) => {
    if (seen.has(id)) walk.report(undefined, `${path}[${j}]`, `"${id}" is listed twice`);
    else if (!isKnown(id)) walk.report(undefined, `${path}[${j}]`, `"${id}" ${notKnown(id)}`);
    seen.add(id);
  });
}

function checkReferences(walk: Walk, s: Sections): void {
  const assistantIds = new Set(s.assistants.flatMap((a) => (a?.id === undefined ? [] : [a.id])));
  const managerIds = new Set(s.managers.flatMap((m) => (m?.id === undefined ? [] : [m.id])));
  const known = (ids: ReadonlySet<string>) => (id: string) => ids.has(id);
  s.managers.forEach((m, i) => {
    if (m === undefined) return;
    checkIdList(walk, m.assistants, `managers[${i}].assistants`, known(assistantIds), (id) => `is not an assistant ${hint(id, assistantIds)}`);
    const pool = new Set(m.assistants ?? []);
    // Only an `active` the YAML writes is checked: the default (the whole pool) is right by construction.
    if (m.assistants !== undefined && walk.nodes.has(`managers[${i}].active`)) {
      checkIdList(walk, m.active, `managers[${i}].active`, known(pool), (id) => `is not in this manager's assistants ${hint(id, pool)}`);
    }
    const fallback = m.fallback;
    if ((fallback === 'mobile' || fallback === 'alternative') && m.targets !== undefined && m.targets[fallback] === undefined) {
      walk.report(undefined, `managers[${i}].fallback`, `"${fallback}" needs targets.${fallback}, which this manager does not have`);
    }
  });
  s.users.forEach((u, i) => {
    if (typeof u?.manager === 'string' && u.role === 'manager' && !managerIds.has(u.manager)) {
      walk.report(undefined, `users[${i}].manager`, `"${u.manager}" is not a manager ${hint(u.manager, managerIds)}`);
    }
    if (typeof u?.assistant === 'string' && u.role === 'assistant' && !assistantIds.has(u.assistant)) {
      walk.report(undefined, `users[${i}].assistant`, `"${u.assistant}" is not an assistant ${hint(u.assistant, assistantIds)}`);
    }
  });
}

function checkSip(walk: Walk, s: Sections): void {
  const sip = s.sip;
  if (sip === undefined) return;
  const key = (h: { host: string; port: number }): string => `${h.host.toLowerCase()}|${h.port}`;
  checkUnique(
    walk,
    sip.listen.map((l, i) => ({ value: `${l.transport}|${key(l)}`, path: `sip.listen[${i}]` })),
    (_v, first) => `listed twice (first at ${first})`,
  );
  checkUnique(
    walk,
    sip.trunk.peers.map((p, i) => ({ value: key(p), path: `sip.trunk.peers[${i}]` })),
    (_v, first) => `listed twice (first at ${first})`,
  );
  sip.trunk.peers.forEach((peer, i) => {
    if (isIP(peer.host) !== 0 && !sip.trunk.allow.some((cidr) => cidrContains(cidr, peer.host))) {
      walk.report(undefined, `sip.trunk.peers[${i}]`, `${peer.host} is not in sip.trunk.allow: its requests and NOTIFYs would be refused`);
    }
  });
  const tlsUser = sip.listen.findIndex((l) => l.transport === 'tls');
  if (sip.tls === null && tlsUser >= 0) walk.report(undefined, `sip.listen[${tlsUser}]`, 'a tls listener needs sip.tls (cert and key)');
  if (sip.tls === null && sip.trunk.transport === 'tls') walk.report(undefined, 'sip.trunk.transport', 'tls needs sip.tls (cert and key)');
  const http = s.httpListen;
  if (http !== undefined) {
    const clash = sip.listen.findIndex((l) => l.transport !== 'udp' && key(l) === key(http));
    if (clash >= 0) walk.report(undefined, 'http.listen', `the same TCP address as sip.listen[${clash}]`);
  }
}

/** Runs every check that looks at more than one entry. */
export function crossCheck(walk: Walk, sections: Sections): void {
  checkIds(walk, sections);
  checkNumbers(walk, sections);
  checkReferences(walk, sections);
  checkSip(walk, sections);
}
