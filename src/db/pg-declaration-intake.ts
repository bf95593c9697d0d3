import { GroupCommit, valuesList } from './group-commit.ts';
import type { PriorityPool } from './priority-pool.ts';
import type { DeclarationIntake, HeldDeclaration } from '../ports/declaration-intake.ts';

/**
 * Held declarations in `declare_request`, written with plain statements on the bot's pool: holding
 * one is on the ack's path, so it is one insert, not a Prisma call (see pg-delivery-log.ts), and
 * it takes the next free connection before any other work waiting (PriorityPool).
 */
export class PgDeclarationIntake implements DeclarationIntake {
  // Urgent (acks wait for it) and grouped: a burst of declarations makes a few inserts. Of two
  // holds of one key (a retried delivery), the first is kept.
  private readonly holds = new GroupCommit<[string, string, Date], void>(async (rows) => {
    await this.pool.urgentQuery(
      `INSERT INTO declare_request (declare_key, request, received_at) VALUES ${valuesList(rows.length, ['', '::jsonb', ''])} ON CONFLICT (declare_key) DO NOTHING`,
      rows.flat(),
    );
    return rows.map(() => undefined);
  });

  private readonly pool: PriorityPool;

  constructor(pool: PriorityPool) {
    this.pool = pool;
  }

  /** Resolves once the insert carrying it has committed, and fails with it. */
  hold(key: string, request: unknown, at: Date): Promise<void> {
    return this.holds.add([key, JSON.stringify(request), at]);
  }

  async release(key: string): Promise<void> {
    await this.pool.query('DELETE FROM declare_request WHERE declare_key = $1', [key]);
  }

  async unrecorded(before: Date, limit: number): Promise<HeldDeclaration[]> {
    const { rows } = await this.pool.query<{ declare_key: string; request: unknown; received_at: Date }>(
      `SELECT r.declare_key, r.request, r.received_at FROM declare_request r
        WHERE r.received_at < $1 AND NOT EXISTS (SELECT 1 FROM incident i WHERE i.declare_key = r.declare_key)
        ORDER BY r.received_at, r.declare_key LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => ({ key: r.declare_key, request: r.request, receivedAt: r.received_at }));
  }

  async prune(cutoff: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM declare_request r WHERE r.received_at < $1 OR EXISTS (SELECT 1 FROM incident i WHERE i.declare_key = r.declare_key)',
      [cutoff],
    );
    return rowCount ?? 0;
  }
}
