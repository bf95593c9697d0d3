import type { PrismaClient } from '../generated/prisma/client.ts';
import type { WebSession, WebSessionStore } from '../ports/web-sessions.ts';

/** The web view's sessions in table web_session (only the SHA-256 of each id). */
export class PrismaWebSessionStore implements WebSessionStore {
  private readonly prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.prisma = prisma;
  }

  async create(idHash: string, s: WebSession): Promise<void> {
    await this.prisma.webSession.create({ data: { idHash, ...s } });
  }

  async find(idHash: string, now: Date): Promise<WebSession | null> {
    const row = await this.prisma.webSession.findUnique({ where: { idHash } });
    if (!row || row.expiresAt <= now) return null;
    const { idHash: _, ...session } = row;
    return session;
  }

  async delete(idHash: string): Promise<void> {
    await this.prisma.webSession.deleteMany({ where: { idHash } });
  }

  async deleteForUser(userId: string): Promise<number> {
    return (await this.prisma.webSession.deleteMany({ where: { userId } })).count;
  }

  async touch(idHash: string, at: Date): Promise<void> {
    await this.prisma.webSession.updateMany({ where: { idHash }, data: { lastSeenAt: at } });
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.prisma.webSession.deleteMany({ where: { expiresAt: { lte: now } } })).count;
  }
}
