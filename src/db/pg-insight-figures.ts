import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { InsightFigures } from '../ports/insight-figures.ts';

/** The insights' figures in SQL (see ports/insight-figures.ts). */
export class PgInsightFigures implements InsightFigures {
  protected readonly prisma: PrismaClient;
  protected readonly pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.prisma = prisma;
    this.pool = pool;
  }
}
