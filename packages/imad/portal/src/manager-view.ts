/**
 * One manager's settings, built once and updated in place from live `manager` events: the
 * filter, availability and forward (also on the compact page), then the assistants, screening,
 * whitelist, block list and office hours (full page only).
 */
import { api, type Assistant, type Entry, type Forward, type Manager, seg, type TargetName } from './api.js';
import { type Control, inputField, radioGroup, section, selectControl, switchControl } from './controls.js';
import { h, phoneBadge, replaceKeepingFocus } from './dom.js';
import { change } from './session.js';
import { ScheduleEditor } from './schedule-view.js';

const AVAILABILITY = [
  ['available', 'Available'],
  ['busy', 'Busy'],
  ['away', 'Away'],
] as const;

/** What a PATCH of the manager may carry (docs/api.md). */
export type ManagerPatch = Partial<Pick<Manager, 'filter' | 'filterMode' | 'availability' | 'forward' | 'active' | 'alerting' | 'no_answer' | 'fallback' | 'schedule'>>;

export function forwardText(forward: Forward, m: Manager): string {
  if (forward === 'off') return 'Off';
  if (typeof forward === 'object') return `To ${forward.number}`;
  return `To ${forward} (${m.targets[forward as TargetName] ?? '?'})`;
}

export class ManagerView {
  readonly el: HTMLElement;
  private m: Manager;
  private readonly filter: Control<boolean>;
  private readonly availability: Control<string>;
  private readonly forward: ReturnType<typeof selectControl>;
  private readonly forwardNumber: ReturnType<typeof inputField>;
  private readonly forwardForm: HTMLFormElement;
  private readonly summary = h('p', { class: 'summary' });
  private readonly phone = h('span');
  private readonly full?: {
    filterMode: Control<string>;
    alerting: ReturnType<typeof selectControl>;
    noAnswer: ReturnType<typeof inputField>;
    fallback: ReturnType<typeof selectControl>;
    assistants: HTMLElement;
    whitelist: HTMLElement;
    blocklist: HTMLElement;
    schedule: ScheduleEditor;
  };

