// The bot's start on a database whose schema is current: one query against _prisma_migrations
// decides it, and no schema engine (nor a migration process) is started. On the embedded database
// and on the PostgreSQL server; the first start on an empty database, which does migrate, is
// tested in test/db/migrate-on-start.test.ts, test/db/embedded.test.ts and test/db/migrations.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { schemaEngineStarts } from '../../src/db/migrate.ts';
import { migrationChecks } from '../../src/db/roles.ts';
import { openOptions, testDatabases } from '../support/databases.ts';

for (const database of testDatabases()) {
  describe(`start-up on a current schema (${database.name})`, () => {
    for (const migrate of [true, 'check'] as const) {
      test(`migrate ${migrate}: one query against _prisma_migrations, no schema engine`, async () => {
        const setup = await database.setup();
        try {
          const queries = migrationChecks.queries;
          const engines = schemaEngineStarts.count;
          const db = await openDatabase({ ...openOptions(setup), migrate });
          try {
            assert.deepEqual(db.applied, []);
            assert.equal(migrationChecks.queries - queries, 1, 'one query decides it');
            assert.equal(schemaEngineStarts.count - engines, 0, 'no schema engine started');
            // The database works: the schema was current.
            assert.deepEqual(await db.prisma.$queryRaw`SELECT count(*)::int AS n FROM incident`, [{ n: 0 }]);
          } finally {
            await db.close();
          }
        } finally {
          await setup.teardown();
        }
      });
    }

    test('an empty database: the catalog is asked too, and the start migrates it', async () => {
      const setup = await database.setup({ empty: true });
      try {
        const queries = migrationChecks.queries;
        const engines = schemaEngineStarts.count;
        const db = await openDatabase({ ...openOptions(setup), migrate: 'check' }).catch((err: unknown) => err);
        // MIGRATE_ON_START=false on an empty database: refused, after the table was found missing.
        assert.ok(db instanceof Error && /Database migrations are pending/.test(db.message));
        assert.equal(migrationChecks.queries - queries, 2);
        assert.equal(schemaEngineStarts.count - engines, 0);
      } finally {
        await setup.teardown();
      }
    });
  });
}
