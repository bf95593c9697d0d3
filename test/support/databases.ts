// Which databases the database tests run on: always an embedded PGlite, and the PostgreSQL server
// named by TEST_DATABASE_URL when set (.ci/run sets it to the machine's local server). Each test
// file gets its own scratch database on the server.
import { after, before } from 'node:test';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** DATABASE_URL for the bot: null means embedded PGlite in memory. */
  setup(): Promise<{ url: string | null; teardown(): Promise<void> }>;
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: 'pglite', setup: async () => ({ url: null, teardown: async () => {} }) }];
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    list.push({
      name: 'postgres',
      async setup() {
        const db = await createScratchDatabase(server, 'incident_bot_test');
        return { url: db.url, teardown: () => db.drop() };
      },
    });
  } else if (process.env.CI) {
    throw new Error('CI must test on a real PostgreSQL server too: set TEST_DATABASE_URL');
  }
  return list;
}

/**
 * Inside a describe: opens the bot's database (migrated) on `database` before the tests and closes
 * it after. Returns getters, valid once the tests run.
 */
export function useTestStore(database: TestDatabase): { db: () => Database; store: () => PrismaIncidentStore } {
  let db: Database | undefined;
  let store: PrismaIncidentStore | undefined;
  let teardown: (() => Promise<void>) | undefined;
  before(async () => {
    const setup = await database.setup();
    teardown = setup.teardown;
    db = await openDatabase({ url: setup.url, dataDir: null });
    store = new PrismaIncidentStore(db.prisma);
  });
  after(async () => {
    await db?.close();
    await teardown?.();
  });
  return { db: () => db!, store: () => store! };
}
