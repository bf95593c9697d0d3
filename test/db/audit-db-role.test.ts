import { randomUUID } from 'node:crypto';
// Who the database says made each change, on both databases: every entry records its session's role
// (db_role) under the hash; the claimed actor (incident_bot.actor) is believed only from the bot's
// recorded role; the TypeScript canonical text is the database's own, byte for byte; entries written
// before roles were recorded keep verifying after the upgrade; TRUNCATE cannot empty an audited
// table without a trace; the audit trigger cannot be attached to a look-alike table.
// Separate owner and bot roles on a PostgreSQL server: test/db/least-privilege.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { actingAs } from '../../src/audit-context.ts';
import { openDatabase } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { createScratchDatabase } from '../../src/db/scratch.ts';
import { canonicalEntry } from '../../src/domain/audit-chain.ts';
import { emptyEmbeddedTemplate } from '../support/templates.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { tamper as tamperWith } from '../support/tamper.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const ROLES_MIGRATION = '20261205120000_audit_db_roles';
const declaration = (title: string) => aDeclaration({ title });
const at = (iso: string) => new Date(iso);
let keys = 0;

async function declare(store: PrismaIncidentStore, title: string, who = { actor: 'UALICE', via: '/incident declare' }) {
  const { incident } = await actingAs(who, () =>
    store.createIfAbsent(
      declaring({
        declareKey: `role-${++keys}-${title}`,
        declaration: declaration(title),
        declaredAt: at('2026-12-05T10:00:00Z'),
      }),
    ),
  );
  return incident;
}

/** A change made in a direct SQL session that claims to be a Slack member, as an attacker would. */
async function directChange(pool: pg.Pool, sql: string, params: unknown[], claim: { actor?: string; via?: string }) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (claim.actor !== undefined)
      await client.query("SELECT set_config('incident_bot.actor', $1, true)", [claim.actor]);
    if (claim.via !== undefined) await client.query("SELECT set_config('incident_bot.via', $1, true)", [claim.via]);
    await client.query(sql, params);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

