/**
 * What the HTTP API needs from the daemon. The daemon implements it; nothing here reaches into
 * the daemon's internals.
 */
import type { B2bua, Call } from '@ima/b2bua';
import type { Command, Directory, Explanation, PolicyState, RefusalCode } from '@ima/ima-policy';
import type { Logger } from 'pino';
import type { CallInfo } from '../calls.js';
import type { Config } from '../config/types.js';
import type { DaemonEvents } from '../daemon-events.js';
import type { SteerResult } from '../steer.js';
import type { PeerHealth } from '../trunk/peers.js';

/** `index`: which command was refused (none was applied). */
export type ApplyResult = { readonly ok: true } | { readonly ok: false; readonly code: RefusalCode; readonly reason: string; readonly index: number };

export interface ApiHost {
  readonly logger: Logger;
  /** The configuration running now (reloads replace it). */
  config(): Config;
  /** The file the configuration was read from, when there is one (PUT /api/config writes it). */
  readonly configFile: string | undefined;
  directory(): Directory;
  state(): PolicyState;
  /** All the commands, or none: each is checked against the state the previous ones made; one commit. */
  applyAll(commands: readonly Command[]): ApplyResult;
  reload(config: Config): { ok: true; warnings: string[] } | { ok: false; reason: string };
  readonly b2bua: B2bua;
  callInfo(callId: string): CallInfo | undefined;
  peers(): readonly PeerHealth[];
  steer(call: Call, target: string): Promise<SteerResult>;
  explain(callerNumber: string, calledNumber: string): Explanation;
  readonly events: Pick<DaemonEvents, 'on'>;
  /** Epoch ms of the start. */
  readonly startedAt: number;
}