  constructor(
    m: Manager,
    private readonly isCompact: boolean,
    private readonly assistantOf: (id: string) => Assistant | undefined,
  ) {
    this.m = m;
    const id = (name: string): string => `${name}-${m.id}`;
    this.filter = switchControl(id('filter'), 'Call filter', (next) => void this.patch({ filter: next }, `Call filter ${next ? 'on' : 'off'}`));
    this.availability = radioGroup(id('availability'), 'Availability for assistants', AVAILABILITY, (v) => void this.patch({ availability: v as Manager['availability'] }, `Availability: ${v}`));
    const forwardOptions: Array<readonly [string, string]> = [['off', 'Off']];
    for (const t of ['voicemail', 'mobile', 'alternative'] as const) if (m.targets[t] !== undefined) forwardOptions.push([t, `${t[0]!.toUpperCase()}${t.slice(1)} (${m.targets[t]})`]);
    forwardOptions.push(['number', 'Another number…']);
    this.forwardNumber = inputField(id('forward-number'), 'Number', { inputmode: 'tel', autocomplete: 'off', pattern: '[+0-9*#]+', required: true });
    this.forwardForm = h(
      'form',
      { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void this.patch({ forward: { number: this.forwardNumber.input.value.trim() } }, `Calls forwarded to ${this.forwardNumber.input.value.trim()}`); } },
      this.forwardNumber.el,
      h('button', { type: 'submit' }, 'Forward'),
    );
    this.forward = selectControl(id('forward'), 'Forward all calls', forwardOptions, (v) => {
      this.forwardForm.hidden = v !== 'number';
      if (v === 'number') this.forwardNumber.input.focus();
      else void this.patch({ forward: v as Forward }, v === 'off' ? 'Forward off' : `Calls forwarded to ${v}`);
    });
    const head = h('div', { class: 'manager-head' }, h('h2', { id: id('title') }, `${m.name}`, h('span', { class: 'number' }, ` ${m.number}`)), this.phone);
    const quick = h('div', { class: 'quick' }, this.filter.el, this.availability.el, h('div', { class: 'forward' }, this.forward.el, this.forwardForm));
    if (isCompact) {
      this.el = h('section', { class: 'card manager', 'aria-labelledby': id('title') }, head, this.summary, quick);
    } else {
      const full = {
        filterMode: selectControl(id('filter-mode'), 'Who is screened when the filter is on', [['inclusive', 'Everyone but the whitelist'], ['exclusive', 'Only the screen list']], (v) => void this.patch({ filterMode: v as Manager['filterMode'] }, `Filter mode: ${v}`)),
        alerting: selectControl(id('alerting'), 'Alerting', [['parallel', 'All active assistants at once'], ['sequential', 'One after the other'], ['first-available', 'First available']], () => undefined, false),
        noAnswer: inputField(id('no-answer'), 'No answer after (seconds)', { type: 'number', min: 1, max: 300, step: 1, required: true }),
        fallback: selectControl(id('fallback'), 'Then send the call to', [['voicemail', 'Voicemail'], ['desk', 'Desk'], ...(m.targets.mobile !== undefined ? [['mobile', 'Mobile'] as const] : []), ...(m.targets.alternative !== undefined ? [['alternative', 'Alternative'] as const] : [])], () => undefined, false),
        assistants: h('ul', { class: 'rows' }),
        whitelist: h('ul', { class: 'rows' }),
        blocklist: h('ul', { class: 'rows' }),
        schedule: new ScheduleEditor(m.id, (schedule) => this.patch({ schedule }, schedule === null ? 'Office hours off' : 'Office hours saved')),
      };
      this.full = full;
      const screening = h(
        'form',
        { onsubmit: (e: Event) => { e.preventDefault(); void this.saveScreening(); } },
        full.alerting.el,
        full.noAnswer.el,
        full.fallback.el,
        h('button', { type: 'submit' }, 'Save'),
      );
      this.el = h(
        'div',
        { class: 'manager-full' },
        h('section', { class: 'card manager', 'aria-labelledby': id('title') }, head, this.summary, quick, full.filterMode.el),
        section(id('assistants'), 'Assistants', h('fieldset', { class: 'plain' }, h('legend', { class: 'hint' }, 'Active assistants receive the screened calls.'), full.assistants)),
        section(id('screening'), 'When the filter screens a call', screening),
        section(id('whitelist'), 'Whitelist', h('p', { class: 'hint' }, 'These callers reach the desk directly when it is free. A trailing * matches a prefix.'), full.whitelist, this.entryForm('whitelist')),
        section(id('blocklist'), 'Block list', full.blocklist, this.entryForm('blocklist')),
        section(id('schedule'), 'Office hours', full.schedule.el),
      );
    }
    this.update(m);
  }

  get manager(): Manager {
    return this.m;
  }

  /** Show the manager as the server now has it. */
  update(m: Manager): void {
    this.m = m;
    this.filter.set(m.filter);
    this.availability.set(m.availability);
    const fwd = typeof m.forward === 'object' ? 'number' : m.forward;
    this.forward.set(fwd);
    if (typeof m.forward === 'object') this.forwardNumber.set(m.forward.number);
    if (document.activeElement !== this.forward.select && !this.forwardForm.contains(document.activeElement)) this.forwardForm.hidden = fwd !== 'number';
    this.phone.replaceChildren(phoneBadge(m.phone));
    this.summary.textContent = `Filter ${m.filter ? 'on' : 'off'} · ${m.availability} · forward ${forwardText(m.forward, m).toLowerCase()}`;
    const full = this.full;
    if (full === undefined) return;
    full.filterMode.set(m.filterMode);
    full.alerting.set(m.alerting);
    full.noAnswer.set(String(m.no_answer));
    full.fallback.set(m.fallback);
    full.schedule.set(m.schedule);
    this.renderAssistants();
    replaceKeepingFocus(full.whitelist, this.entries('whitelist', m.whitelist));
    replaceKeepingFocus(full.blocklist, this.entries('blocklist', m.blocklist));
  }

  /** An assistant's availability or phone changed: redraw the pool. */
  assistantChanged(): void {
    if (this.full !== undefined) this.renderAssistants();
  }

  private renderAssistants(): void {
    const full = this.full!;
    const rows = this.m.assistants.map((aid) => {
      const a = this.assistantOf(aid);
      const key = `active-${this.m.id}-${aid}`;
      const box = h('input', { type: 'checkbox', id: key, 'data-key': key, checked: this.m.active.includes(aid) });
      box.addEventListener('change', () => {
        const kept = this.m.active.filter((x) => x !== aid);
        const active = box.checked ? [...kept, aid] : kept;
        void this.patch({ active }, `${a?.name ?? aid} ${box.checked ? 'active' : 'not active'}`);
      });
      return h(
        'li',
        {},
        h('label', { for: key, class: 'check' }, box, h('span', {}, a?.name ?? aid)),
        a !== undefined ? h('span', { class: `badge avail-${a.availability}` }, a.availability) : null,
        a !== undefined ? phoneBadge(a.phone, 'Phone') : null,
      );
    });
    replaceKeepingFocus(full.assistants, rows.length > 0 ? rows : [h('li', { class: 'empty' }, 'No assistants in the pool.')]);
  }

  private entries(list: 'whitelist' | 'blocklist', entries: readonly Entry[]): HTMLElement[] {
    if (entries.length === 0) return [h('li', { class: 'empty' }, 'Empty.')];
    return entries.map((e) => {
      const notes = [e.expires !== null ? `until ${new Date(e.expires).toLocaleString()}` : '', e.oneCall === true ? 'one call' : ''].filter((x) => x !== '').join(', ');
      return h(
        'li',
        {},
        h('span', { class: 'entry' }, e.entry),
        notes !== '' ? h('span', { class: 'hint' }, ` ${notes}`) : null,
        h('button', { type: 'button', class: 'quiet', 'data-key': `${list}-remove-${e.entry}`, 'aria-label': `Remove ${e.entry} from the ${list === 'whitelist' ? 'whitelist' : 'block list'}`, onclick: () => void this.removeEntry(list, e.entry) }, 'Remove'),
      );
    });
  }

  private entryForm(list: 'whitelist' | 'blocklist'): HTMLFormElement {
    const id = `${list}-${this.m.id}`;
    const entry = inputField(`${id}-entry`, 'Number (or prefix*)', { autocomplete: 'off', required: true, pattern: '[+0-9*#]+' });
    const until = inputField(`${id}-until`, 'Until (optional)', { type: 'datetime-local' });
    const oneCall = h('input', { type: 'checkbox', id: `${id}-one-call` });
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'inline',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const body: Record<string, unknown> = { entry: entry.input.value.trim() };
          if (until.input.value !== '') body.expires = new Date(until.input.value).toISOString();
          if (list === 'whitelist' && oneCall.checked) body.oneCall = true;
          void change(api<Manager>('POST', `/api/managers/${seg(this.m.id)}/${list}`, body), 'Adding the entry failed', `${String(body.entry)} added`).then((r) => {
            if (!r.ok) return;
            form.reset();
            this.update(r.data);
          });
        },
      },
      entry.el,
      until.el,
      list === 'whitelist' ? h('label', { class: 'check', for: `${id}-one-call` }, oneCall, h('span', {}, 'For one call')) : null,
      h('button', { type: 'submit' }, 'Add'),
    );
    return form;
  }

  private async removeEntry(list: 'whitelist' | 'blocklist', entry: string): Promise<void> {
    const r = await change(api<Manager>('DELETE', `/api/managers/${seg(this.m.id)}/${list}/${seg(entry)}`), 'Removing the entry failed', `${entry} removed`);
    if (r.ok) this.update(r.data);
  }

  private async saveScreening(): Promise<void> {
    const full = this.full!;
    await this.patch({ alerting: full.alerting.select.value as Manager['alerting'], no_answer: Number(full.noAnswer.input.value), fallback: full.fallback.select.value as Manager['fallback'] }, 'Screening saved');
  }

  /** PATCH the manager; on refusal show the server's value again (the control was optimistic). */
  private async patch(body: ManagerPatch, done: string): Promise<boolean> {
    const r = await change(api<Manager>('PATCH', `/api/managers/${seg(this.m.id)}`, body), 'The change was refused', done);
    this.update(r.ok ? r.data : this.m);
    return r.ok;
  }
}
