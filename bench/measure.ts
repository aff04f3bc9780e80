// Timing with tinybench: one Bench per task, with an iteration budget fitted to
// the task's cost (probed by one untimed run). Setup stays outside the timed
// function; medians, not means.

import { Bench } from 'tinybench';

/** How long and how often to time one task. */
export interface Budget {
  /** Minimum timed runs. */
  iterations: number;
  /** Minimum total time in ms (runs continue until both are met). */
  time: number;
  /** Untimed runs first (JIT, page faults). */
  warmupIterations: number;
}

/** A budget that fits a task of about `expectedMs` per run. */
export function budgetFor(expectedMs: number): Budget {
  if (expectedMs > 3_000) return { iterations: 2, time: 0, warmupIterations: 0 };
  if (expectedMs > 300) return { iterations: 5, time: 0, warmupIterations: 1 };
  if (expectedMs > 20) return { iterations: 15, time: 300, warmupIterations: 3 };
  return { iterations: 50, time: 300, warmupIterations: 10 };
}

/** The median run time of `task` in milliseconds, under `budget`. */
export async function medianMs(name: string, task: () => unknown, budget: Budget): Promise<number> {
  const bench = new Bench({
    name,
    iterations: budget.iterations,
    time: budget.time,
    warmupIterations: budget.warmupIterations,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, task);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
  return result.latency.p50;
}

/** Runs `task` (synchronous, or returning a promise) once untimed to learn its cost, then returns its median under a fitting budget. */
export async function probeAndMeasure(name: string, task: () => unknown): Promise<number> {
  const start = performance.now();
  await task();
  return medianMs(name, task, budgetFor(performance.now() - start));
}
