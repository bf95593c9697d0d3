// What the reminder queue's tests share (test/integration/reminder-queue.test.ts,
// test/jobs/pgboss-v10-upgrade.test.ts): the queue's dependencies with only the store, Slack, the
// clock and the logger real, and an open incident that is due an update reminder and nothing else.
import { randomUUID } from 'node:crypto';
import type { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Logger } from '../../src/logger.ts';
import type { ChatPlatform } from '../../src/ports/chat-platform.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { declaring, aDeclaration } from './fixtures.ts';
import { testDeps } from './deps.ts';

/** startReminderQueue's `deps`: what a reminder check uses is given, the rest refuses to be used (testDeps without a database). */
export function reminderQueueDeps(parts: {
  store: PrismaIncidentStore;
  chat: ChatPlatform;
  clock: Clock;
  logger: Logger;
}): Omit<ServiceDeps, 'reminders'> {
  const { reminders: _theQueues, ...deps } = testDeps(parts);
  return deps;
}

/**
 * An incident in its channel, with a commander (so only the update reminder applies), last updated
 * at `lastUpdateAt`; resolved then, with `resolved`.
 */
export async function aRemindableIncident(
  store: PrismaIncidentStore,
  opts: { lastUpdateAt: Date; resolved?: boolean },
): Promise<Incident> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Lab results delayed', severity: 'SEV1' }),
      declaredAt: opts.lastUpdateAt,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, { channelId: `C${randomUUID().slice(0, 8).toUpperCase()}` });
  const changed = await store.applyChange(
    incident.id,
    {
      lastUpdateAt: opts.lastUpdateAt,
      role: { role: 'COMMANDER', userId: 'UBOB', assignedBy: 'UALICE' },
      ...(opts.resolved ? { status: 'RESOLVED' as const, resolvedAt: opts.lastUpdateAt } : {}),
    },
    { occurredAt: opts.lastUpdateAt, kind: 'test_setup', actorId: null, text: 'set up for the test' },
  );
  return changed!;
}
