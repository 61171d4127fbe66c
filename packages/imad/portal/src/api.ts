/**
 * The portal's side of the HTTP API (docs/api.md): the shapes it reads, and one request function
 * that sends the CSRF header on every state-changing request and turns failures into values.
 */

export type Role = 'admin' | 'manager' | 'assistant';
export interface Me {
  readonly login: string;
  readonly role: Role;
  readonly name: string;
  readonly managerId?: string;
  readonly assistantId?: string;
}

export type Forward = 'off' | 'mobile' | 'alternative' | 'voicemail' | { readonly number: string };
export interface Entry {
  readonly entry: string;
  readonly expires: string | null;
  readonly oneCall?: boolean;
}
export type Destination = string | { readonly number: string };
export interface Schedule {
  readonly hours: ReadonlyArray<{ readonly day: string; readonly from: string; readonly to: string }>;
  readonly outside: Destination;
}
export type TargetName = 'desk' | 'softphone' | 'mobile' | 'voicemail' | 'alternative';
export interface Manager {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly targets: Partial<Record<TargetName, string>>;
  readonly assistants: readonly string[];
  readonly filter: boolean;
  readonly filterMode: 'inclusive' | 'exclusive';
  readonly availability: 'available' | 'busy' | 'away';
  readonly forward: Forward;
  readonly active: readonly string[];
  readonly alerting: 'parallel' | 'sequential' | 'first-available';
  readonly no_answer: number;
  readonly fallback: 'voicemail' | 'mobile' | 'alternative' | 'desk';
  readonly schedule: Schedule | null;
  readonly blockAction?: string;
  readonly whitelist: readonly Entry[];
  readonly blocklist: readonly Entry[];
  readonly phone: string;
}
export interface Assistant {
  readonly id: string;
  readonly name: string;
  readonly number: string;
  readonly availability: 'available' | 'away' | 'offline';
  readonly phone: string;
  readonly managers: readonly string[];
}
export interface Leg {
  readonly id: string;
  /** The number called. */
  readonly target: string;
  readonly label?: string;
  /** pending (ringing or trying), answered, ended, or how it failed. */
  readonly state: string;
}
export interface Call {
  readonly id: string;
  /** Null for a call to no manager's number. */
  readonly managerId: string | null;
  readonly caller: string;
  readonly callerName?: string;
  readonly called: string;
  readonly state: 'routing' | 'ringing' | 'answered';
  readonly decision: { readonly kind: string; readonly reason: string };
  readonly legs: readonly Leg[];
  readonly answeredBy?: string;
  readonly started: string;
  readonly answered?: string;
}
/** One ended call: what a live call said, and how it ended. */
export type HistoryRecord = Pick<Call, 'id' | 'managerId' | 'caller' | 'callerName' | 'called' | 'started' | 'decision'> & {
  readonly ended: string;
  readonly outcome: string;
  readonly durationMs: number;
};
export interface Peer {
  readonly host: string;
  readonly port: number;
  readonly status: 'up' | 'down' | 'unknown';
  readonly reason?: string;
  readonly since?: string;
}
export interface ConfigProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type Result<T> =
  | { readonly ok: true; readonly status: number; readonly data: T }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly field?: string; readonly body: unknown };

/** The value of the readable `csrf` cookie that login sets (double-submit CSRF protection). */
export function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'csrf') return decodeURIComponent(rest.join('='));
  }
  return '';
}

/**
 * One API request. JSON bodies unless `body` is a string (sent as text/yaml, for the config).
 * A 401 on any page but the login page sends the user to log in, then back here.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Result<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  let payload: string | undefined;
  if (typeof body === 'string') {
    headers['content-type'] = 'text/yaml';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    return { ok: false, status: 0, error: 'IMA cannot be reached: check the network', body: undefined };
  }
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = res.status === 204 ? undefined : type.includes('json') ? await res.json().catch(() => undefined) : await res.text();
  if (res.ok) return { ok: true, status: res.status, data: data as T };
  if (res.status === 401 && location.pathname !== '/') toLogin();
  const err = (data ?? {}) as { error?: unknown; field?: unknown };
  const error = typeof err.error === 'string' ? err.error : `${res.status} ${res.statusText}`;
  return { ok: false, status: res.status, error, ...(typeof err.field === 'string' ? { field: err.field } : {}), body: data };
}

/** To the login page, coming back to this page afterwards. */
export function toLogin(): void {
  const login = `/?next=${encodeURIComponent(location.pathname + location.search)}`;
  if (window.top === window.self) return location.assign(login);
  // In a frame (an embedded app), where the login page refuses to be shown: offer a window instead.
  const box = document.getElementById('error');
  if (box === null) return;
  const link = document.createElement('a');
  link.href = login;
  link.target = '_blank';
  link.textContent = 'Sign in to IMA in a new window';
  box.hidden = false;
  box.replaceChildren(link, ', then reload this page.');
}

/** The person logged in; sends them to the login page when nobody is. */
export async function whoAmI(): Promise<Me | undefined> {
  const me = await api<Me>('GET', '/api/me');
  return me.ok ? me.data : undefined;
}

/** Path segment of an id or list entry ("+39..." and "3*" must survive the URL). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
