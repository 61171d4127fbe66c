/**
 * The state that goes with a directory: `initialState` for a fresh start, `reconcileState`
 * after a reload or when loading a persisted state. Runtime settings of users that still exist
 * are kept; users that are gone are dropped; new users start from their YAML values.
 */
import type { Directory, Manager } from './directory.js';
import type { ManagerState, PolicyState, VipEntry } from './state.js';
import { own } from './values.js';

/** The runtime state of a directory where nothing has happened yet. */
export function initialState(directory: Directory): PolicyState {
  return reconcileState(directory, { managers: {}, assistants: {}, phones: {} });
}

/**
 * Kept settings of a manager whose pool may have changed: only assistants still in the pool
 * stay active or keep VIP callers; the rest is kept as it was (routing copes with a target
 * that disappeared by going to voicemail).
 */
function keepManager(manager: Manager, kept: ManagerState): ManagerState {
  const inPool = (id: string): boolean => manager.pool.includes(id);
  const vip = Object.fromEntries(Object.entries(kept.lists.vip).filter(([, e]: [string, VipEntry]) => inPool(e.assistantId)));
  return { ...kept, active: kept.active.filter(inPool), lists: { ...kept.lists, vip } };
}

/** `state` fitted to `directory`: see the module comment. */
export function reconcileState(directory: Directory, state: PolicyState): PolicyState {
  // fromEntries defines own properties, so an id such as "__proto__" stays an ordinary key.
  const managers = Object.fromEntries(
    [...directory.managers.values()].map((m) => {
      const kept = own(state.managers, m.id);
      return [m.id, kept === undefined ? m.initial : keepManager(m, kept)];
    }),
  );
  const assistants = Object.fromEntries(
    [...directory.assistants.values()].map((a) => [a.id, own(state.assistants, a.id) ?? a.initial]),
  );
  const phones = Object.fromEntries(Object.entries(state.phones).filter(([number]) => directory.monitored.has(number)));
  return { managers, assistants, phones };
}
