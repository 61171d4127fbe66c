/**
 * What `imad ctl` can do, as an operator (acting as the system, like root):
 *   status                                   listeners, trunk peers, live call counters, managers' settings
 *   calls                                    live calls: id, manager, caller, called, legs
 *   filter <manager> on|off
 *   availability <manager> available|busy|away
 *   forward <manager> off|mobile|alternative|voicemail|<number>
 *   whitelist-add <manager> <pattern>        exact number or trailing-* prefix
 *   whitelist-remove <manager> <pattern>
 *   assistant <assistant> available|away|offline
 *   explain <caller> <called>                where a call would go now, and why
 *   steer <call-id> desk|softphone|mobile|voicemail|alternative|<number>
 */
import type { B2bua } from '@ima/b2bua';
import {
  ASSISTANT_AVAILABILITIES,
  type Command,
  type Directory,
  FORWARD_TARGETS,
  type Forward,
  MANAGER_AVAILABILITIES,
  type PolicyState,
  explain,
} from '@ima/ima-policy';
import type { Destination } from '@ima/sip-core';
import type { CallInfo } from '../calls.js';
import { steerCall } from '../steer.js';
import type { PeerHealth } from '../trunk/peers.js';
import type { CtlRequest, CtlResponse } from './server.js';

export interface CtlContext {
  readonly directory: () => Directory;
  readonly state: () => PolicyState;
  readonly apply: (command: Command) => { ok: true } | { ok: false; reason: string };
  readonly b2bua: B2bua;
  readonly peers: () => readonly PeerHealth[];
  readonly peer: () => Destination | undefined;
  readonly listening: ReadonlyArray<{ protocol: string; address: string; port: number }>;
  /** The manager, caller and called number of each live call (kept by the router). */
  readonly callInfo: (callId: string) => CallInfo | undefined;
}

const SYSTEM = { kind: 'system' } as const;
const ok = (result: unknown): CtlResponse => ({ ok: true, result });
const err = (error: string): CtlResponse => ({ ok: false, error });

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | string {
  return value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : `${what} must be one of ${allowed.join(', ')}`;
}

export async function runCtl(ctx: CtlContext, req: CtlRequest): Promise<CtlResponse> {
  const [a, b] = req.args;
  const applied = (command: Command): CtlResponse => {
    const r = ctx.apply(command);
    return r.ok ? ok('done') : err(r.reason);
  };
  const manager = (): string | CtlResponse => (a !== undefined && ctx.directory().managers.has(a) ? a : err(`no manager "${a ?? ''}"`));
  switch (req.cmd) {
    case 'status': {
      const state = ctx.state();
      return ok({
        listening: ctx.listening,
        peers: ctx.peers(),
        calls: ctx.b2bua.stats,
        managers: [...ctx.directory().managers.values()].map((m) => ({
          id: m.id,
          number: m.number,
          filter: state.managers[m.id]?.isFilterOn,
          availability: state.managers[m.id]?.availability,
          forward: state.managers[m.id]?.forward,
        })),
      });
    }
    case 'calls':
      return ok(
        [...ctx.b2bua.calls.values()].map((c) => ({
          id: c.id,
          ...ctx.callInfo(c.id),
          answered: c.answeredLeg !== undefined,
          legs: c.legs.map((l) => ({ id: l.id, uri: l.target.uri, status: l.status ?? null, label: l.target.label ?? null })),
        })),
      );
    case 'filter': {
      const m = manager();
      if (typeof m !== 'string') return m;
      if (b !== 'on' && b !== 'off') return err('filter takes on or off');
      return applied({ type: 'setFilter', by: SYSTEM, managerId: m, isOn: b === 'on' });
    }
    case 'availability': {
      const m = manager();
      if (typeof m !== 'string') return m;
      const v = oneOf(b, MANAGER_AVAILABILITIES, 'availability');
      if (!(MANAGER_AVAILABILITIES as readonly string[]).includes(v)) return err(v);
      return applied({ type: 'setAvailability', by: SYSTEM, managerId: m, availability: v as (typeof MANAGER_AVAILABILITIES)[number] });
    }
    case 'forward': {
      const m = manager();
      if (typeof m !== 'string') return m;
      if (b === undefined) return err('forward takes off, mobile, alternative, voicemail or a number');
      const forward: Forward =
        b === 'off' ? { kind: 'off' } : (FORWARD_TARGETS as readonly string[]).includes(b) ? { kind: 'target', target: b as (typeof FORWARD_TARGETS)[number] } : { kind: 'number', number: b };
      return applied({ type: 'setForward', by: SYSTEM, managerId: m, forward });
    }
    case 'whitelist-add':
    case 'whitelist-remove': {
      const m = manager();
      if (typeof m !== 'string') return m;
      if (!b) return err(`${req.cmd} takes a manager and a pattern`);
      return req.cmd === 'whitelist-add'
        ? applied({ type: 'addEntry', by: SYSTEM, managerId: m, entry: { list: 'whitelist', pattern: b, expiry: { kind: 'never' } } })
        : applied({ type: 'removeEntry', by: SYSTEM, managerId: m, list: 'whitelist', pattern: b });
    }
    case 'assistant': {
      if (a === undefined || !ctx.directory().assistants.has(a)) return err(`no assistant "${a ?? ''}"`);
      const v = oneOf(b, ASSISTANT_AVAILABILITIES, 'availability');
      if (!(ASSISTANT_AVAILABILITIES as readonly string[]).includes(v)) return err(v);
      return applied({ type: 'setAssistantAvailability', by: SYSTEM, assistantId: a, availability: v as (typeof ASSISTANT_AVAILABILITIES)[number] });
    }
    case 'explain': {
      if (!a || !b) return err('explain takes a caller number and a called number');
      return ok(explain(ctx.directory(), ctx.state(), { callerNumber: a, calledNumber: b }, Date.now()));
    }
    case 'steer': {
      const call = a === undefined ? undefined : ctx.b2bua.calls.get(a) ?? [...ctx.b2bua.calls.values()].find((c) => c.id.startsWith(a));
      if (call === undefined) return err(`no live call "${a ?? ''}" (see imad ctl calls)`);
      if (!b) return err('steer takes a call id and a target');
      const r = await steerCall(ctx, call, b);
      return r.ok ? ok({ leg: r.leg }) : err(r.error);
    }
    default:
      return err(`unknown command "${req.cmd}" (status, calls, filter, availability, forward, whitelist-add, whitelist-remove, assistant, explain, steer)`);
  }
}
