/**
 * How much work after Slack's acks runs at once. A burst of requests (fifty `/incident declare`s in
 * a second) otherwise starts fifty declarations side by side, each a few dozen queries and Web API
 * calls, and the event loop that must answer the next request within Slack's 3 s is shared by all
 * of them: acks slow down while nothing finishes sooner (the database and Slack's rate limits are
 * the bottleneck, not the number of runs). Work beyond the limit waits its turn, first come first
 * served; waiting work is still in flight for shutdown, which drains it.
 */
export class WorkLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  }

  /** Runs `work` once fewer than `concurrency` runs are going; its result or error is passed on. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot goes straight to the next in line (running stays the same), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Runs going now and runs waiting for a slot (for metrics and tests). */
  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
