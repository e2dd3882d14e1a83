/**
 * The one benchmark harness every area adds to. A suite measures its figures
 * and, where the issue asks for it, a reference in the same run, so results
 * are read as ratios rather than absolute times that vary by machine.
 */

/** One measured figure. `ref` is the reference measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same figure for the reference implementation, measured in this run. */
  ref?: number;
  /** value / ref (computed by the harness when `ref` is given). */
  ratio?: number;
  /** The goal in words, e.g. "<= 2 ms" (shown in the table). */
  goal?: string;
}

export interface BenchSuite {
  /** Short name used on the command line: `deno task bench tui`. */
  name: string;
  description: string;
  run(report: (result: BenchResult) => void): Promise<void>;
}
