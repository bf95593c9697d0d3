import type { Prisma } from '../generated/prisma/client.ts';

export type Numbered = 'incident' | 'action_item';

/**
 * The next incident or action item number, taken inside the transaction that inserts the record:
 * the counter's row stays locked until that transaction ends, so inserts take their turn here, and a
 * transaction that rolls back gives its number back. Numbers then have no gaps, and a missing one
 * is a record erased behind the audit trail (npm run audit:verify reports it).
 */
export async function nextNumber(tx: Prisma.TransactionClient, name: Numbered): Promise<number> {
  const rows = await tx.$queryRaw<
    { last: number }[]
  >`UPDATE number_counter SET last = last + 1 WHERE name = ${name} RETURNING last`;
  if (!rows[0]) throw new Error(`number_counter has no ${name} row: apply the migrations`);
  return rows[0].last;
}
