/**
 * pnpm bench:cps — calls per second the example UAS (@ima/sip-core) sustains
 * against SIPp's built-in uac scenario with 0 failed calls, and what SIPp
 * sustains against itself (SIPp uac -> SIPp uas) in the same run, over UDP on
 * loopback. For each target rate it places rate x SECONDS calls; the highest
 * rate whose run had 0 failed calls (and reached at least 90% of the target)
 * is the figure. Bounded: a fixed list of rates, each run under a timeout.
 * Needs SIPp (apt-get install sip-tester).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env.CPS_SECONDS ?? 5);
const RATES = (process.env.CPS_RATES ?? '250,500,1000,1500,2000,3000,4000').split(',').map(Number);
const uasScript = fileURLToPath(new URL('../packages/sip-core/dist/examples/uas.js', import.meta.url));

interface Run {
  rate: number;
  ok: number;
  failed: number;
  cps: number;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** A UDP port free right now (SIPp reads "-p 0" as 5060, not as "any"). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}

async function uac(port: number, rate: number): Promise<Run> {
  const calls = rate * SECONDS;
  const out = await run('sipp', ['-sn', 'uac', `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', String(calls), '-r', String(rate), '-l', String(rate * 4), '-timeout', `${SECONDS * 6}s`, '-nostdin'], SECONDS * 8000);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    rate,
    ok: num(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/),
    failed: num(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/),
    cps: num(/Call Rate\s*\|[^|]*\|\s*([\d.]+) cps/),
  };
}

async function ladder(name: string, port: number): Promise<number> {
  let best = 0;
  for (const rate of RATES) {
    const r = await uac(port, rate);
    const good = r.failed === 0 && r.ok === rate * SECONDS && r.cps >= rate * 0.9;
    console.log(`${name.padEnd(22)} target ${String(rate).padStart(5)} cps: ok ${String(r.ok).padStart(6)} failed ${String(r.failed).padStart(5)} achieved ${r.cps.toFixed(0).padStart(5)} cps ${good ? '' : '(x)'}`);
    if (!good) break;
    best = r.cps;
  }
  return best;
}

async function startUas(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [uasScript, '--listen', 'udp://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
  return { proc, port: Number(/:(\d+)\s/.exec(chunk.toString())![1]) };
}

console.log(`node ${process.version}; ${SECONDS} s of calls per rate; UDP on loopback`);
const ours = await startUas();
const oursBest = await ladder('@ima/sip-core UAS', ours.port);
ours.proc.kill('SIGTERM');

const sippPort = await freePort();
const sippUas = spawn('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort), '-nostdin'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const sippBest = await ladder('SIPp uas', sippPort);
sippUas.kill('SIGTERM');

console.log(`highest rate with 0 failed: @ima/sip-core UAS ${oursBest.toFixed(0)} cps, SIPp uas ${sippBest.toFixed(0)} cps, ratio ${(oursBest / sippBest).toFixed(2)}`);
