/**
 * Which scheduled audit checkpoints are taken, shared by every replica: a period is claimed by one
 * replica at a time (compare-and-set with a lease), and once written it is never taken again.
 */
export interface CheckpointPeriods {
  /** True when this caller now holds the period: it is not written, and no other claim is live. */
  claim(periodStart: Date, leaseMs: number): Promise<boolean>;
  markWritten(periodStart: Date): Promise<void>;
  /** Gives a claim up (the checkpoint failed): the next attempt, here or elsewhere, may claim it at once. */
  release(periodStart: Date): Promise<void>;
  isWritten(periodStart: Date): Promise<boolean>;
}
