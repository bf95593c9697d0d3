// Which databases the database tests run on: always an embedded PGlite, and the PostgreSQL server
// named by TEST_DATABASE_URL when set (.ci/run sets it to the machine's local server). Each test
// file gets its own scratch database on the server.
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
