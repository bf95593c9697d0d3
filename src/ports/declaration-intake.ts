/**
 * Declarations held from before their ack until their incident is recorded, shared by every
 * replica, so that a declaration Slack was told about survives a crash in between.
 */
export interface HeldDeclaration {
  key: string;
  /** The request as held (the service checks it again before use). */
  request: unknown;
  receivedAt: Date;
}

export interface DeclarationIntake {
  /** Holds a declaration by its key (its incident's declare key); holding a key again keeps the first. */
  hold(key: string, request: unknown, at: Date): Promise<void>;
  /** Settled: its incident is recorded, or it can never be (bad input). */
  release(key: string): Promise<void>;
  /** Held declarations received before `before` with no incident by their key, oldest first. */
  unrecorded(before: Date, limit: number): Promise<HeldDeclaration[]>;
  /** Deletes the held declarations whose incident exists, and any received before `cutoff`; how many. */
  prune(cutoff: Date): Promise<number>;
}
