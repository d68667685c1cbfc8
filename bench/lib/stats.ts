/** Nearest-rank percentile of an already sorted array (ms values); NaN for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b, 2) : Number.NaN;
}

/**
 * Runs `task` from `concurrency` closed-loop workers until `total` tasks are done or `durationMs` has
 * passed (whichever comes first); returns the rate over the time actually spent. A task error stops
 * every worker and is rethrown: a benchmark figure reached with failures is not a figure.
 */
export async function closedLoop(opts: {
  concurrency: number;
  total?: number;
  durationMs?: number;
  task: (i: number) => Promise<void>;
}): Promise<{ done: number; seconds: number; perSecond: number; latencies: number[] }> {
  const total = opts.total ?? Number.POSITIVE_INFINITY;
  const deadline = opts.durationMs ? performance.now() + opts.durationMs : Number.POSITIVE_INFINITY;
  let next = 0;
  let done = 0;
  let failed: unknown;
  const latencies: number[] = [];
  const started = performance.now();
  const worker = async () => {
    while (failed === undefined && next < total && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await opts.task(i);
      } catch (err) {
        failed ??= err;
        return;
      }
      latencies.push(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  if (failed !== undefined) throw failed;
  const seconds = (performance.now() - started) / 1000;
  return { done, seconds: round(seconds, 2), perSecond: round(done / seconds, 0), latencies };
}
