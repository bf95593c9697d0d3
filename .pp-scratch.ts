import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '/work/main/src/generated/prisma/client.ts';
const pool = new pg.Pool({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
for (const d of [new Date('0000-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z')]) {
  try { console.log(await prisma.$queryRaw`select ${d}::timestamptz as t, ${'ffffffff-ffff-ffff-ffff-ffffffffffff'}::uuid as u`); } catch (e) { console.log('ERR', (e as Error).message.slice(0,300), (e as any).code); }
}
await prisma.$disconnect();
