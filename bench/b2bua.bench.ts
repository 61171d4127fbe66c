/**
 * pnpm bench:b2bua — our B2BUA (packages/b2bua/dist/examples/relay.js) beside
 * Kamailio as a minimal stateful proxy (bench/kamailio.cfg), in the same run,
 * over UDP on loopback:
 *
 *   SIPp uac -> relay    -> SIPp uas        SIPp uac -> Kamailio -> SIPp uas
 *
 * 1. Call rate: the highest rate at which every call (INVITE/180/200/ACK/BYE)
 *    completes with 0 failed. Short search runs (SEARCH_SECONDS of calls)
 *    double the rate until a run fails, then bisect; the figure is then
 *    confirmed by a run of max(MIN_CALLS, rate x CONFIRM_SECONDS) calls,
 *    stepping down 10% (at most CONFIRM_STEPS times, 8 by default) when the confirmation fails. A run
 *    counts when no call failed on either side (SIPp uac and uas), every call
 *    succeeded and SIPp's average rate (which includes the run's start and its
 *    last calls) reached 85% of the target.
 * 2. Memory: HOLD_CALLS calls set up and held open (SIPp pauses HOLD_SECONDS
 *    between ACK and BYE); resident memory before, at each quarter, at the end.
 *    Node: VmRSS of the relay. Kamailio: the sum of Pss over its processes
 *    (its tm transactions live in shared memory that each process maps; summing
 *    their VmRSS would count those pages once per process).
 *
 * Each run gets fresh processes on free ports and a warm-up of WARMUP_CALLS calls; every SIPp run is bounded in
 * calls and time, and every process started here is killed by its PID.
 * Prints figures; gates nothing. Needs SIPp (sip-tester) and kamailio.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, freePort, sippCounts } from '../packages/sip-core/test/sipp/fixtures/sipp.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SEARCH_SECONDS = env('B2BUA_SEARCH_SECONDS', 10);
const CONFIRM_SECONDS = env('B2BUA_CONFIRM_SECONDS', 30);
const MIN_CALLS = env('B2BUA_MIN_CALLS', 10_000);
const START_RATE = env('B2BUA_START_RATE', 125);
const MAX_RATE = env('B2BUA_MAX_RATE', 8000);
const HOLD_CALLS = env('B2BUA_HOLD_CALLS', 10_000);
const HOLD_RATE = env('B2BUA_HOLD_RATE', 500);
const WARMUP_CALLS = env('B2BUA_WARMUP_CALLS', 500);
// Short runs flatter: a rate that passes 10 s may fail 30 s. Up to this many 10% steps down before giving up.
const CONFIRM_STEPS = env('B2BUA_CONFIRM_STEPS', 8);
const ONLY = process.env.B2BUA_ONLY; // 'relay' | 'kamailio': measure one side only
// B2BUA_NICE=-10: run SIPp and both systems under test at that priority, so that other work on a shared
// machine disturbs the figures less (negative values need root). Unset: the default priority.
const NICE = process.env.B2BUA_NICE;

/** The command line to spawn, under `nice` when B2BUA_NICE is set (nice execs, so the PID is the program's). */
const niced = (cmd: string, args: string[]): [string, string[]] => (NICE === undefined ? [cmd, args] : ['nice', ['-n', NICE, cmd, ...args]]);
const BUFF = ['-buff_size', '4194304'];

// B2BUA_RELAY: another build of relay.js (e.g. a copy, so that rebuilding the tree does not change a running bench).
const relayJs = process.env.B2BUA_RELAY ?? fileURLToPath(new URL('../packages/b2bua/dist/examples/relay.js', import.meta.url));
const kamailioCfg = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'bench-b2bua-'));

/** A system under test, started fresh for each run. */
interface Sut {
  readonly proc: ChildProcess;
  readonly port: number;
  /** Resident memory in bytes (see the header for what is summed). */
  memory(): number;
}
type SutName = 'relay' | 'kamailio';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kill a child we started and wait for it to be gone. */
async function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = once(proc, 'exit');
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** A field of /proc/<pid>/status or smaps_rollup in bytes (0 once the process is gone). */
function procKb(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return Number(m?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The PIDs of a process and its descendants. */
function family(root: number): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parents.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parents) if (ppid === out[i]) out.push(pid);
  return out;
}

