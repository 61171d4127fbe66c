/**
 * Number normalisation and matching.
 *
 * A real PBX presents the same caller in several shapes: +E.164, national with a leading 0,
 * an internal extension, or with an outside-line access code in front. The numbering plan in
 * the directory says how to bring each shape to one canonical form, so that a whitelist entry
 * written as "+39021234567" matches a caller presenting "021234567" when the plan says national
 * numbers are Italian. docs/policy.md walks through the rules with examples.
 */

/** How the PBX presents numbers, and how to turn them into a canonical form. */
export interface NumberingPlan {
  /** Country calling code of national numbers, digits only ("39"); absent: national numbers stay as presented. */
  readonly countryCode?: string;
  /** Trunk prefix dropped before the country code is added ("0" in France or Germany); absent in Italy, where the 0 belongs to the number. */
  readonly trunkPrefix?: string;
  /** What callers dial before an international number ("00"). */
  readonly internationalPrefix: string;
  /** Outside-line access codes the PBX may leave in front of an external number ("9"), tried in order. */
  readonly accessCodes: readonly string[];
  /** Numbers of at most this many digits are internal extensions and are never rewritten. */
  readonly extensionMaxLength: number;
}

/** The plan used when the directory gives none: extensions up to 6 digits, "00" for abroad, no country. */
export const DEFAULT_NUMBERING_PLAN: NumberingPlan = {
  internationalPrefix: '00',
  accessCodes: [],
  extensionMaxLength: 6,
};

const SEPARATORS = /[\s\-.()/]/g;
const DIALLABLE = /^\+?\d{1,32}$/;

/** Removes the visual separators people put in numbers ("+39 02-123.45 67"). */
export function cleanNumber(raw: string): string {
  return raw.replace(SEPARATORS, '');
}

/** True when `raw`, once cleaned, is a diallable number: digits with an optional leading "+". */
export function isDiallable(raw: string): boolean {
  return DIALLABLE.test(cleanNumber(raw));
}

/** Drops the first access code that leaves more than an extension behind. */
function stripAccessCode(digits: string, plan: NumberingPlan): string {
  for (const code of plan.accessCodes) {
    // An extension may begin with the access code digit: strip only when an external number remains.
    if (digits.startsWith(code) && digits.length - code.length > plan.extensionMaxLength) {
      return digits.slice(code.length);
    }
  }
  return digits;
}

/**
 * The canonical form of a number: "+E.164" for external numbers the plan can place, the bare
 * digits for extensions and for national numbers when the plan has no country code.
 * Something that is not a number at all ("anonymous") comes back cleaned and otherwise unchanged.
 */
export function normaliseNumber(raw: string, plan: NumberingPlan): string {
  const cleaned = cleanNumber(raw);
  if (!DIALLABLE.test(cleaned) || cleaned.startsWith('+')) return cleaned;
  const digits = stripAccessCode(cleaned, plan);
  if (digits.length <= plan.extensionMaxLength) return digits;
  if (digits.startsWith(plan.internationalPrefix)) return `+${digits.slice(plan.internationalPrefix.length)}`;
  if (plan.countryCode === undefined) return digits;
  const trunk = plan.trunkPrefix;
  const national = trunk !== undefined && digits.startsWith(trunk) ? digits.slice(trunk.length) : digits;
  return `+${plan.countryCode}${national}`;
}

/**
 * The canonical key of a list pattern, or undefined when the pattern is not valid.
 * An exact pattern is normalised like a caller. A prefix pattern ("3*", "+3902*") keeps its
 * digits as written, except that an international prefix becomes "+": a short prefix cannot be
 * told apart from an extension, so it is compared with the caller as presented too (see {@link callerKeys}).
 */
export function canonicalPattern(raw: string, plan: NumberingPlan): string | undefined {
  const cleaned = cleanNumber(raw);
  if (!cleaned.endsWith('*')) return DIALLABLE.test(cleaned) ? normaliseNumber(cleaned, plan) : undefined;
  const body = cleaned.slice(0, -1);
  if (!DIALLABLE.test(body)) return undefined;
  const intl = plan.internationalPrefix;
  const head = body.startsWith(intl) && body.length > intl.length ? `+${body.slice(intl.length)}` : body;
  return `${head}*`;
}

/**
 * The forms of a caller's number that list patterns are compared with: the canonical form
 * first, then the number as presented (separators and access code removed) when it differs.
 */
export function callerKeys(raw: string, plan: NumberingPlan): readonly [string, ...string[]] {
  const canonical = normaliseNumber(raw, plan);
  const cleaned = cleanNumber(raw);
  const presented = DIALLABLE.test(cleaned) ? stripAccessCode(cleaned, plan) : cleaned;
  return presented === canonical ? [canonical] : [canonical, presented];
}
