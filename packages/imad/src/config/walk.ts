/**
 * The walk over the YAML syntax tree: it keeps the problems found so far and the node at each
 * path, so that any later check — a cross reference, or the policy's own directory check — can
 * name a line and column.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node, Pair, YAMLMap } from 'yaml';
import type { ConfigProblem } from './problem.js';
import { suggest } from './suggest.js';

/** Reads the value at `path` from `node`; undefined when it is invalid (and reported). */
export type Reader<T> = (walk: Walk, node: Node | null, path: string) => T | undefined;

/** `path` joined with a key: `managers[0]` + `id` -> `managers[0].id`. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** What a node is, in words, for messages. */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    if (typeof v === 'number') return 'a number';
    if (typeof v === 'boolean') return 'true/false';
    return 'text';
  }
  return 'an alias';
}

export class Walk {
  readonly problems: ConfigProblem[] = [];
  /** The node at each path that the walk visited. */
  readonly nodes = new Map<string, Node>();
  private readonly lineCounter: LineCounter;
  readonly source: string;

  constructor(source: string, lineCounter: LineCounter) {
    this.source = source;
    this.lineCounter = lineCounter;
  }

  /** 1-based line and column of a source offset. */
  position(offset: number): { line: number; column: number } {
    const pos = this.lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** Reports a problem at `offset`. */
  reportAt(offset: number, path: string, message: string): void {
    const { line, column } = this.position(offset);
    this.problems.push({ line, column, path, message: path === '' ? message : `${path}: ${message}` });
  }

  /** Reports a problem at `node`, or at the node recorded for `path` or its nearest ancestor. */
  report(node: Node | null | undefined, path: string, message: string): void {
    const at = node ?? this.nodeAt(path);
    this.reportAt(at?.range?.[0] ?? 0, path, message);
  }

  /** The node recorded for `path`, or for its nearest recorded ancestor. */
  nodeAt(path: string): Node | undefined {
    for (let p = path; ; ) {
      const node = this.nodes.get(p);
      if (node !== undefined) return node;
      if (p === '') return undefined;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? '' : p.slice(0, cut);
    }
  }

  /** The source text of a node, as written (`0123`, not 123). */
  sourceOf(node: Node): string {
    const range = node.range;
    return range === undefined || range === null ? '' : this.source.slice(range[0], range[1]).trim();
  }

  /** Records `node` at `path`; refuses aliases, whose position would be the anchor's. */
  visit(node: Node | null, path: string): Node | null | undefined {
    if (node !== null) this.nodes.set(path, node);
    if (node !== null && isAlias(node)) {
      this.report(node, path, `aliases (*${node.source}) are not supported: write the value out`);
      return undefined;
    }
    return node;
  }

  /** Reads `node` at `path` with `read`, after recording it. */
  read<T>(node: Node | null, path: string, read: Reader<T>): T | undefined {
    const visited = this.visit(node, path);
    if (visited === undefined) return undefined;
    return read(this, visited, path);
  }
}

/**
 * The keys of one YAML mapping, checked against the allowed ones: every unknown key is reported
 * (with the nearest allowed key as a hint), and each field is then read by name.
 */
export class MapReader {
  private readonly pairs = new Map<string, Pair<Node, Node | null>>();

  constructor(
    private readonly walk: Walk,
    private readonly node: YAMLMap<Node, Node | null> | null,
    /** Where to point when the mapping is empty (written as nothing). */
    private readonly anchor: Node | null,
    readonly path: string,
    allowed: readonly string[],
  ) {
    for (const pair of node?.items ?? []) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== 'string') {
        walk.report(key, path, `keys must be plain words, not ${describe(key)}`);
        continue;
      }
      const name = key.value;
      const earlier = this.pairs.get(name)?.key;
      if (earlier !== undefined) {
        const first = walk.position(earlier.range?.[0] ?? 0).line;
        walk.report(key, path, `"${name}" is given twice (first at line ${first}); the second would silently win`);
        continue;
      }
      if (!allowed.includes(name)) {
        const hint = suggest(name, allowed);
        const help = hint === undefined ? `allowed here: ${allowed.join(', ')}` : `did you mean "${hint}"?`;
        walk.report(key, path, `unknown key "${name}" (${help})`);
        continue;
      }
      this.pairs.set(name, pair);
      walk.nodes.set(child(path, name), pair.value ?? key);
    }
  }

  /** True when the mapping has `key`. */
  has(key: string): boolean {
    return this.pairs.has(key);
  }

  /** The key node of `key`, to point at the key rather than its value. */
  keyNode(key: string): Node | undefined {
    return this.pairs.get(key)?.key;
  }

  private missing(key: string): undefined {
    this.walk.report(this.node ?? this.anchor, this.path, `missing required key "${key}"`);
    return undefined;
  }

  /** `key:` with nothing after it is a null scalar, positioned where the value would be. */
  private valueNode(pair: Pair<Node, Node | null>): Node | null {
    return pair.value ?? null;
  }

  /** Reads a key that must be present. */
  required<T>(key: string, read: Reader<T>): T | undefined {
    const pair = this.pairs.get(key);
    if (pair === undefined) return this.missing(key);
    return this.walk.read(this.valueNode(pair), child(this.path, key), read);
  }

  /** Reads a section that may be absent, in which case it is read as an empty mapping (all defaults). */
  section<T>(key: string, read: Reader<T>): T | undefined {
    const pair = this.pairs.get(key);
    return this.walk.read(pair === undefined ? null : this.valueNode(pair), child(this.path, key), read);
  }

  /** Reads a key that may be absent, in which case the default applies. */
  optional<T>(key: string, read: Reader<T>, fallback: T): T | undefined {
    const pair = this.pairs.get(key);
    if (pair === undefined) return fallback;
    return this.walk.read(this.valueNode(pair), child(this.path, key), read);
  }
}

/**
 * Opens `node` as a mapping with the allowed keys; a null node (`http:` with nothing) is an
 * empty mapping. Anything else is reported and gives undefined.
 */
export function readMap(walk: Walk, node: Node | null, path: string, allowed: readonly string[]): MapReader | undefined {
  if (node !== null && isMap(node)) return new MapReader(walk, node as YAMLMap<Node, Node | null>, node, path, allowed);
  if (node === null || (isScalar(node) && node.value === null)) return new MapReader(walk, null, node, path, allowed);
  walk.report(node, path, `must be a mapping (key: value), not ${describe(node)}`);
  return undefined;
}
