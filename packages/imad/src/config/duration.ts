/**
 * Durations as the YAML writes them: `20s`, `500ms`, `2m`, `1h`, combinations from the largest
 * unit down (`1m30s`), and the bare number `0` (off).
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ['h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|h|m|s)/y;

/** The milliseconds `text` stands for, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let lastRank = -1;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    const unit = match[2] as Unit;
    const rank = ORDER.indexOf(unit);
    // Each unit at most once, largest first: "30s1m" is a slip, not a duration.
    if (rank <= lastRank) return undefined;
    lastRank = rank;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest canonical text of `ms` (a whole, non-negative number): 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  if (ms === 0) return '0';
  let rest = ms;
  let text = '';
  for (const unit of ORDER) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return text;
}
