/** Keeps count of work still running after Slack was answered: shutdown and tests wait for it. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track = <T>(work: Promise<T>): Promise<T> => {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  };

  get size(): number {
    return this.running.size;
  }

  /** Resolves when nothing is running (including work started while waiting). */
  async idle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running]);
    }
  }
}
