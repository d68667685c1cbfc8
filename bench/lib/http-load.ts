import autocannon, { type Result } from 'autocannon';

export interface HttpLoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export function summarizeCannon(result: Result): HttpLoadResult {
  const seconds = result.duration;
  const requests = result.requests.total;
  return {
    requests,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(requests / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * autocannon as a library, awaited; the options are autocannon's own. `maxResponses` ends a run by
 * duration early once that many answers arrived (autocannon's `amount` would ignore the duration).
 */
export function cannon(opts: autocannon.Options, maxResponses = Number.POSITIVE_INFINITY): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err as Error) : resolve(result)));
    instance.on('error', reject);
    let responses = 0;
    if (Number.isFinite(maxResponses)) {
      instance.on('response', () => {
        if (++responses === maxResponses) instance.stop();
      });
    }
  });
}
