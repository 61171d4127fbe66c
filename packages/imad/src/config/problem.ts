/**
 * A problem found in a configuration file, with where it is. `imad check` prints each as
 * `FILE:LINE:COL: message`.
 */

/** One problem; `line` and `column` are 1-based, or 0 when the problem is with the whole file. */
export interface ConfigProblem {
  readonly line: number;
  readonly column: number;
  /** Where in the YAML shape: `managers[0].targets.desk`, or '' for the whole file. */
  readonly path: string;
  /** What is wrong, saying how to fix it where it can (already prefixed with the path). */
  readonly message: string;
}

/** `FILE:LINE:COL: message`, or `FILE: message` for a problem with the whole file. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  return problem.line > 0 ? `${file}:${problem.line}:${problem.column}: ${problem.message}` : `${file}: ${problem.message}`;
}

/** Problems in reading order: by line, then column. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
