#!/usr/bin/env node
/**
 * imad — the IMA daemon's command line.
 *
 *   imad check -c FILE      validate a configuration; every problem as FILE:LINE:COL: message
 *   imad hash-password      read a password on stdin, print its hash for users[].password_hash
 *   imad --version, --help
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { hashPassword } from './auth/password.js';
import { loadConfig } from './config/load.js';
import { formatProblem, sortProblems } from './config/problem.js';
import { LOG_LEVELS } from './config/types.js';
import { isLogLevel } from './log.js';
// The daemon (SIP stack, HTTP server) and the demo load only for the commands that run them, so
// that check, ctl and hash-password start fast.
import type { Daemon } from './daemon.js';
import { ctlRequest } from './ctl/server.js';

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

/** Reads one line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    // Echo off before the prompt shows, so that nothing typed after it can be echoed.
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
    process.stderr.write(prompt);
  });
}

/** The first line of a piped stdin (without its line end); '' on an empty stdin. */
async function readFirstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await readHidden('Password: ');
  const again = await readHidden('Again: ');
  if (password !== again) throw new Error('the passwords differ');
  return password;
}

async function check(file: string): Promise<number> {
  const result = await loadConfig(file);
  if (result.ok) {
    console.log('ok');
    return 0;
  }
  for (const problem of result.problems) console.error(formatProblem(file, problem));
  return 1;
}

async function hashCommand(): Promise<number> {
  let password: string;
  try {
    password = await readPassword();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`imad hash-password: ${message}`);
    // 130: interrupted by Ctrl-C, as a shell reports SIGINT.
    return message === 'interrupted' ? 130 : 1;
  }
  if (password === '') {
    console.error('imad hash-password: the password is empty');
    return 1;
  }
  console.log(await hashPassword(password));
  return 0;
}

/** `imad ctl`: one request to the running daemon; prints the result as JSON, or the error (exit 1). */
async function ctl(file: string, command: string, args: string[]): Promise<number> {
  const loaded = await loadConfig(file);
  if (!loaded.ok) {
    for (const p of sortProblems(loaded.problems)) console.error(formatProblem(file, p));
    return 1;
  }
  try {
    const res = await ctlRequest(join(loaded.config.storage.dir, 'imad.sock'), { cmd: command, args });
    if (!res.ok) {
      console.error(`imad ctl ${command}: ${res.error}`);
      return 1;
    }
    console.log(typeof res.result === 'string' ? res.result : JSON.stringify(res.result, null, 2));
    return 0;
  } catch (err) {
    console.error(`imad ctl: ${(err as Error).message}`);
    return 1;
  }
}

/**
 * SIGHUP: re-read the file and reload it. Whatever goes wrong (an unreadable or invalid file, a
 * reload the daemon refuses, an error nobody foresaw) is logged and the running configuration
 * stays: a reload must never take the calls down with the process.
 */
async function reloadFromFile(daemon: Daemon, file: string): Promise<void> {
  try {
    const next = await loadConfig(file);
    if (!next.ok) {
      daemon.logger.error({ problems: sortProblems(next.problems).map((p) => formatProblem(file, p)) }, 'reload refused: the file has problems; the running configuration stays');
      return;
    }
    const r = daemon.reload(next.config);
    if (!r.ok) daemon.logger.error({ reason: r.reason }, 'reload refused; the running configuration stays');
  } catch (err) {
    daemon.logger.error({ err }, 'reload failed; the running configuration stays');
  }
}

/** `imad start`: load, validate, run until SIGTERM/SIGINT. Exit 1 with every problem when the file is bad, 2 on a bad option. */
async function start(file: string, logLevel: string | undefined): Promise<number> {
  if (logLevel !== undefined && !isLogLevel(logLevel)) {
    console.error(`imad start: --log-level ${JSON.stringify(logLevel)} is not a level: use one of ${LOG_LEVELS.join(', ')}`);
    return 2;
  }
  const loaded = await loadConfig(file);
  if (!loaded.ok) {
    for (const p of sortProblems(loaded.problems)) console.error(formatProblem(file, p));
    return 1;
  }
  let daemon: Daemon;
  try {
    const { startDaemon } = await import('./daemon.js');
    daemon = await startDaemon(loaded.config, { configFile: file, ...(logLevel !== undefined ? { logLevel } : {}) });
  } catch (err) {
    console.error(`imad start: ${(err as Error).message}`);
    return 1;
  }
  // One reload at a time, in the order the signals came: two quick SIGHUPs end with the last file.
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(() => reloadFromFile(daemon, file));
  });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  // SIGTERM: stop taking calls, let the current ones finish (bounded by the drain timeout running
  // now, a reload may have changed it), end the rest properly, then exit 0.
  await daemon.drain(signal === 'SIGTERM' ? daemon.config().shutdown.drainTimeoutMs : 0);
  return 0;
}

/** The command line program; `run` parses argv and sets the exit code. */
function program(): Command {
  const cli = new Command();
  cli
    .name('imad')
    .description('IMA: a Manager/Assistant call filter beside the PBX, on a SIP trunk')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError();
  cli
    .command('check')
    .description('validate a configuration file and print every problem with its line and column')
    .requiredOption('-c, --config <file>', 'the YAML configuration file')
    .action(async (options: { config: string }) => {
      process.exitCode = await check(options.config);
    });
  cli
    .command('start')
    .description('run the daemon on a configuration file (stops on SIGTERM or SIGINT)')
    .requiredOption('-c, --config <file>', 'the YAML configuration file')
    .option('--log-level <level>', `override log.level, at start and at every reload (${LOG_LEVELS.join(', ')})`)
    .action(async (options: { config: string; logLevel?: string }) => {
      process.exitCode = await start(options.config, options.logLevel);
    });
  cli
    .command('ctl')
    .description('control a running imad over its socket under storage.dir: status, calls, filter, availability, forward, whitelist-add, whitelist-remove, assistant, explain, steer')
    .requiredOption('-c, --config <file>', 'the YAML configuration file of the running daemon')
    .argument('<command>', 'what to do')
    .argument('[args...]', "the command's arguments")
    .action(async (command: string, args: string[], options: { config: string }) => {
      process.exitCode = await ctl(options.config, command, args);
    });
  cli
    .command('demo')
    .description('run the daemon beside a simulated PBX and phones, place one call per routing rule, print the table (exit 0 when all match)')
    .action(async () => {
      const { runDemo } = await import('./demo.js');
      const { ok } = await runDemo((line) => console.log(line));
      process.exitCode = ok ? 0 : 1;
    });
  cli
    .command('hash-password')
    .description('read a password from stdin (hidden on a terminal) and print its scrypt hash for users[].password_hash')
    .action(async () => {
      process.exitCode = await hashCommand();
    });
  return cli;
}

await program().parseAsync(process.argv);