async function startRelay(uasPort: number): Promise<Sut> {
  const proc = spawn(...niced(process.execPath, [relayJs, '--listen', 'udp://127.0.0.1:0', '--to', `udp://127.0.0.1:${uasPort}`]), { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  while (!/listening udp:\/\/\S+:(\d+)/.test(text)) text += ((await once(proc.stdout!, 'data')) as [Buffer])[0].toString();
  proc.stdout!.resume();
  const port = Number(/listening udp:\/\/\S+:(\d+)/.exec(text)![1]);
  return { proc, port, memory: () => procKb(`/proc/${proc.pid}/status`, 'VmRSS') };
}

async function startKamailio(uasPort: number): Promise<Sut> {
  const port = await freePort();
  // Foreground (-DD), logging to stderr (-E), one worker (-n 1), 2 GB of shared memory (-m 2048).
  const args = ['-f', kamailioCfg, '-DD', '-E', '-n', '1', '-m', '2048', '-l', `udp:127.0.0.1:${port}`, '-A', `UAS_URI="sip:127.0.0.1:${uasPort}"`];
  const proc = spawn(...niced('kamailio', args), { stdio: ['ignore', 'pipe', 'pipe'], cwd: work });
  let text = '';
  const onData = (d: Buffer) => (text += d.toString());
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const deadline = Date.now() + 10_000;
  while (!text.includes(`:${port}`) && proc.exitCode === null && Date.now() < deadline) await sleep(50);
  if (!text.includes(`:${port}`)) throw new Error(`kamailio did not start:\n${text}`);
  await sleep(1000); // its workers fork after it prints the listening address
  const memory = () => family(proc.pid!).reduce((sum, pid) => sum + procKb(`/proc/${pid}/smaps_rollup`, 'Pss'), 0);
  return { proc, port, memory };
}

const start = (name: SutName, uasPort: number) => (name === 'relay' ? startRelay(uasPort) : startKamailio(uasPort));

interface Counts {
  ok: number;
  failed: number;
  cps: number;
}

function counts(out: string): Counts {
  return { ...sippCounts(out), cps: Number(/Call Rate\s*\|[^|]*\|\s*([\d.]+) cps/.exec(out)?.[1] ?? NaN) };
}

/** SIPp's -trace_err into the work folder; the first reasons are printed when a run fails. */
const errors = (side: 'uac' | 'uas') => ['-trace_err', '-error_file', join(work, `${side}-errors.log`)];

/** The distinct reasons SIPp gave for failed calls, most frequent first. */
function failureReasons(): string[] {
  const reasons = new Map<string, number>();
  for (const side of ['uac', 'uas']) {
    let text = '';
    try {
      text = readFileSync(join(work, `${side}-errors.log`), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/: (Aborting call[^']*'[^']*'(?:: while expecting '[^']*')?|[A-Z][^\n]*(?:timeout|Timeout)[^\n]*)/g)) {
      const key = `${side}: ${m[1]!.replace(/Call-Id '[^']*'/, 'Call-Id *')}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    rmSync(join(work, `${side}-errors.log`), { force: true });
  }
  return [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${n} x ${k}`);
}

/** SIPp uas on a free port, running until stopped. */
async function startUas(): Promise<{ proc: ChildProcess; port: number }> {
  const port = await freePort();
  const proc = spawn(...niced('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-nostdin', ...errors('uas'), ...BUFF]), { stdio: 'ignore' });
  await sleep(300);
  return { proc, port };
}

/**
 * WARMUP_CALLS calls at 100 cps before a measured run, not counted: a long-running B2BUA has its code
 * compiled; a cold Node process answers its first second of calls slowly enough for INVITEs to be
 * retransmitted, which SIPp's uas counts as failed calls. Kamailio gets the same.
 */
async function warmUp(sut: Sut): Promise<void> {
  if (WARMUP_CALLS <= 0) return;
  await exec(...niced('sipp', ['-sn', 'uac', `127.0.0.1:${sut.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', String(WARMUP_CALLS), '-r', '100', '-timeout', '60s', '-nostdin', ...BUFF]), 90_000);
  failureReasons(); // forget what the warm-up left in the error logs
}

/** One run: fresh SIPp uas and system under test, `calls` calls at `rate`. */
async function trial(name: SutName, rate: number, calls: number): Promise<Counts & { good: boolean }> {
  const uas = await startUas();
  const sut = await start(name, uas.port);
  try {
    await warmUp(sut);
    const seconds = calls / rate;
    const { out } = await exec(
      ...niced('sipp', ['-sn', 'uac', `127.0.0.1:${sut.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', String(calls), '-r', String(rate), '-l', String(rate * 4), '-timeout', `${Math.ceil(seconds * 2 + 40)}s`, '-nostdin', ...errors('uac'), ...BUFF]),
      (seconds * 2 + 60) * 1000,
    );
    const c = counts(out);
    // The callee's view counts too: SIPp's uac may count a call as ended well that its uas aborted.
    await sleep(1000);
    const reasons = failureReasons();
    const good = c.failed === 0 && c.ok === calls && c.cps >= rate * 0.85 && reasons.length === 0;
    const load = loadavg()[0]!.toFixed(1);
    console.log(`  ${name.padEnd(8)} ${String(rate).padStart(5)} cps x ${String(calls).padStart(6)}: ok ${String(c.ok).padStart(6)} failed ${String(c.failed).padStart(5)} achieved ${c.cps.toFixed(0).padStart(5)} cps  load ${load}${good ? '' : '  (x)'}`);
    for (const r of reasons) console.log(`           ${r}`);
    return { ...c, good };
  } finally {
    await stop(sut.proc);
    await stop(uas.proc);
  }
}

/** Double until a short run fails, bisect to within 10%, then confirm with a long run. */
async function highestRate(name: SutName): Promise<{ rate: number; calls: number; cps: number }> {
  let good = 0;
  let bad = 0;
  for (let rate = START_RATE; rate <= MAX_RATE; rate *= 2) {
    if ((await trial(name, rate, rate * SEARCH_SECONDS)).good) good = rate;
    else {
      bad = rate;
      break;
    }
  }
  if (good === 0) return { rate: 0, calls: 0, cps: 0 };
  while (bad > 0 && bad / good > 1.1) {
    const mid = Math.round((good + bad) / 2);
    if ((await trial(name, mid, mid * SEARCH_SECONDS)).good) good = mid;
    else bad = mid;
  }
  for (let attempt = 0, rate = good; attempt <= CONFIRM_STEPS; attempt++, rate = Math.round(rate * 0.9)) {
    const calls = Math.max(MIN_CALLS, rate * CONFIRM_SECONDS);
    const r = await trial(name, rate, calls);
    if (r.good) return { rate, calls, cps: r.cps };
  }
  return { rate: 0, calls: 0, cps: 0 };
}

interface Held {
  idle: number;
  samples: Array<{ calls: number; bytes: number }>;
}

/** HOLD_CALLS calls set up at HOLD_RATE and held open; memory before and as they pile up. */
async function holdCalls(name: SutName): Promise<Held> {
  const uas = await startUas();
  const sut = await start(name, uas.port);
  const stat = join(work, `${name}-hold.csv`);
  const holdSeconds = Math.ceil(HOLD_CALLS / HOLD_RATE) + 60;
  try {
    await sleep(1000);
    const idle = sut.memory();
    const uac = spawn(
      ...niced('sipp', ['-sn', 'uac', `127.0.0.1:${sut.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', String(HOLD_CALLS), '-r', String(HOLD_RATE), '-l', String(HOLD_CALLS),
        '-d', String(holdSeconds * 1000), '-timeout', `${holdSeconds + 30}s`, '-nostdin', '-trace_stat', '-stf', stat, '-fd', '1', ...BUFF]),
      { stdio: 'ignore' },
    );
    const samples: Held['samples'] = [];
    try {
      // Sample at each quarter of the calls, by SIPp's own count of calls in progress.
      const deadline = Date.now() + (HOLD_CALLS / HOLD_RATE + 30) * 1000;
      for (const quarter of [0.25, 0.5, 0.75, 1]) {
        const want = Math.round(HOLD_CALLS * quarter);
        let current = 0;
        while (Date.now() < deadline && (current = currentCalls(stat)) < want) await sleep(250);
        if (current < want) break;
        await sleep(quarter === 1 ? 3000 : 0); // let the last answers and ACKs settle
        samples.push({ calls: currentCalls(stat), bytes: sut.memory() });
      }
    } finally {
      await stop(uac, 'SIGKILL');
    }
    return { idle, samples };
  } finally {
    await stop(sut.proc);
    await stop(uas.proc);
  }
}

/** SIPp's CurrentCall (calls in progress) from the last line of its statistics file. */
function currentCalls(statFile: string): number {
  try {
    const lines = readFileSync(statFile, 'utf8').trim().split('\n');
    const head = lines[0]!.split(';');
    const last = lines[lines.length - 1]!.split(';');
    return lines.length < 2 ? 0 : Number(last[head.indexOf('CurrentCall')] ?? 0);
  } catch {
    return 0;
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const version = (cmd: string, args: string[], re: RegExp) => re.exec(spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'missing';
console.log(`node ${process.version}; kamailio ${version('kamailio', ['-v'], /kamailio (\S+)/)}; SIPp ${version('sipp', ['-v'], /SIPp (v\S+)/)}; UDP on loopback`);
console.log(`search runs ${SEARCH_SECONDS} s of calls; confirmation max(${MIN_CALLS}, rate x ${CONFIRM_SECONDS} s) calls; ${HOLD_CALLS} calls held at ${HOLD_RATE} cps`);

const names: SutName[] = ONLY === 'relay' || ONLY === 'kamailio' ? [ONLY] : ['kamailio', 'relay'];
const rates = new Map<SutName, Awaited<ReturnType<typeof highestRate>>>();
const held = new Map<SutName, Held>();
try {
  for (const name of names) {
    console.log(`${name}: call rate`);
    rates.set(name, await highestRate(name));
  }
  for (const name of HOLD_CALLS > 0 ? names : []) {
    console.log(`${name}: ${HOLD_CALLS} calls held open`);
    const h = await holdCalls(name);
    for (const s of h.samples) console.log(`  ${String(s.calls).padStart(6)} calls: ${mb(s.bytes)} MB (idle ${mb(h.idle)} MB)`);
    held.set(name, h);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log('\nsummary (UDP loopback, 2 cores shared by SIPp and the system under test)');
for (const name of names) {
  const r = rates.get(name)!;
  const h = held.get(name) ?? { idle: 0, samples: [] };
  const top = h.samples[h.samples.length - 1];
  const per1000 = top ? ((top.bytes - h.idle) / top.calls) * 1000 : NaN;
  console.log(
    `${(name === 'relay' ? '@ima/b2bua relay' : 'Kamailio (tm proxy)').padEnd(20)} ${String(r.rate).padStart(5)} calls/s (${r.calls} calls, 0 failed, achieved ${r.cps.toFixed(0)})` +
      `  memory idle ${mb(h.idle)} MB, with ${top?.calls ?? 0} calls held ${top ? mb(top.bytes) : '?'} MB, ${mb(per1000)} MB per 1,000 calls`,
  );
}
const ours = rates.get('relay')?.rate;
const theirs = rates.get('kamailio')?.rate;
if (ours !== undefined && theirs !== undefined && theirs > 0) console.log(`call rate ratio relay / Kamailio: ${(ours / theirs).toFixed(2)} (goal >= 0.50)`);
const relayTop = held.get('relay')?.samples.at(-1);
if (relayTop) console.log(`relay with ${relayTop.calls} concurrent calls: ${mb(relayTop.bytes)} MB resident (goal < 200 MB)`);
