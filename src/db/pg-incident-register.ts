import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { IncidentRegister } from '../ports/incident-register.ts';

/** The incident register in SQL (see ports/incident-register.ts). */
export class PgIncidentRegister implements IncidentRegister {
  protected readonly prisma: PrismaClient;
  protected readonly pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.prisma = prisma;
    this.pool = pool;
  }
}
