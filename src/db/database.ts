import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { applyMigrations } from './migrate.ts';

export interface Database {
  prisma: PrismaClient;
  url: string;
  /** Where the data lives, for logs: `embedded PGlite in ./data` or the server's host. */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens the bot's database: the PostgreSQL server at `url`, or without one an embedded PGlite
 * keeping its data in `dataDir` (null: in memory). Applies the committed migrations first.
 */
export async function openDatabase(opts: { url: string | null; dataDir: string | null }): Promise<Database> {
  const embedded = opts.url ? null : await startEmbeddedPostgres(opts.dataDir);
  const url = opts.url ?? embedded!.url;
  try {
    await applyMigrations(url);
    // PGlite is a single Postgres session and its socket server interleaves the extended-protocol
    // messages of concurrent connections (seen: "bind message supplies 2 parameters, but prepared
    // statement requires 3" under 5 concurrent declares), so the embedded database gets one connection.
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: embedded ? 1 : 10 }) });
    await prisma.$connect();
    return {
      prisma,
      url,
      description: embedded ? `embedded PGlite${opts.dataDir ? ` in ${opts.dataDir}` : ' in memory'}` : new URL(url).host,
      async close() {
        await prisma.$disconnect();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
