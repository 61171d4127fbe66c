/**
 * Form controls built once and updated in place by live events (rebuilding them would drop the
 * focus and whatever the user was typing). Each has a visible label and works from the keyboard.
 */
import { h } from './dom.js';

export interface Control<T> {
  readonly el: HTMLElement;
  /** Show `value` (from the server) without firing the change handler. */
  set(value: T): void;
}

/** An on/off switch: a button with role=switch, toggled by click, Space or Enter. */
export function switchControl(id: string, label: string, onToggle: (next: boolean) => void): Control<boolean> {
  const state = h('span', { class: 'switch-state', 'aria-hidden': 'true' });
  const button = h('button', { type: 'button', role: 'switch', id, class: 'switch', 'aria-checked': 'false', 'data-key': id }, h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })), h('span', { class: 'switch-label' }, label), state);
  button.addEventListener('click', () => onToggle(button.getAttribute('aria-checked') !== 'true'));
  return {
    el: button,
    set(value) {
      button.setAttribute('aria-checked', String(value));
      state.textContent = value ? 'On' : 'Off';
    },
  };
}

/** A group of radio buttons in a fieldset; arrow keys move between them as browsers do. */
export function radioGroup(name: string, legend: string, options: ReadonlyArray<readonly [string, string]>, onChange: (value: string) => void): Control<string> {
  const inputs = options.map(([value, text]) => {
    const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, 'data-key': `${name}-${value}` });
    input.addEventListener('change', () => input.checked && onChange(value));
    return h('label', { class: 'radio', for: `${name}-${value}` }, input, h('span', {}, text));
  });
  const el = h('fieldset', { class: 'radios' }, h('legend', {}, legend), ...inputs);
  return {
    el,
    set(value) {
      for (const input of el.querySelectorAll<HTMLInputElement>('input')) input.checked = input.value === value;
    },
  };
}

/**
 * A labelled select. One that applies on change (`isApplied`) always shows the server's value;
 * one inside a form saved later keeps what the user chose while they are on it.
 */
export function selectControl(id: string, label: string, options: ReadonlyArray<readonly [string, string]>, onChange: (value: string) => void, isApplied = true): Control<string> & { readonly select: HTMLSelectElement } {
  const select = h('select', { id, 'data-key': id }, ...options.map(([value, text]) => h('option', { value }, text)));
  select.addEventListener('change', () => onChange(select.value));
  return {
    el: h('div', { class: 'field' }, h('label', { for: id }, label), select),
    select,
    set(value) {
      if (isApplied || document.activeElement !== select) select.value = value;
    },
  };
}

/** A labelled input; set() leaves it alone while the user is typing in it. */
export function inputField(id: string, label: string, attrs: Record<string, string | number | boolean> = {}): Control<string> & { readonly input: HTMLInputElement } {
  const input = h('input', { id, name: id, 'data-key': id, ...attrs });
  return {
    el: h('div', { class: 'field' }, h('label', { for: id }, label), input),
    input,
    set(value) {
      if (document.activeElement !== input) input.value = value;
    },
  };
}

/** A titled section of a page. */
export function section(id: string, title: string, ...children: Array<Node | null>): HTMLElement {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}
