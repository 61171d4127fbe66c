/**
 * The few DOM helpers every page uses: building elements, replacing a list without losing the
 * keyboard focus, and announcing live changes to screen readers.
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** An element with attributes (`on*` keys become listeners, `true` a bare attribute) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else if (key === 'checked' && 'checked' in el) (el as HTMLInputElement).checked = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/** The element with this id; a missing one is a bug in the page's HTML, so say which. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

/**
 * Replace the children of `parent`, then put the focus back on the element carrying the same
 * `data-key` as the one focused before: a live update must not throw a keyboard user out.
 */
export function replaceKeepingFocus(parent: HTMLElement, children: Node[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && parent.contains(active) ? active.dataset.key : undefined;
  const typed = active instanceof HTMLInputElement ? active.value : undefined;
  parent.replaceChildren(...children);
  if (key === undefined) return;
  const again = parent.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (again instanceof HTMLInputElement && typed !== undefined) again.value = typed;
  again?.focus();
}

/** Say `text` through the page's polite live region (screen readers read it once). */
export function announce(text: string): void {
  const region = document.getElementById('announce');
  if (region === null) return;
  // Clearing first makes the same message be read again when it repeats.
  region.textContent = '';
  window.setTimeout(() => (region.textContent = text), 50);
}

/** A short local time ("14:05:09"), or date and time when not today. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** Seconds as "1:05" or "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A phone state as a small badge; the word is there for everyone, the colour only helps. */
export function phoneBadge(phone: string, label = 'Desk phone'): HTMLElement {
  return h('span', { class: `badge phone-${phone}`, title: `${label}: ${phone}` }, `${label}: ${phone}`);
}

/** A table row of plain cells. */
export function row(...values: Array<string | Node>): HTMLTableRowElement {
  return h('tr', {}, ...values.map((v) => h('td', {}, v)));
}

/**
 * Fill the table in #id with `rows` (or one row saying `emptyText`). The table is made on first
 * use from the container's data-columns ("When|Caller|…"), so pages hold no table markup.
 */
export function fillTable(id: string, rows: readonly HTMLTableRowElement[], emptyText: string): void {
  const wrap = byId(id);
  const columns = (wrap.dataset.columns ?? '').split('|');
  let body = wrap.querySelector('tbody');
  if (body === null) {
    body = h('tbody');
    wrap.replaceChildren(h('table', {}, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))), body));
  }
  body.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, emptyText))]));
}
