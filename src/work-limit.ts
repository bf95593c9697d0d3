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
  private answering = 0;
  private readonly answered: (() => void)[] = [];

  readonly concurrency: number;
  readonly maxYieldMs: number;

  /**
   * `maxYieldMs`: how long a run about to start waits for requests being answered (below); past
   * it, it starts anyway, so a steady stream of requests cannot hold work off for ever.
   */
  constructor(concurrency: number, maxYieldMs = 200) {
    this.concurrency = concurrency;
    this.maxYieldMs = maxYieldMs;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  }

  /**
   * A request has come in and is not answered yet: runs about to start wait until no request is
   * (acks first: an ack waiting for the database must not queue behind a run's transaction that
   * started meanwhile). Returns the end of it, to call when Slack is answered (more calls are
   * ignored).
   */
  beginAnswering(): () => void {
    this.answering++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.answering === 0) for (const resume of this.answered.splice(0)) resume();
    };
  }

  /** Runs `work` once fewer than `concurrency` runs are going; its result or error is passed on. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      await this.yieldToAnswers();
      return await work();
    } finally {
      // The slot goes straight to the next in line (running stays the same), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private yieldToAnswers(): Promise<void> | void {
    if (this.answering === 0) return;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resume, this.maxYieldMs);
      function resume() {
        clearTimeout(timer);
        resolve();
      }
      this.answered.push(resume);
    });
  }

  /** Runs going now (their slot taken), runs waiting for a slot, requests not answered yet (for tests). */
  get stats(): { running: number; waiting: number; answering: number } {
    return { running: this.running, waiting: this.waiting.length, answering: this.answering };
  }
}
