/**
 * A section as read so far: each field is its value, or undefined where the YAML was invalid
 * (and a problem was reported). Cross checks work on drafts, so that one bad field does not hide
 * the problems of its neighbours.
 */

/** `T` with every field possibly missing because it was invalid. */
export type Draft<T> = { [K in keyof T]: T[K] | undefined };

/** The complete value when no field of `draft` is missing. */
export function complete<T extends object>(draft: Draft<T>): T | undefined {
  return Object.values(draft).every((value) => value !== undefined) ? (draft as T) : undefined;
}
