import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { applyMigrationsInWorker, diffMigrationsToSchemaInWorker, readMigrations } from '../../src/db/migrate.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { emptyEmbeddedTemplate } from '../support/templates.ts';
import { testDatabases } from '../support/databases.ts';

describe('migrations', () => {
  test('are committed', () => {
    const m = readMigrations();
    assert.ok(m.migrationDirectories.length > 0);
    assert.equal(m.lockfile.content?.trim(), 'provider = "postgresql"');
  });

  for (const database of testDatabases()) {
    test(`apply once, then are a no-op (${database.name})`, async () => {
      const scratch =
        database.name === 'pglite'
          ? await startEmbeddedPostgres(null, { template: await emptyEmbeddedTemplate() })
          : null;
      const db = scratch ? { url: scratch.url, teardown: () => scratch.stop() } : await database.setup({ empty: true });
      try {
        const first = await applyMigrationsInWorker(db.url!);
        assert.deepEqual(
          first,
          readMigrations().migrationDirectories.map((d) => d.path),
        );
        assert.deepEqual(await applyMigrationsInWorker(db.url!), []);
        const client = new pg.Client({ connectionString: db.url! });
        await client.connect();
        try {
          const { rows } = await client.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
          );
          assert.deepEqual(
            rows.map((r) => r.table_name),
            [
              '_prisma_migrations',
              'action_item',
              'audit_checkpoint_period',
              'audit_entry',
              'audit_head',
              'audit_settings',
              'breach_assessment',
              'breach_notification',
              'breach_obligation_notice',
              'breach_year_end_notice',
              'change_event',
              'change_freeze',
              'clinical_hazard',
              'clinical_signoff',
              'declare_request',
              'evidence_download',
              'freeze_override',
              'incident',
              // Derived from the timeline by the database (its trigger): not on the audit trail.
              'incident_durations',
              'incident_review',
              'incident_role',
              'number_counter',
              'pagerduty_link',
              'pd_page',
              'pd_person',
              'pd_scope',
              'pd_stretch',
              'pd_sync_window',
              'slack_delivery',
              'summary_redraw',
              'timeline_entry',
              'tracker_delivery',
              'tracker_link',
              'web_session',
              'wellbeing_alert',
            ],
          );
        } finally {
          await client.end();
        }
      } finally {
        await db.teardown();
      }
    });
  }

  // The schema engine's reader does not understand PGlite's Postgres 17 catalogs, so this check needs
  // the PostgreSQL server (CI always has it; see test/support/databases.ts).
  test('match prisma/schema.prisma (no schema change without a migration)', async (t) => {
    const server = process.env.TEST_DATABASE_URL;
    if (!server) return t.skip('set TEST_DATABASE_URL to a PostgreSQL server to run this check');
    const scratch = await createScratchDatabase(server, 'incident_bot_diff');
    try {
      const sql = await diffMigrationsToSchemaInWorker(scratch.url);
      assert.equal(
        sql,
        '',
        `prisma/schema.prisma differs from the committed migrations; run npm run db:new-migration -- <name>. Missing SQL:\n${sql}`,
      );
    } finally {
      await scratch.drop();
    }
  });
});
