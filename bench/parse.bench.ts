/**
 * pnpm bench:parse — parse, read what a proxy reads (top Via branch, From/To
 * tags, Call-ID, CSeq, Contact URI), and serialize three realistic messages,
 * with @ima/sip-core and with the npm `sip` package (0.0.6) side by side in
 * one process. Prints messages per second for each and the ratio.
 * Time is the process's CPU time (process.cpuUsage), not wall time: on a
 * shared machine the time spent waiting for a core would otherwise land on
 * whichever side happened to be running. Bounded: a fixed number of rounds of
 * a fixed CPU duration.
 */
import { parseMessage, serializeMessage, type SipUri } from '@ima/sip-core';
// @ts-expect-error the sip package ships no types
import sip from 'sip';
import { bye, invite, ok200 } from './messages.js';

type Op = (buf: Buffer) => number;

/** A proxy's own Via, put on top before sending in the BENCH_CHANGED table. */
const PROXY_VIA = 'SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK7a3c91e05d';
/** The same Via as the sip package holds it, made once (its stringify only reads it). */
const THEIR_PROXY_VIA = sip.parse(`OPTIONS sip:x SIP/2.0\r\nVia: ${PROXY_VIA}\r\n\r\n`).headers.via[0];

const oursWith = (isChanged: boolean): Op => (buf) => {
  const m = parseMessage(buf);
  let n = m.topVia!.branch!.length + (m.from.tag?.length ?? 0) + (m.to.tag?.length ?? 0) + m.callId.length + m.cseq.seq;
  const c = m.contact;
  if (c !== '*' && c.length > 0) n += (c[0]!.uri as SipUri).host.length;
  if (isChanged) m.headers.prepend('Via', PROXY_VIA);
  return n + serializeMessage(m).length;
};

const theirsWith = (isChanged: boolean): Op => (buf) => {
  const m = sip.parse(buf);
  const h = m.headers;
  let n = h.via[0].params.branch.length + (h.from.params.tag?.length ?? 0) + (h.to.params.tag?.length ?? 0) + h['call-id'].length + h.cseq.seq;
  if (h.contact && h.contact.length > 0) n += sip.parseUri(h.contact[0].uri).host.length;
  if (isChanged) h.via.unshift(THEIR_PROXY_VIA);
  // sip's transports send Buffer.from(stringify(m), 'binary'): the bytes, as serializeMessage gives them.
  return n + Buffer.from(sip.stringify(m), 'binary').length;
};

/** CPU microseconds this process has used: time spent descheduled on a busy machine does not count. */
function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Messages per second of CPU time, over batches of 200 until `ms` of CPU time have passed. */
function rate(op: Op, buf: Buffer, ms: number): number {
  let sink = 0;
  let n = 0;
  const start = cpuMicros();
  let used = 0;
  while (used < ms * 1000) {
    for (let i = 0; i < 200; i++) sink += op(buf);
    n += 200;
    used = cpuMicros() - start;
  }
  if (sink === -1) console.log('');
  return (n * 1e6) / used;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);

const MESSAGES = [['INVITE+SDP', invite], ['200 OK+SDP', ok200], ['BYE', bye]] as const;

/** One table: each message timed in interleaved rounds; returns the lowest of the ratios. */
function table(title: string, ours: Op, theirs: Op): number {
  // Both sides must understand the messages before they are timed.
  for (const [, buf] of MESSAGES) {
    ours(buf);
    theirs(buf);
  }
  console.log(title);
  console.log('message          bytes   @ima/sip-core        sip 0.0.6   ratio');
  let worst = Infinity;
  for (const [name, buf] of MESSAGES) {
    rate(ours, buf, 200);
    rate(theirs, buf, 200);
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    // Interleave rounds and compare each round with its neighbour, so that machine noise hits both sides alike.
    for (let r = 0; r < ROUNDS; r++) {
      a.push(rate(ours, buf, ROUND_MS));
      b.push(rate(theirs, buf, ROUND_MS));
      ratios.push(a[r]! / b[r]!);
    }
    const ratio = median(ratios);
    worst = Math.min(worst, ratio);
    console.log(
      `${name.padEnd(14)} ${String(buf.length).padStart(7)} ${median(a).toFixed(0).padStart(15)} ${median(b).toFixed(0).padStart(16)} ${ratio.toFixed(2).padStart(7)}x`,
    );
  }
  return worst;
}

console.log(`node ${process.version}; ${ROUNDS} rounds of ${ROUND_MS} ms of CPU time each; medians (messages per CPU second); ratio: median of the rounds' ratios`);
const worst = table('parse, read, serialize (the goal)', oursWith(false), theirsWith(false));
console.log(`lowest ratio: ${worst.toFixed(2)}x (goal: 3x)`);
// Informative, not the goal: a proxy changes what it forwards, so the message is rendered again rather than sent as received.
if (process.env.BENCH_CHANGED === '1') {
  const changed = table('\nparse, read, put a proxy Via on top, serialize (BENCH_CHANGED=1; not the goal)', oursWith(true), theirsWith(true));
  console.log(`lowest ratio after a change: ${changed.toFixed(2)}x`);
}
