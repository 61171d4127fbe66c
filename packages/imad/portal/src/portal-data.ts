/**
 * What a page knows of the directory and the live calls: loaded in one go, then kept up to date
 * by the live events. The server only sends what the user may see, so every page shows all of it.
 */
import { api, type Assistant, type Call, type Manager } from './api.js';
import { CallBook } from './live.js';
import { report } from './session.js';

export class PortalData {
  readonly managers = new Map<string, Manager>();
  readonly assistants = new Map<string, Assistant>();
  readonly calls = new CallBook();

  /** Load managers, assistants and live calls; false (with the error shown) when the managers fail. */
  async load(): Promise<boolean> {
    const [ms, as, calls] = await Promise.all([api<Manager[]>('GET', '/api/managers'), api<Assistant[]>('GET', '/api/assistants'), api<Call[]>('GET', '/api/calls')]);
    if (!report(ms, 'Loading the managers failed')) return false;
    this.managers.clear();
    for (const m of ms.data) this.managers.set(m.id, m);
    this.assistants.clear();
    if (as.ok) for (const a of as.data) this.assistants.set(a.id, a);
    if (report(calls, 'Loading the calls failed')) this.calls.reset(calls.data);
    return true;
  }

  manager(id: string | null): Manager | undefined {
    return id === null ? undefined : this.managers.get(id);
  }

  /** The name of the assistant whose phone is `number`, to say who answered a call. */
  nameOfNumber(number: string): string | undefined {
    for (const a of this.assistants.values()) if (a.number === number) return a.name;
    for (const m of this.managers.values()) if (m.targets.desk === number) return m.name;
    return undefined;
  }
}
