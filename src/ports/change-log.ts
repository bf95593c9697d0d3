import type { ChangeEvent, NewChangeEvent } from '../domain/changes.ts';

/** Changes to production as received (POST /changes, GitHub webhooks): the database in production. */
export interface ChangeLog {
  /**
   * Records the change unless one with its `sourceKey` is recorded already (a redelivery): either
   * way the stored change, and whether this call created it.
   */
  record(change: NewChangeEvent, receivedAt: Date): Promise<{ change: ChangeEvent; created: boolean }>;
  /**
   * Changes to any of `services` (catalog names, or the names senders gave) or `systems`, in any case, that
   * occurred in [from, to), newest first, at most `limit`.
   */
  changesTo(q: {
    services: readonly string[];
    systems: readonly string[];
    from: Date;
    to: Date;
    limit: number;
  }): Promise<ChangeEvent[]>;
  /** Marks a change as landed during a freeze without an override (`flagged`), or let through by `overrideId`. */
  markFreeze(id: string, mark: { flagged: boolean; overrideId: string | null }): Promise<ChangeEvent>;
}
