/**
 * Live updates: one EventSource on GET /api/events. The browser reconnects by itself; after a
 * reconnect the page reloads its data (`resync`), since events sent while it was away are lost.
 */
import type { Assistant, Call, Manager, Peer } from './api.js';

export interface CallEvent {
  readonly type: 'created' | 'ringing' | 'answered' | 'retargeted' | 'ended';
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

/** Subscribe; the element #live shows the state of the stream ("Live" or "Reconnecting…"). */
export function subscribe(handlers: LiveHandlers): EventSource {
  const source = new EventSource('/api/events', { withCredentials: true });
  const status = document.getElementById('live');
  let isBroken = false;
  const show = (text: string, kind: 'ok' | 'bad'): void => {
    if (status === null) return;
    status.textContent = text;
    status.className = `live live-${kind}`;
  };
  source.addEventListener('open', () => {
    show('Live', 'ok');
    if (isBroken) handlers.resync();
    isBroken = false;
  });
  source.addEventListener('error', () => {
    isBroken = true;
    show('Reconnecting…', 'bad');
  });
  const on = <T>(name: string, handle: ((value: T) => void) | undefined): void => {
    if (handle === undefined) return;
    source.addEventListener(name, (e) => {
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
  window.addEventListener('pagehide', () => source.close());
  return source;
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
