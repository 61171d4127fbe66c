/**
 * The manager page (/manager, and compact at /embed/manager): one manager's settings, their live
 * calls with steering and, on the full page, their recent calls. Admins and assistants pick which
 * manager with ?id= or the selector.
 */
import { api, type HistoryRecord, type Manager, seg } from './api.js';
import { callerText, renderCalls } from './calls-view.js';
import { announce, byId, fillTable, formatDuration, formatTime, h, row } from './dom.js';
import { subscribe } from './live.js';
import { ManagerView, forwardText } from './manager-view.js';
import { PortalData } from './portal-data.js';
import { report, startPage } from './session.js';

const isCompact = document.body.dataset.compact === 'true';
const data = new PortalData();
let view: ManagerView | undefined;

/** The quick settings that changed, in words (read out when the change came from elsewhere). */
function changesOf(before: Manager, after: Manager): string[] {
  const out: string[] = [];
  if (before.filter !== after.filter) out.push(`Call filter ${after.filter ? 'on' : 'off'}`);
  if (before.availability !== after.availability) out.push(`Availability ${after.availability}`);
  if (JSON.stringify(before.forward) !== JSON.stringify(after.forward)) out.push(`Forward ${forwardText(after.forward, after).toLowerCase()}`);
  if (before.phone !== after.phone) out.push(`Desk phone ${after.phone}`);
  return out;
}

function chosenId(preferred: string | undefined): string | undefined {
  const asked = new URLSearchParams(location.search).get('id');
  if (asked !== null && data.managers.has(asked)) return asked;
  if (preferred !== undefined && data.managers.has(preferred)) return preferred;
  return data.managers.keys().next().value;
}

function show(id: string): void {
  const m = data.managers.get(id);
  if (m === undefined) return;
  view = new ManagerView(m, isCompact, (aid) => data.assistants.get(aid));
  byId('settings').replaceChildren(view.el);
  const full = document.getElementById('full-link') as HTMLAnchorElement | null;
  if (full !== null) full.href = `/manager?id=${seg(id)}`;
  drawCalls();
  void drawHistory();
}

function drawCalls(): void {
  if (view !== undefined) renderCalls(byId('calls'), data.calls.of(view.manager.id), data, isCompact);
}

async function drawHistory(): Promise<void> {
  if (document.getElementById('history-table') === null || view === undefined) return;
  const r = await api<HistoryRecord[]>('GET', `/api/history?manager=${seg(view.manager.id)}&limit=20`);
  if (!report(r, 'Loading the recent calls failed')) return;
  fillTable('history-table', r.data.map((c) => row(formatTime(c.started), callerText(c), c.outcome, formatDuration(c.durationMs), c.decision.reason)), 'No calls yet.');
}

function drawPicker(): void {
  const picker = document.getElementById('picker');
  if (picker === null) return;
  picker.hidden = data.managers.size < 2;
  const select = h('select', { id: 'manager-select' }, ...[...data.managers.values()].map((m) => h('option', { value: m.id }, `${m.name} (${m.number})`)));
  select.value = view?.manager.id ?? '';
  select.addEventListener('change', () => {
    history.replaceState(null, '', `?id=${seg(select.value)}`);
    show(select.value);
  });
  picker.replaceChildren(h('label', { for: 'manager-select' }, 'Manager'), select);
}

async function main(): Promise<void> {
  const me = await startPage();
  if (me === undefined || !(await data.load())) return;
  const id = chosenId(me.managerId);
  if (id === undefined) {
    byId('settings').replaceChildren(h('p', {}, 'You have no manager to look after.'));
    return;
  }
  show(id);
  drawPicker();
  let historyTimer: number | undefined;
  subscribe({
    manager(m) {
      data.managers.set(m.id, m);
      if (view?.manager.id !== m.id) return;
      const said = changesOf(view.manager, m);
      view.update(m);
      if (said.length > 0) announce(said.join('; '));
    },
    assistant(a) {
      data.assistants.set(a.id, a);
      view?.assistantChanged();
    },
    call(e) {
      if (!data.calls.apply(e) || e.call.managerId !== view?.manager.id) return;
      drawCalls();
      // The history gains a line when a call ends; one reload per burst of events.
      if (e.type === 'ended') {
        window.clearTimeout(historyTimer);
        historyTimer = window.setTimeout(() => void drawHistory(), 300);
      }
    },
    resync() {
      void data.load().then((ok) => ok && view !== undefined && show(view.manager.id));
    },
  });
}

void main();
