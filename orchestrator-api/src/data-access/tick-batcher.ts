/** One caller's part of a batch: its item, and how to settle its own promise. */
export interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects the calls made within one event-loop turn (concurrent records reach the same step in the
 * same turn) and hands them to `dispatch` together, so many callers share one request. `dispatch`
 * settles each caller with its own item's outcome; if it throws, every caller it left gets that error.
 */
export class TickBatcher<I, R> {
  private pending: Pending<I, R>[] = [];

  constructor(
    private readonly dispatch: (batch: Pending<I, R>[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // Settling a promise twice is a no-op, so callers dispatch already settled keep their outcome.
    if (batch.length > 0) this.dispatch(batch).catch((err: unknown) => batch.forEach((p) => p.reject(err)));
  }
}
