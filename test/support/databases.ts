// Which databases the database tests run on: always an embedded PGlite, and the PostgreSQL server
// named by TEST_DATABASE_URL when set (.ci/run sets it to the machine's local server). Each test
// gets a database of its own: an in-memory PGlite, or a scratch database on the server. Both start
// migrated, as copies of the run's templates (test/support/templates.ts), unless asked empty.
import { after, before } from 'node:test';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { embeddedTemplate, serverTemplate } from './templates.ts';

export interface TestSetup {
  /** DATABASE_URL for the bot: null means embedded PGlite in memory. */
  url: string | null;
  /** With url null: the tarball the bot's embedded database starts from (openDatabase's embeddedTemplate); none when empty. */
  embeddedTemplate?: string;
  teardown(): Promise<void>;
}

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /**
   * A new database for one test or file: migrated (a copy of the template, which the bot's start
   * then finds up to date), or with `empty` as initdb or CREATE DATABASE leaves it.
   */
  setup(opts?: { empty?: boolean }): Promise<TestSetup>;
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: 'pglite',
      setup: async (opts) => ({
        url: null,
        ...(opts?.empty ? {} : { embeddedTemplate: await embeddedTemplate() }),
        teardown: async () => {},
      }),
    },
  ];
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    list.push({
      name: 'postgres',
      async setup(opts) {
        const template = opts?.empty ? undefined : await serverTemplate(server);
        const db = await createScratchDatabase(server, 'incident_bot_test', template ? { template } : {});
        return { url: db.url, teardown: () => db.drop() };
      },
    });
  } else if (process.env.CI) {
    throw new Error('CI must test on a real PostgreSQL server too: set TEST_DATABASE_URL');
  }
  return list;
}

/** openDatabase's options for a TestSetup (no data folder: in memory when embedded). */
export function openOptions(setup: TestSetup): Parameters<typeof openDatabase>[0] {
  return {
    url: setup.url,
    dataDir: null,
    ...(setup.embeddedTemplate ? { embeddedTemplate: setup.embeddedTemplate } : {}),
  };
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
    db = await openDatabase(openOptions(setup));
    store = new PrismaIncidentStore(db.prisma);
  });
  after(async () => {
    await db?.close();
    await teardown?.();
  });
  return { db: () => db!, store: () => store! };
}
