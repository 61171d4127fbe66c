/**
 * Live calls with one-click steering: each ringing or answered call gets a button per target
 * the manager has (desk, softphone, mobile, voicemail, alternative) and a field for any number.
 */
import { api, type Call, seg, type TargetName } from './api.js';
import type { PortalData } from './portal-data.js';
import { formatTime, h, replaceKeepingFocus } from './dom.js';
import { change } from './session.js';

const TARGETS: ReadonlyArray<readonly [TargetName, string]> = [
  ['desk', 'Desk'],
  ['softphone', 'Softphone'],
  ['mobile', 'Mobile'],
  ['voicemail', 'Voicemail'],
  ['alternative', 'Alternative'],
];

/** Who the caller is, as a person would say it. */
export function callerText(call: { caller: string; callerName?: string }): string {
  return call.callerName !== undefined && call.callerName !== '' && call.callerName !== call.caller ? `${call.callerName} (${call.caller})` : call.caller;
}

function stateText(call: Call, data: PortalData): string {
  const who = (number: string): string => {
    const name = data.nameOfNumber(number);
    return name !== undefined ? `${name} (${number})` : number;
  };
  if (call.state === 'answered') return call.answeredBy !== undefined ? `Answered by ${who(call.answeredBy)}` : 'Answered';
  if (call.state === 'ringing') {
    const ringing = call.legs.filter((l) => l.state === 'pending').map((l) => who(l.target));
    return ringing.length > 0 ? `Ringing ${ringing.join(', ')}` : 'Ringing';
  }
  return 'Routing';
}

async function steer(call: Call, target: string, label: string): Promise<void> {
  await change(api('POST', `/api/calls/${seg(call.id)}/steer`, { target }), 'Steering the call failed', `Call from ${callerText(call)} sent to ${label}`);
}

function callItem(call: Call, data: PortalData, isCompact: boolean): HTMLElement {
  const manager = data.manager(call.managerId);
  const who = callerText(call);
  // A ringing call goes to the new target instead of the phones ringing now; an answered one is
  // moved (IMA re-INVITEs the caller). While the call is still being routed the buttons wait.
  const isSteerable = call.state === 'ringing' || call.state === 'answered';
  const buttons = TARGETS.filter(([t]) => manager?.targets[t] !== undefined).map(([t, text]) =>
    h('button', { type: 'button', class: `steer steer-${t}`, disabled: !isSteerable, 'data-key': `steer-${call.id}-${t}`, 'aria-label': `Send the call from ${who} to ${text.toLowerCase()} (${manager?.targets[t] ?? ''})`, onclick: () => void steer(call, t, text.toLowerCase()) }, text),
  );
  const numberId = `steer-number-${call.id}`;
  const number = h('input', { id: numberId, 'data-key': numberId, inputmode: 'tel', autocomplete: 'off', required: true, pattern: '[+0-9*#]+', size: 10 });
  const other = h(
    'form',
    { class: 'steer-other', onsubmit: (e: Event) => { e.preventDefault(); if (number.value.trim() !== '') void steer(call, number.value.trim(), number.value.trim()); } },
    h('label', { for: numberId }, 'Other number'),
    number,
    h('button', { type: 'submit', disabled: !isSteerable, 'data-key': `steer-go-${call.id}`, 'aria-label': `Send the call from ${who} to the number typed` }, 'Send'),
  );
  return h(
    'li',
    { class: `call call-${call.state}`, 'data-call': call.id },
    h('div', { class: 'call-head' }, h('span', { class: 'call-caller' }, who), h('span', { class: `badge call-state-${call.state}` }, stateText(call, data))),
    isCompact ? null : h('div', { class: 'call-meta' }, `To ${manager?.name ?? call.called} (${call.called}) since ${formatTime(call.started)} — ${call.decision.reason}`),
    h('div', { class: 'steer-row', role: 'group', 'aria-label': `Steer the call from ${who}` }, ...buttons),
    isSteerable ? other : h('p', { class: 'hint' }, 'Once it rings, the call can be sent on from here.'),
  );
}

/** Render `calls` into `list` (a <ul>), keeping the focus on the same button across updates. */
export function renderCalls(list: HTMLElement, calls: readonly Call[], data: PortalData, isCompact = false): void {
  const items = calls.map((c) => callItem(c, data, isCompact));
  replaceKeepingFocus(list, items.length > 0 ? items : [h('li', { class: 'empty' }, 'No calls right now.')]);
}
