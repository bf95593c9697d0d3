// The provisioning lease is a fencing token for a step's timeline entry too: a run whose lease was
// taken over while it was writing records neither the step nor its entry (on the PostgreSQL server,
// where another connection can take the lease over mid-statement; PGlite has one connection).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { ProvisioningLeaseLost } from '../../src/ports/incident-store.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { declaring } from '../support/fixtures.ts';

for (const database of testDatabases().filter((d) => d.name === 'postgres')) {
  describe(`a provisioning step's entry and the lease (${database.name})`, () => {
    const env = useTestStore(database);

    test('a run that lost its lease mid-write records neither the channel nor its timeline entry', async () => {
      const store = env.store();
      const { incident } = await store.createIfAbsent(declaring());
      const now = new Date();
      const held = new Date(now.getTime() + 60_000);
      assert.ok(await store.claimProvisioning(incident.id, now, held));
      // Another run takes the lease over (it ran out meanwhile), in a transaction not yet committed.
      const other = new pg.Client({ connectionString: (env.db().pool as pg.Pool).options.connectionString });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('UPDATE incident SET provision_lock_until = $2 WHERE id = $1', [
          incident.id,
          new Date(now.getTime() + 120_000),
        ]);
        const write = store.recordProvisioning(
          incident.id,
          { channelId: 'CFENCED', channelName: 'inc-x' },
          held,
          held,
          {
            occurredAt: now,
            kind: 'channel_created',
            actorId: null,
            text: 'Channel #inc-x created',
          },
        );
        // The write waits on the row; the takeover commits.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await other.query('COMMIT');
        await assert.rejects(write, ProvisioningLeaseLost);
      } finally {
        await other.end();
      }
      const stored = (await store.findById(incident.id))!;
      assert.equal(stored.channelId, null, 'the step is not recorded');
      const entries = (await store.timeline(incident.id)).filter((e) => e.kind === 'channel_created');
      assert.deepEqual(entries, [], 'nor its timeline entry');
    });
  });
}
