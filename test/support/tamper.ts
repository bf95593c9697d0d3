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
