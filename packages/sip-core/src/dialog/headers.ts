/**
 * Header lists the dialog layer builds: defaults the application may replace
 * (Max-Forwards, Contact, Allow, Supported, ...), and RFC 3262 declined: the
 * option tag 100rel never leaves in Supported or Require.
 */
import type { HeaderInit } from '../message/headers.js';

const COMPACT: Readonly<Record<string, string>> = { m: 'contact', k: 'supported', c: 'content-type', t: 'to', f: 'from', i: 'call-id', l: 'content-length' };

const key = (name: string): string => {
  const n = name.toLowerCase();
  return COMPACT[n] ?? n;
};

/**
 * `defaults` followed by `extra`, without the defaults whose header the
 * application gives itself; `100rel` is taken out of Supported and Require
 * (a header left empty by that is dropped).
 */
export function withDefaults(defaults: HeaderInit, extra: HeaderInit): Array<readonly [string, string]> {
  const given = new Set(extra.map(([n]) => key(n)));
  const out: Array<readonly [string, string]> = defaults.filter(([n]) => !given.has(key(n)));
  for (const [n, v] of extra) {
    const k = key(n);
    if (k === 'supported' || k === 'require') {
      const tags = v.split(',').map((x) => x.trim()).filter((x) => x !== '' && x.toLowerCase() !== '100rel');
      if (tags.length > 0) out.push([n, tags.join(', ')]);
    } else out.push([n, v]);
  }
  return out;
}
