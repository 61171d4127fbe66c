/**
 * The admin page (/admin): the directory with live state, trunk health, every live call (with
 * steering), the call history with filters, a dry run of the policy, and the YAML editor.
 */
import { api, type HistoryRecord, type Peer, seg } from './api.js';
import { callerText, renderCalls } from './calls-view.js';
import { ConfigEditor } from './config-editor.js';
import { byId, fillTable, formatDuration, formatTime, h, row } from './dom.js';
import { subscribe } from './live.js';
import { forwardText } from './manager-view.js';
import { PortalData } from './portal-data.js';
import { report, startPage } from './session.js';

const data = new PortalData();
const { managers, assistants, calls: book } = data;
const managerName = (id: string | null): string => (id === null ? '—' : managers.get(id)?.name ?? id);

function drawDirectory(): void {
  const ms = [...managers.values()].map((m) =>
    row(
      h('a', { href: `/manager?id=${seg(m.id)}` }, m.name),
      m.number,
      m.targets.desk ?? '',
      m.filter ? 'on' : 'off',
      m.availability,
      forwardText(m.forward, m),
      h('span', { class: `badge phone-${m.phone}` }, m.phone),
      m.active.map((id) => assistants.get(id)?.name ?? id).join(', '),
    ),
  );
  fillTable('managers-table', ms, 'No managers.');
  const as = [...assistants.values()].map((a) => row(a.name, a.number, h('span', { class: `badge avail-${a.availability}` }, a.availability), h('span', { class: `badge phone-${a.phone}` }, a.phone), a.managers.map((id) => managers.get(id)?.name ?? id).join(', ')));
  fillTable('assistants-table', as, 'No assistants.');
}

function drawPeers(peers: readonly Peer[]): void {
  const rows = peers.map((p) => row(`${p.host}:${p.port}`, h('span', { class: `badge peer-${p.status}` }, p.status), p.reason ?? '', p.since !== undefined ? formatTime(p.since) : ''));
  fillTable('peers-table', rows, 'No trunk peers.');
}

function drawCalls(): void {
  renderCalls(byId('calls'), book.all(), data);
}

async function drawHistory(): Promise<void> {
  const form = byId<HTMLFormElement>('history-form');
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const key of ['manager', 'since', 'until', 'limit']) {
    const value = String(data.get(key) ?? '');
    if (value === '') continue;
    query.set(key, key === 'since' || key === 'until' ? new Date(value).toISOString() : value);
  }
  const r = await api<HistoryRecord[]>('GET', `/api/history?${query.toString()}`);
  if (!report(r, 'Loading the history failed')) return;
  const rows = r.data.map((c) => row(formatTime(c.started), managerName(c.managerId), callerText(c), c.decision.kind, c.outcome, formatDuration(c.durationMs), c.decision.reason));
  fillTable('history-table', rows, 'No calls match.');
}

async function load(): Promise<void> {
  const [, peers] = await Promise.all([data.load(), api<Peer[]>('GET', '/api/peers')]);
  if (report(peers, 'Loading the trunk peers failed')) drawPeers(peers.data);
  drawDirectory();
  drawCalls();
  const select = byId<HTMLSelectElement>('history-manager');
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'All managers'), ...[...managers.values()].map((m) => h('option', { value: m.id }, m.name)));
  select.value = chosen;
}

async function explain(): Promise<void> {
  const caller = byId<HTMLInputElement>('explain-caller').value.trim();
  const called = byId<HTMLInputElement>('explain-called').value.trim();
  const r = await api<{ decision: string; reason: string; targets?: string[] }>('POST', '/api/explain', { caller, called });
  const out = byId('explain-result');
  if (!r.ok) {
    out.textContent = `Refused: ${r.error}${r.field !== undefined ? ` (${r.field})` : ''}`;
    return;
  }
  const targets = r.data.targets !== undefined && r.data.targets.length > 0 ? ` (${r.data.targets.join(', ')})` : '';
  out.textContent = `A call from ${caller} to ${called} now would go to: ${r.data.decision}${targets}, because ${r.data.reason}.`;
}

async function main(): Promise<void> {
  const me = await startPage();
  if (me === undefined) return;
  if (me.role !== 'admin') {
    byId('main').replaceChildren(h('p', {}, 'This page is for admins.'));
    return;
  }
  await load();
  void drawHistory();
  const editor = new ConfigEditor();
  void editor.load();
  byId('history-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void drawHistory();
  });
  byId('explain-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void explain();
  });
  let historyTimer: number | undefined;
  subscribe({
    manager(m) {
      managers.set(m.id, m);
      drawDirectory();
    },
    assistant(a) {
      assistants.set(a.id, a);
      drawDirectory();
    },
    call(e) {
      if (!book.apply(e)) return;
      drawCalls();
      if (e.type === 'ended') {
        window.clearTimeout(historyTimer);
        historyTimer = window.setTimeout(() => void drawHistory(), 300);
      }
    },
    peers: drawPeers,
    resync: () => void load(),
  });
}

void main();
