import type pg from 'pg';
import type { WellbeingAlertKey, WellbeingAlertKind, WellbeingAlerts } from '../ports/wellbeing-alerts.ts';

/**
 * Each key once, in a stable order: concurrent claims of overlapping keys take their row locks in the
 * same order (no deadlock), and ON CONFLICT DO UPDATE may not meet one key twice in a statement.
 */
function sorted(keys: readonly WellbeingAlertKey[]): WellbeingAlertKey[] {
  const k = (x: WellbeingAlertKey) => [x.kind, x.subject, x.period, x.recipient];
  const unique = new Map(keys.map((x) => [k(x).join('\u0000'), x]));
  return [...unique.values()].sort((a, b) => {
    const ka = k(a);
    const kb = k(b);
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

const columns = (keys: readonly WellbeingAlertKey[]) => [
  keys.map((x) => x.kind),
  keys.map((x) => x.subject),
  keys.map((x) => x.period),
  keys.map((x) => x.recipient),
];

/**
 * wellbeing_alert through the pg pool: a claim is INSERT … ON CONFLICT, so of replicas claiming
 * the same key at once exactly one gets its row back (PostgreSQL makes the others wait for it and
 * then skip it); PGlite serialises the statements.
 */
export class PgWellbeingAlerts implements WellbeingAlerts {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async claim(keys: readonly WellbeingAlertKey[], at: Date, staleBefore: Date): Promise<WellbeingAlertKey[]> {
    if (!keys.length) return [];
    const { rows } = await this.pool.query<{ kind: string; subject: string; period: string; recipient: string }>({
      text: `INSERT INTO wellbeing_alert (kind, subject, period, recipient, claimed_at)
               SELECT k.kind, k.subject, k.period, k.recipient, $5
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(kind, subject, period, recipient, n)
                ORDER BY k.n
             ON CONFLICT (kind, subject, period, recipient) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
               WHERE wellbeing_alert.settled_at IS NULL AND wellbeing_alert.claimed_at < $6
             RETURNING kind, subject, period, recipient`,
      values: [...columns(sorted(keys)), at, staleBefore],
    });
    return sorted(
      rows.map((r) => ({
        kind: r.kind as WellbeingAlertKind,
        subject: r.subject,
        period: r.period,
        recipient: r.recipient,
      })),
    );
  }

  async release(keys: readonly WellbeingAlertKey[], claimedAt: Date): Promise<void> {
    if (!keys.length) return;
    await this.pool.query({
      text: `DELETE FROM wellbeing_alert a
               USING unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(kind, subject, period, recipient)
              WHERE a.kind = k.kind AND a.subject = k.subject AND a.period = k.period AND a.recipient = k.recipient
                AND a.claimed_at = $5 AND a.settled_at IS NULL`,
      values: [...columns(keys), claimedAt],
    });
  }

  async settle(keys: readonly WellbeingAlertKey[], claimedAt: Date, at: Date, failure: string | null): Promise<void> {
    if (!keys.length) return;
    await this.pool.query({
      text: `UPDATE wellbeing_alert a SET settled_at = $6, failure = $7
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(kind, subject, period, recipient)
              WHERE a.kind = k.kind AND a.subject = k.subject AND a.period = k.period AND a.recipient = k.recipient
                AND a.claimed_at = $5 AND a.settled_at IS NULL`,
      values: [...columns(keys), claimedAt, at, failure],
    });
  }
}
