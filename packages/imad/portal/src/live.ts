/**
 * Live updates: one EventSource on GET /api/events. The browser reconnects by itself; after a
 * reconnect the page reloads its data (`resync`), since events sent while it was away are lost.
 */
import { api, type Assistant, type Call, type Manager, type Peer } from './api.js';

export interface CallEvent {
  readonly type: 'created' | 'ringing' | 'answered' | 'redirected' | 'retargeted' | 'ended';
  readonly call: Call;
}

export interface LiveHandlers {
  manager?(m: Manager): void;
  assistant?(a: Assistant): void;
  call?(e: CallEvent): void;
  peers?(p: Peer[]): void;
  /** Called after the stream came back from a break: load everything again. */
  resync(): void;
}

/**
 * Subscribe; the element #live shows the state of the stream ("Live" or "Reconnecting…").
 * The browser retries a dropped connection by itself, but gives up on a refused one (a 401 once
 * the session has ended): then ask who we are, which sends a logged-out user to the login page,
 * and otherwise open a new stream a little later.
 */
export function subscribe(handlers: LiveHandlers): void {
  const status = document.getElementById('live');
  const show = (text: string, kind: 'ok' | 'bad'): void => {
    if (status === null) return;
    status.textContent = text;
    status.className = `live live-${kind}`;
  };
  let isBroken = false;
  let source: EventSource | undefined;
  const open = (): void => {
    const s = new EventSource('/api/events', { withCredentials: true });
    source = s;
    s.addEventListener('open', () => {
      show('Live', 'ok');
      if (isBroken) handlers.resync();
      isBroken = false;
    });
    s.addEventListener('error', () => {
      isBroken = true;
      show('Reconnecting…', 'bad');
      if (s.readyState !== EventSource.CLOSED) return;
      // 401: api() has sent the user to log in; anything else (a restart, a proxy): try again.
      void api('GET', '/api/me').then((me) => me.status !== 401 && window.setTimeout(open, 2000));
    });
    const on = <T>(name: string, handle: ((value: T) => void) | undefined): void => {
      if (handle === undefined) return;
      s.addEventListener(name, (e) => {
        try {
          handle(JSON.parse((e as MessageEvent<string>).data) as T);
        } catch {
          // A malformed event is dropped; the next resync repairs anything it would have shown.
        }
      });
    };
    on<Manager>('manager', handlers.manager?.bind(handlers));
    on<Assistant>('assistant', handlers.assistant?.bind(handlers));
    on<CallEvent>('call', handlers.call?.bind(handlers));
    on<Peer[]>('peers', handlers.peers?.bind(handlers));
  };
  open();
  window.addEventListener('pagehide', () => source?.close());
}

/** The live calls kept up to date from call events, keyed by id. */
export class CallBook {
  readonly calls = new Map<string, Call>();

  reset(calls: readonly Call[]): void {
    this.calls.clear();
    for (const c of calls) this.calls.set(c.id, c);
  }

  /** Apply one event; returns true when the list changed. */
  apply(e: CallEvent): boolean {
    if (e.type === 'ended') return this.calls.delete(e.call.id);
    this.calls.set(e.call.id, e.call);
    return true;
  }

  of(managerId: string | null): Call[] {
    return [...this.calls.values()].filter((c) => c.managerId === managerId).sort((a, b) => a.started.localeCompare(b.started));
  }

  all(): Call[] {
    return [...this.calls.values()].sort((a, b) => a.started.localeCompare(b.started));
  }
}
