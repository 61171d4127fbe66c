/**
 * The assistant console (/assistant, and compact at /embed/assistant): the assistant's own
 * availability, then one card per manager they assist with the manager's live status, desk phone
 * state and filter, and each of the manager's calls with one-click steering.
 */
import { api, type Assistant, type Manager, seg } from './api.js';
import { callerText, renderCalls } from './calls-view.js';
import { type Control, radioGroup, switchControl } from './controls.js';
import { announce, byId, h, phoneBadge } from './dom.js';
import { subscribe } from './live.js';
import { forwardText } from './manager-view.js';
import { PortalData } from './portal-data.js';
import { change, startPage } from './session.js';

const isCompact = document.body.dataset.compact === 'true';
const data = new PortalData();
const { managers, assistants } = data;
let selfId: string | undefined;

interface Card {
  readonly el: HTMLElement;
  readonly filter: Control<boolean>;
  readonly status: HTMLElement;
  readonly calls: HTMLElement;
}
const cards = new Map<string, Card>();

/** The managers shown: those whose pool holds this assistant (an admin without one sees all). */
function shownManagers(): Manager[] {
  return [...managers.values()].filter((m) => selfId === undefined || m.assistants.includes(selfId));
}

function makeCard(m: Manager): Card {
  const filter = switchControl(`filter-${m.id}`, 'Call filter', (next) => {
    void change(api<Manager>('PATCH', `/api/managers/${seg(m.id)}`, { filter: next }), 'The change was refused', `${m.name}: call filter ${next ? 'on' : 'off'}`).then((r) => {
      if (r.ok) updateCard(r.data);
    });
  });
  const status = h('div', { class: 'status' });
  const calls = h('ul', { class: 'calls', 'aria-label': `Calls for ${m.name}` });
  const el = h(
    'section',
    { class: 'card manager', id: `manager-${m.id}`, 'aria-labelledby': `manager-${m.id}-title` },
    h('div', { class: 'manager-head' }, h('h2', { id: `manager-${m.id}-title` }, m.name, h('span', { class: 'number' }, ` ${m.number}`)), h('a', { href: `/manager?id=${seg(m.id)}`, class: 'quiet', ...(isCompact ? { target: '_blank', rel: 'noopener' } : {}) }, 'Settings')),
    status,
    filter.el,
    h('h3', {}, 'Calls'),
    calls,
  );
  return { el, filter, status, calls };
}

function updateCard(m: Manager): void {
  managers.set(m.id, m);
  const card = cards.get(m.id);
  if (card === undefined) return;
  card.filter.set(m.filter);
  card.status.replaceChildren(h('span', { class: `badge avail-${m.availability}` }, `Manager: ${m.availability}`), phoneBadge(m.phone), h('span', { class: 'badge' }, `Forward: ${forwardText(m.forward, m).toLowerCase()}`));
}

function drawCalls(managerId: string): void {
  const card = cards.get(managerId);
  if (card !== undefined) renderCalls(card.calls, data.calls.of(managerId), data, isCompact);
}

function drawAll(): void {
  cards.clear();
  const list = shownManagers();
  for (const m of list) cards.set(m.id, makeCard(m));
  byId('managers').replaceChildren(...(list.length > 0 ? [...cards.values()].map((c) => c.el) : [h('p', {}, 'You assist no manager yet.')]));
  for (const m of list) {
    updateCard(m);
    drawCalls(m.id);
  }
  drawSelf();
}

let availability: Control<string> | undefined;
function drawSelf(): void {
  const self = selfId === undefined ? undefined : assistants.get(selfId);
  const box = byId('self');
  box.hidden = self === undefined;
  if (self === undefined) return;
  if (availability === undefined) {
    availability = radioGroup('my-availability', 'My availability', [['available', 'Available'], ['away', 'Away'], ['offline', 'Offline']], (v) => {
      void change(api<Assistant>('PATCH', `/api/assistants/${seg(self.id)}`, { availability: v }), 'The change was refused', `You are ${v}`).then((r) => {
        if (r.ok) assistants.set(r.data.id, r.data);
        drawSelf();
      });
    });
    box.replaceChildren(h('div', { class: 'self-head' }, h('h2', { id: 'self-title' }, self.name, h('span', { class: 'number' }, ` ${self.number}`)), h('span', { id: 'self-phone' })), availability.el);
  }
  availability.set(self.availability);
  byId('self-phone').replaceChildren(phoneBadge(self.phone, 'My phone'));
}

async function main(): Promise<void> {
  const me = await startPage();
  if (me === undefined || !(await data.load())) return;
  const asked = new URLSearchParams(location.search).get('id');
  selfId = me.assistantId ?? (asked !== null && assistants.has(asked) ? asked : undefined);
  drawAll();
  subscribe({
    manager(m) {
      const wasShown = cards.has(m.id);
      managers.set(m.id, m);
      const isShown = selfId === undefined || m.assistants.includes(selfId);
      if (wasShown !== isShown) drawAll();
      else updateCard(m);
    },
    assistant(a) {
      assistants.set(a.id, a);
      if (a.id === selfId) drawSelf();
    },
    call(e) {
      const id = e.call.managerId;
      if (!data.calls.apply(e) || id === null || !cards.has(id)) return;
      drawCalls(id);
      const whose = managers.get(id)?.name ?? id;
      if (e.type === 'created') announce(`New call from ${callerText(e.call)} for ${whose}`);
      if (e.type === 'ended') announce(`Call from ${callerText(e.call)} for ${whose} ended`);
    },
    resync() {
      void data.load().then((ok) => ok && drawAll());
    },
  });
}

void main();
