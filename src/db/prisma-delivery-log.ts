import type { PrismaClient } from '../generated/prisma/client.ts';
import type { DeliveryLog } from '../ports/delivery-log.ts';

/** The handled Slack deliveries in `slack_delivery` (key primary key, received_at indexed). */
export class PrismaDeliveryLog implements DeliveryLog {
  constructor(private readonly prisma: PrismaClient) {}

  async record(key: string, at: Date): Promise<boolean> {
    // INSERT … ON CONFLICT DO NOTHING: of two replicas handling the same key, exactly one inserts.
    const { count } = await this.prisma.slackDelivery.createMany({ data: [{ key, receivedAt: at }], skipDuplicates: true });
    return count === 1;
  }

  async forget(key: string): Promise<void> {
    await this.prisma.slackDelivery.deleteMany({ where: { key } });
  }

  async pruneBefore(cutoff: Date): Promise<number> {
    const { count } = await this.prisma.slackDelivery.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return count;
  }
}
