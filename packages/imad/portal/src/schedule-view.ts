/**
 * The office-hours editor: weekly stretches of time inside which the usual rules apply, and
 * where calls go outside them. Saved as a whole, so a half-edited row never reaches the server.
 */
import type { Destination, Schedule } from './api.js';
import { h } from './dom.js';

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
const OUTSIDE = ['voicemail', 'mobile', 'alternative', 'desk'] as const;

export class ScheduleEditor {
  readonly el: HTMLElement;
  private readonly rows = h('ol', { class: 'rows schedule-rows' });
  private readonly isOn: HTMLInputElement;
  private readonly outside: HTMLSelectElement;
  private readonly outsideNumber: HTMLInputElement;
  private readonly body: HTMLElement;
  private rowCount = 0;
  /** True while the user has unsaved edits: live updates then leave the form alone. */
  private isDirty = false;

  constructor(
    private readonly managerId: string,
    save: (schedule: Schedule | null) => Promise<boolean>,
  ) {
    const id = `schedule-${managerId}`;
    this.isOn = h('input', { type: 'checkbox', id: `${id}-on` });
    this.outside = h('select', { id: `${id}-outside` }, ...OUTSIDE.map((t) => h('option', { value: t }, t)), h('option', { value: 'number' }, 'another number'));
    this.outsideNumber = h('input', { id: `${id}-outside-number`, inputmode: 'tel', autocomplete: 'off', pattern: '[+0-9*#]+' });
    this.outside.addEventListener('change', () => (this.outsideNumber.parentElement!.hidden = this.outside.value !== 'number'));
    this.body = h(
      'div',
      {},
      this.rows,
      h('button', { type: 'button', class: 'quiet', onclick: () => { this.addRow({ day: 'mon', from: '09:00', to: '18:00' }); this.isDirty = true; } }, 'Add hours'),
      h('div', { class: 'field' }, h('label', { for: `${id}-outside` }, 'Outside office hours, send calls to'), this.outside),
      h('div', { class: 'field', hidden: true }, h('label', { for: `${id}-outside-number` }, 'Number'), this.outsideNumber),
    );
    this.isOn.addEventListener('change', () => (this.body.hidden = !this.isOn.checked));
    const form = h(
      'form',
      {
        oninput: () => (this.isDirty = true),
        onsubmit: (e: Event) => {
          e.preventDefault();
          void save(this.value()).then((ok) => {
            if (ok) this.isDirty = false;
          });
        },
      },
      h('label', { class: 'check', for: `${id}-on` }, this.isOn, h('span', {}, 'Use office hours')),
      this.body,
      h('button', { type: 'submit' }, 'Save office hours'),
    );
    this.el = form;
  }

  set(schedule: Schedule | null): void {
    if (this.isDirty) return;
    this.isOn.checked = schedule !== null;
    this.body.hidden = schedule === null;
    this.rows.replaceChildren();
    for (const hours of schedule?.hours ?? []) this.addRow(hours);
    const outside: Destination = schedule?.outside ?? 'voicemail';
    this.outside.value = typeof outside === 'object' ? 'number' : outside;
    this.outsideNumber.value = typeof outside === 'object' ? outside.number : '';
    this.outsideNumber.parentElement!.hidden = typeof outside !== 'object';
  }

  private value(): Schedule | null {
    if (!this.isOn.checked) return null;
    const hours = [...this.rows.querySelectorAll('li')].map((li) => ({
      day: li.querySelector<HTMLSelectElement>('select')!.value,
      from: li.querySelector<HTMLInputElement>('input[data-part="from"]')!.value,
      to: li.querySelector<HTMLInputElement>('input[data-part="to"]')!.value,
    }));
    const outside: Destination = this.outside.value === 'number' ? { number: this.outsideNumber.value.trim() } : this.outside.value;
    return { hours, outside };
  }

  private addRow(hours: { day: string; from: string; to: string }): void {
    const n = `schedule-${this.managerId}-${this.rowCount++}`;
    const day = h('select', { id: `${n}-day` }, ...DAYS.map(([v, text]) => h('option', { value: v }, text)));
    day.value = hours.day;
    const li: HTMLLIElement = h(
      'li',
      { class: 'inline' },
      h('div', { class: 'field' }, h('label', { for: `${n}-day` }, 'Day'), day),
      h('div', { class: 'field' }, h('label', { for: `${n}-from` }, 'From'), h('input', { type: 'time', id: `${n}-from`, 'data-part': 'from', value: hours.from, required: true })),
      h('div', { class: 'field' }, h('label', { for: `${n}-to` }, 'To'), h('input', { type: 'time', id: `${n}-to`, 'data-part': 'to', value: hours.to === '24:00' ? '23:59' : hours.to, required: true })),
      h('button', { type: 'button', class: 'quiet', 'aria-label': 'Remove these hours', onclick: () => { li.remove(); this.isDirty = true; } }, 'Remove'),
    );
    this.rows.append(li);
  }
}
