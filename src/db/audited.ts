import { currentActor, type AuditActor } from '../audit-context.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

type Tx = Prisma.TransactionClient;

/**
 * Prisma's defaults (2 s to get a connection, 5 s to finish) are too short for the embedded
 * database, which has one connection: under a burst of declares a write waits its turn rather than
 * fail. The transactions themselves are a few short statements.
 */
const TRANSACTION_OPTIONS = { maxWait: 20_000, timeout: 20_000 };

/** Tells the audit triggers, for the rest of this transaction, who is acting and through what. */
async function tellAuditTrail(tx: Tx, who: AuditActor): Promise<void> {
  await tx.$executeRaw`SELECT set_config('incident_bot.actor', ${who.actor}, true), set_config('incident_bot.via', ${who.via}, true)`;
}

/**
 * Runs `fn` in one transaction in which the audit trail records the current actor (src/audit-context.ts)
 * for every change it makes. Every write to an incident's records goes through here or `audited`.
 */
export async function auditedTransaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const who = currentActor();
  return prisma.$transaction(async (tx) => {
    if (who) await tellAuditTrail(tx, who);
    return fn(tx);
  }, TRANSACTION_OPTIONS);
}

/**
 * A write (one statement or several) attributed to the current actor. Without one it runs as it is,
 * and the audit trail records the change as the bot's own: no transaction is needed for that.
 */
export async function audited<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return currentActor() ? auditedTransaction(prisma, fn) : fn(prisma);
}