for (const database of testDatabases()) {
  describe(`audit trail: database roles (${database.name})`, () => {
    const env = useTestStore(database);
    const trail = () => new PrismaAuditTrail(env.db().prisma);
    const pool = () => env.db().pool as unknown as pg.Pool;
    const sessionUser = async () => (await pool().query<{ u: string }>('SELECT session_user AS u')).rows[0]!.u;
    const setBotRole = (role: string | null) =>
      pool().query('UPDATE audit_settings SET bot_role = $1 WHERE id', [role]);

    test('canonicalEntry rebuilds audit_canonical() byte for byte, with and without db_role and claimed_actor', async () => {
      // Postgres text cannot hold U+0000; everything else can appear in any column.
      const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\u0000', ''));
      const json = fc.option(
        fc.dictionary(
          text,
          fc.oneof(
            text,
            fc.integer(),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.boolean(),
            fc.constant(null),
          ),
          { maxKeys: 4 },
        ),
      );
      const columns = fc.record({
        seq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        at: fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2099-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        actor: text,
        via: text,
        action: text,
        rowKey: text,
        before: json,
        after: json,
        dbRole: fc.option(text),
        claimedActor: fc.option(text),
      });
      await fc.assert(
        fc.asyncProperty(columns, async (c) => {
          const id = '6f1c1f0e-0000-4000-8000-00000000000a';
          const { rows } = await pool().query<{
            canonical: string;
            old: string;
            at_text: string;
            before_text: string | null;
            after_text: string | null;
          }>(
            `SELECT audit_canonical($1::uuid, $2::int, $3::timestamptz, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11) AS canonical,
                    audit_canonical($1::uuid, $2::int, $3::timestamptz, $4, $5, $6, $7, $8::jsonb, $9::jsonb) AS old,
                    to_char($3::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
                    $8::jsonb::text AS before_text, $9::jsonb::text AS after_text`,
            [
              id,
              c.seq,
              c.at,
              c.actor,
              c.via,
              c.action,
              c.rowKey,
              c.before === null ? null : JSON.stringify(c.before),
              c.after === null ? null : JSON.stringify(c.after),
              c.dbRole,
              c.claimedActor,
            ],
          );
          const r = rows[0]!;
          const base = {
            incidentId: id,
            seq: c.seq,
            atText: r.at_text,
            actor: c.actor,
            via: c.via,
            action: c.action,
            rowKey: c.rowKey,
            beforeText: r.before_text,
            afterText: r.after_text,
          };
          assert.equal(canonicalEntry({ ...base, dbRole: c.dbRole, claimedActor: c.claimedActor }), r.canonical);
          // Without either, the text is the one entries written before roles were recorded were hashed with.
          assert.equal(canonicalEntry(base), r.old);
          if (c.dbRole === null && c.claimedActor === null) assert.equal(r.canonical, r.old);
        }),
        { numRuns: 60 },
      );
    });

    test('every change records the database role of its session, and the hash covers it', async () => {
      const store = env.store();
      const incident = await declare(store, 'Who did it');
      await actingAs({ actor: 'UBOB', via: '/incident sev' }, () =>
        store.applyChange(
          incident.id,
          { severity: 'SEV1' },
          { occurredAt: at('2026-12-05T10:05:00Z'), kind: 'severity_changed', actorId: 'UBOB', text: 'SEV2 → SEV1' },
          { severity: 'SEV2' },
        ),
      );
      const me = await sessionUser();
      const { entries, problems } = await trail().read(incident.id);
      assert.deepEqual(problems, []);
      assert.ok(entries.length >= 3);
      for (const e of entries) {
        assert.equal(e.dbRole, me, `entry ${e.seq} records its session's role`);
        assert.equal(e.claimedActor, null);
      }
      assert.deepEqual(
        entries.filter((e) => e.action === 'incident.update').map((e) => e.actor),
        ['UBOB'],
      );

      // Rewriting who made a change (triggers off) breaks the entry's hash: the role, removing it, or a claim.
      for (const [i, sql] of [
        "UPDATE audit_entry SET db_role = 'incident_bot' WHERE incident_id = $1 AND seq = 1",
        'UPDATE audit_entry SET db_role = NULL WHERE incident_id = $1 AND seq = 2',
        "UPDATE audit_entry SET claimed_actor = 'UCAROL' WHERE incident_id = $1 AND seq = 3",
      ].entries()) {
        await tamperWith(pool(), sql, [incident.id]);
        const found = (await trail().read(incident.id)).problems;
        assert.ok(
          found.includes(`entry ${i + 1} was altered (its hash does not match its content)`),
          JSON.stringify(found),
        );
      }
    });

    test('a claimed actor is believed only from the recorded bot role; from any other session it is kept as a claim', async () => {
      const store = env.store();
      const me = await sessionUser();
      // One role for everything (the embedded database; a server without separate roles): the claim stands.
      const single = await declare(store, 'One role');
      await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [single.id, 'Renamed in SQL'], {
        actor: 'UBOB',
        via: '/incident title',
      });
      let last = (await trail().read(single.id)).entries.at(-1)!;
      assert.deepEqual([last.actor, last.via, last.dbRole, last.claimedActor], ['UBOB', '/incident title', me, null]);

      // Once the owner records another role as the bot's, this session is no longer believed, whatever it claims.
      await setBotRole(`${me}_bot`);
      try {
        const split = await declare(store, 'Two roles');
        let e = (await trail().read(split.id)).entries;
        assert.deepEqual(
          [e[0]!.actor, e[0]!.dbRole, e[0]!.claimedActor, e[0]!.via],
          [`db:${me}`, me, 'UALICE', '/incident declare'],
        );
        await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [split.id, 'Forged'], {
          actor: 'UALICE',
          via: 'button incident_resolve',
        });
        await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [split.id, 'Forged again'], {
          actor: 'bot',
        });
        await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [split.id, 'No claim'], {});
        await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [split.id, 'Empty claim'], {
          actor: '',
          via: '',
        });
        e = (await trail().read(split.id)).entries.slice(-4);
        assert.deepEqual(
          e.map((x) => [x.actor, x.claimedActor, x.via, x.dbRole]),
          [
            [`db:${me}`, 'UALICE', 'button incident_resolve', me],
            [`db:${me}`, 'bot', 'sql', me],
            [`db:${me}`, null, 'sql', me],
            [`db:${me}`, null, 'sql', me],
          ],
        );
        assert.deepEqual((await trail().verify(split.id)).problems, []);

        // The recorded role itself is believed.
        await setBotRole(me);
        await directChange(pool(), 'UPDATE incident SET title = $2 WHERE id = $1', [split.id, 'By the bot'], {
          actor: 'UBOB',
          via: '/incident title',
        });
        last = (await trail().read(split.id)).entries.at(-1)!;
        assert.deepEqual([last.actor, last.claimedActor, last.dbRole], ['UBOB', null, me]);
      } finally {
        await setBotRole(null);
      }
    });

    test('TRUNCATE cannot empty an audited table without a trace', async () => {
      const incident = await declare(env.store(), 'Truncate me');
      for (const table of [
        'incident',
        'incident_role',
        'timeline_entry',
        'pagerduty_link',
        'incident_review',
        'action_item',
        'change_freeze',
        'freeze_override',
        'clinical_hazard',
        'clinical_signoff',
        'breach_notification',
        'breach_assessment',
        'breach_obligation_notice',
      ]) {
        await assert.rejects(pool().query(`TRUNCATE ${table} CASCADE`), /TRUNCATE would bypass the audit trail/, table);
      }
      assert.ok(await env.store().findById(incident.id));
      assert.deepEqual((await trail().verify(incident.id)).problems, []);
    });

    test('the audit trigger cannot be attached to a look-alike table outside the schema', async () => {
      const incident = await declare(env.store(), 'Look-alike');
      const before = (await trail().read(incident.id)).entries.length;
      const client = await pool().connect();
      try {
        // A temporary "timeline_entry" whose rows would be recorded as the incident's: refused even
        // for a role allowed to attach the trigger (a superuser here; a bot role may not at all).
        await client.query('CREATE TEMP TABLE timeline_entry (id uuid, incident_id uuid, text text)');
        await client.query(
          'CREATE TRIGGER audit AFTER INSERT ON pg_temp.timeline_entry FOR EACH ROW EXECUTE FUNCTION public.audit_record()',
        );
        await assert.rejects(
          client.query("INSERT INTO pg_temp.timeline_entry VALUES (gen_random_uuid(), $1, 'forged')", [incident.id]),
          /records only the audited tables in schema public/,
        );
      } finally {
        await client.query('DROP TABLE IF EXISTS pg_temp.timeline_entry').catch(() => {});
        client.release();
      }
      assert.equal((await trail().read(incident.id)).entries.length, before);
    });
  });

  test(`entries written before roles were recorded keep verifying after the upgrade (${database.name})`, async () => {
    const embedded =
      database.name === 'pglite'
        ? await startEmbeddedPostgres(null, { template: await emptyEmbeddedTemplate() })
        : null;
    const scratch = embedded
      ? null
      : await createScratchDatabase(process.env.TEST_DATABASE_URL!, 'incident_bot_upgrade');
    const url = embedded?.url ?? scratch!.url;
    const sql = (name: string) => fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8');
    const names = readMigrations().migrationDirectories.map((d) => d.path);
    assert.ok(names.includes(ROLES_MIGRATION));
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      // The database as it was before this version.
      for (const name of names.filter((n) => n < ROLES_MIGRATION)) await raw.query(sql(name));
      // Written as that version wrote them: in SQL, since this version's client reads columns added
      // after it (the trigger records whoever the session claims to be).
      const olderWrite = async (actor: string, via: string, statements: [string, unknown[]][]) => {
        await raw.query('BEGIN');
        await raw.query("SELECT set_config('incident_bot.actor', $1, true), set_config('incident_bot.via', $2, true)", [
          actor,
          via,
        ]);
        for (const [text, values] of statements) await raw.query(text, values);
        await raw.query('COMMIT');
      };
      const incidentId = randomUUID();
      await olderWrite('UALICE', '/incident declare', [
        [
          `INSERT INTO incident (id, number, declare_key, title, severity, declared_by, created_at, updated_at, last_update_at)
           VALUES ($1, (SELECT last + 1 FROM number_counter WHERE name = 'incident'), 'role-older', 'Older than roles',
                   'SEV2', 'UALICE', $2, $2, $2)`,
          [incidentId, at('2026-12-05T10:00:00Z')],
        ],
        ["UPDATE number_counter SET last = last + 1 WHERE name = 'incident'", []],
      ]);
      await olderWrite('UBOB', '/incident sev', [
        [
          "UPDATE incident SET severity = 'SEV1', updated_at = $2 WHERE id = $1",
          [incidentId, at('2026-12-05T10:05:00Z')],
        ],
        [
          `INSERT INTO timeline_entry (id, incident_id, occurred_at, kind, actor_id, text) VALUES ($1, $2, $3, 'severity_changed', 'UBOB', 'x')`,
          [randomUUID(), incidentId, at('2026-12-05T10:05:00Z')],
        ],
      ]);
      const db = await openDatabase({ url, dataDir: null, migrate: false });
      try {
        const store = new PrismaIncidentStore(db.prisma);
        const incident = { id: incidentId };
        const written = (await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entry')).rows[0]!.n;
        assert.ok(written >= 3);

        for (const name of names.filter((n) => n >= ROLES_MIGRATION)) await raw.query(sql(name));
        await actingAs({ actor: 'UCAROL', via: '/incident note' }, () =>
          store.addTimelineEntry(incident.id, {
            occurredAt: at('2026-12-05T10:10:00Z'),
            kind: 'note',
            actorId: 'UCAROL',
            text: 'after the upgrade',
          }),
        );
        const { entries, problems } = await new PrismaAuditTrail(db.prisma).read(incident.id);
        assert.deepEqual(problems, []);
        assert.deepEqual(
          entries.slice(0, written).map((e) => e.dbRole),
          Array(written).fill(null),
          'older entries have no role',
        );
        assert.ok(entries.slice(written).every((e) => e.dbRole !== null && e.actor === 'UCAROL'));
        assert.deepEqual((await new PrismaAuditTrail(db.prisma).verify()).problems, []);
      } finally {
        await db.close();
      }
    } finally {
      await raw.end();
      await embedded?.stop();
      await scratch?.drop();
    }
  });
}
