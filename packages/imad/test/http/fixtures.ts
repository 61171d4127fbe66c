/**
 * Helpers for the HTTP API tests (not a test file): a daemon on a generated configuration with
 * an admin, two managers and three assistants, its HTTP API on a free port, and a small client
 * that logs in and keeps its cookies like a browser.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { type Daemon, startDaemon } from '../../src/daemon.js';
import { freeUdpPort } from '../../src/free-port.js';
import { HASH } from '../fixtures/config.js';

/** Every user's password is "secret" (HASH). */
export const PASSWORD = 'secret';

export interface ApiSetup {
  readonly dir: string;
  readonly file: string;
  readonly yaml: string;
  readonly sipPort: number;
  readonly pbxPort: number;
}

/**
 * alice (1000) has the pool bob, carol; dave (1100) has the pool carol, erin. Logins: admin,
 * alice, dave (managers), bob, carol, erin (assistants).
 */
export async function apiSetup(extra: { http?: string; dir?: string; pbxPort?: number; sipPort?: number; optionsInterval?: string } = {}): Promise<ApiSetup> {
  const dir = extra.dir ?? mkdtempSync(join(tmpdir(), 'imad-http-'));
  const sipPort = extra.sipPort ?? (await freeUdpPort());
  const pbxPort = extra.pbxPort ?? (await freeUdpPort());
  const yaml = `# the test configuration (this comment must survive a PUT)
sip:
  listen: [ "udp://127.0.0.1:${sipPort}" ]
  trunk:
    peers: [ "127.0.0.1:${pbxPort}" ]
    allow: [ "127.0.0.1/32" ]
    options_interval: ${extra.optionsInterval ?? 0}
    phone_state: none
http:
  listen: "127.0.0.1:0"
${extra.http ?? ''}
storage:
  dir: ${dir}/var
log:
  level: silent
managers:
  - id: alice
    name: Alice Rossi
    number: "1000"
    targets: { desk: "81000", voicemail: "8000", mobile: "+393331234567" }
    assistants: [ bob, carol ]
    active: [ bob ]
    filter: on
    no_answer: 5s
    whitelist: [ "+39021234567" ]
  - id: dave
    name: Dave Neri
    number: "1100"
    targets: { desk: "81100", voicemail: "8000" }
    assistants: [ carol, erin ]
    active: [ carol ]
assistants:
  - { id: bob, name: Bob Bianchi, number: "2000" }
  - { id: carol, name: Carol Verdi, number: "2001" }
  - { id: erin, name: Erin Gialli, number: "2002" }
users:
  - { login: admin, role: admin, password_hash: "${HASH}" }
  - { login: alice, role: manager, manager: alice, password_hash: "${HASH}" }
  - { login: dave, role: manager, manager: dave, password_hash: "${HASH}" }
  - { login: bob, role: assistant, assistant: bob, password_hash: "${HASH}" }
  - { login: carol, role: assistant, assistant: carol, password_hash: "${HASH}" }
  - { login: erin, role: assistant, assistant: erin, password_hash: "${HASH}" }
`;
  const file = join(dir, 'imad.yaml');
  writeFileSync(file, yaml);
  return { dir, file, yaml, sipPort, pbxPort };
}

export async function startApi(s: ApiSetup): Promise<Daemon & { base: string }> {
  const loaded = await loadConfig(s.file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const d = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }), configFile: s.file });
  return Object.assign(d, { base: `http://127.0.0.1:${d.http.port}` });
}

/** A client with a cookie jar; `csrf` is sent on writes unless told otherwise. */
export class Client {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  token: string | undefined;

  constructor(base: string) {
    this.base = base;
  }

  async request(method: string, path: string, body?: unknown, opts: { csrf?: string | null; headers?: Record<string, string>; raw?: string } = {}): Promise<{ status: number; body: any; headers: Headers; text: string }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    const csrf = opts.csrf === undefined ? this.cookies.get('csrf') : opts.csrf;
    if (method !== 'GET' && csrf !== null && csrf !== undefined) headers['x-csrf-token'] = csrf;
    let payload: string | undefined;
    if (opts.raw !== undefined) payload = opts.raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  get(path: string) {
    return this.request('GET', path);
  }
}

/** A client logged in as `login` (password "secret"). */
export async function loggedIn(base: string, login: string): Promise<Client> {
  const c = new Client(base);
  const r = await c.request('POST', '/api/login', { login, password: PASSWORD });
  if (r.status !== 200) throw new Error(`login ${login}: ${r.status} ${r.text}`);
  return c;
}

/** An open SSE stream: the events received so far, and a wait for one that matches. */
export interface EventStream {
  readonly events: Array<{ event: string; data: any }>;
  next(match: (e: { event: string; data: any }) => boolean, timeoutMs: number): Promise<{ event: string; data: any } | undefined>;
  close(): void;
}

export async function openEvents(c: Client): Promise<EventStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (c.cookies.size > 0) headers['cookie'] = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (c.token !== undefined) headers['authorization'] = `Bearer ${c.token}`;
  const res = await fetch(c.base + '/api/events', { headers, signal: controller.signal });
  if (res.status !== 200 || res.body === null) throw new Error(`events: ${res.status}`);
  const events: Array<{ event: string; data: any }> = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
          for (const w of waiters) w();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    next(match, timeoutMs) {
      return new Promise((resolve) => {
        const check = (): boolean => {
          const found = events.find(match);
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(undefined);
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => controller.abort(),
  };
}
