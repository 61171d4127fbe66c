/**
 * What the daemon tells its observers (the HTTP API's live events, webhooks, metrics, history):
 * policy state changes with who made them, B2BUA call events, routing decisions, trunk peer
 * changes. A listener that throws is logged and does not stop the others.
 */
import type { B2buaEvent } from '@ima/b2bua';
import type { Actor, Command, Decision, PolicyEvent } from '@ima/ima-policy';
import type { PeerHealth } from './trunk/peers.js';

/** Every event, by name. */
export interface DaemonEventMap {
  /** A command changed the policy state (events of type 'unchanged' are not reported). */
  readonly state: { readonly by: Actor; readonly command: Command['type']; readonly events: readonly PolicyEvent[] };
  readonly call: B2buaEvent;
  /** The policy decided where a call goes (the router's call info is kept by then). */
  readonly decision: { readonly callId: string; readonly decision: Decision };
  /** A trunk peer's status changed; every peer's health now. */
  readonly peers: readonly PeerHealth[];
}

export type DaemonEventName = keyof DaemonEventMap;
export type DaemonListener<K extends DaemonEventName> = (event: DaemonEventMap[K]) => void;

/** A small typed emitter; `on` returns the function that removes the listener. */
export class DaemonEvents {
  readonly #listeners: { [K in DaemonEventName]: Set<DaemonListener<K>> } = { state: new Set(), call: new Set(), decision: new Set(), peers: new Set() };
  readonly #onError: (err: unknown, name: DaemonEventName) => void;

  constructor(onError: (err: unknown, name: DaemonEventName) => void) {
    this.#onError = onError;
  }

  on<K extends DaemonEventName>(name: K, listener: DaemonListener<K>): () => void {
    const set = this.#listeners[name] as Set<DaemonListener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends DaemonEventName>(name: K, event: DaemonEventMap[K]): void {
    for (const listener of this.#listeners[name] as Set<DaemonListener<K>>) {
      try {
        listener(event);
      } catch (err) {
        this.#onError(err, name);
      }
    }
  }
}
