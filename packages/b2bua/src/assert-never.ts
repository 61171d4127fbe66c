/** Exhaustiveness: a switch over a union that reaches here has missed a case (a compile error first). */
export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}
