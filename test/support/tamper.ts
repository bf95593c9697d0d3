import type pg from 'pg';

/**
 * Runs SQL as someone with direct database access who wants to rewrite history: with triggers off
 * (session_replication_role = replica), so the audit trail's append-only guard does not stop it.
 * Returns the number of rows the statement touched.
 */
export async function tamper(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    const { rowCount } = await client.query(sql, params);
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * What a database owner who wants a chain to verify after an edit does: with triggers off, changes
 * an incident's records and their audit entries (`edit`, on one connection in one transaction), then
 * recomputes every hash of the incident's chain from its first entry, and its head, exactly as the
 * audit trigger would (src/domain/audit-chain.ts). `audit:verify` alone then finds nothing.
 */
export async function rewriteChain(
  pool: pg.Pool,
  incidentId: string,
  edit: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  const { canonicalEntry, chainHash, GENESIS_HASH } = await import('../../src/domain/audit-chain.ts');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    await edit(client);
    const { rows } = await client.query<{
      id: string;
      seq: number;
      at_text: string;
      actor: string;
      via: string;
      action: string;
      row_key: string;
      before_text: string | null;
      after_text: string | null;
      db_role: string | null;
      claimed_actor: string | null;
    }>(
      `SELECT id::text, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text, actor, via, action, row_key,
              before::text AS before_text, after::text AS after_text, db_role, claimed_actor
         FROM audit_entry WHERE incident_id = $1 ORDER BY seq`,
      [incidentId],
    );
    let prev = GENESIS_HASH;
    for (const r of rows) {
      const hash = chainHash(
        prev,
        canonicalEntry({
          incidentId,
          seq: r.seq,
          atText: r.at_text,
          actor: r.actor,
          via: r.via,
          action: r.action,
          rowKey: r.row_key,
          beforeText: r.before_text,
          afterText: r.after_text,
          dbRole: r.db_role,
          claimedActor: r.claimed_actor,
        }),
      );
      await client.query('UPDATE audit_entry SET prev_hash = $2, hash = $3 WHERE id = $1', [r.id, prev, hash]);
      prev = hash;
    }
    await client.query('UPDATE audit_head SET seq = $2, hash = $3 WHERE incident_id = $1', [
      incidentId,
      rows.at(-1)?.seq ?? 0,
      prev,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
