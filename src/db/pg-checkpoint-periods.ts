import type pg from 'pg';
import type { CheckpointPeriods } from '../ports/checkpoint-periods.ts';

/**
 * `audit_checkpoint_period`, one row per scheduled period. The lease is measured on the database's
 * clock, which every replica shares. Plain statements on the bot's pool (unnamed: see PgDeliveryLog).
 */
export class PgCheckpointPeriods implements CheckpointPeriods {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async claim(periodStart: Date, leaseMs: number): Promise<boolean> {
    // One statement: of replicas claiming at once exactly one gets a row back.
    const { rows } = await this.pool.query(
      `INSERT INTO audit_checkpoint_period (period_start, claimed_until) VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (period_start) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
        WHERE audit_checkpoint_period.written_at IS NULL AND audit_checkpoint_period.claimed_until <= now()
       RETURNING period_start`,
      [periodStart, leaseMs],
    );
    return rows.length === 1;
  }

  async markWritten(periodStart: Date): Promise<void> {
    await this.pool.query('UPDATE audit_checkpoint_period SET written_at = now() WHERE period_start = $1', [
      periodStart,
    ]);
  }

  async release(periodStart: Date): Promise<void> {
    await this.pool.query(
      "UPDATE audit_checkpoint_period SET claimed_until = 'epoch' WHERE period_start = $1 AND written_at IS NULL",
      [periodStart],
    );
  }

  async isWritten(periodStart: Date): Promise<boolean> {
    const { rows } = await this.pool.query(
      'SELECT 1 FROM audit_checkpoint_period WHERE period_start = $1 AND written_at IS NOT NULL',
      [periodStart],
    );
    return rows.length > 0;
  }
}
