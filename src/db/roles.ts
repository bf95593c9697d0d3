// Least-privilege database roles on a PostgreSQL server: an owner role that migrates
// (MIGRATION_DATABASE_URL) and the bot's role (DATABASE_URL), which may read and write the
// incident records and nothing more: it cannot alter or drop tables, switch triggers off, set
// session_replication_role, or write the audit trail (the audit trigger writes it with the owner's
// rights). After migrating, the owner grants the bot's role exactly what it needs, records it as the
// bot's role (audit_settings: only that role's claimed actors are believed), and checks the result.
import pg from 'pg';
import { readMigrations } from './migrate.ts';

/**
 * The database cannot be used as configured: one line saying what to do. The bot prints it and
 * exits 1 (no stack trace).
 */
export class DatabaseSetupError extends Error {
  override name = 'DatabaseSetupError';
}

/**
 * Tables the bot's role reads but never writes. incident_durations is derived from the timeline by
 * the database's own trigger (with the owner's rights): nobody writes it directly.
 */
export const BOT_READ_ONLY_TABLES = [
  'audit_entry',
  'audit_head',
  'audit_settings',
  '_prisma_migrations',
  'incident_durations',
] as const;
/** Schemas whose tables the bot reads and writes: its own, and pg-boss's (the reminder queue). */
const BOT_SCHEMAS = ['public', 'pgboss'] as const;

const MIGRATE_HINT =
  'run `npm run db:migrate` with MIGRATION_DATABASE_URL set to the owner role (or set MIGRATION_DATABASE_URL for the bot)';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Who a URL logs in as, and into which database. */
export async function sessionRole(url: string): Promise<{ role: string; database: string }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ role: string; database: string }>(
      'SELECT session_user AS role, current_database() AS database',
    );
    return rows[0]!;
  });
}

export interface MigrationState {
  /** The role the URL logs in as. */
  role: string;
  database: string;
  /** Committed migrations not (successfully) recorded in _prisma_migrations. */
  pending: string[];
  /** Whether that role could apply them (it owns _prisma_migrations, or may create it); only asked when some are pending (true when none are). */
  canMigrate: boolean;
}

/** Queries migrationState sent since the process started (for tests: a current schema costs one). */
export const migrationChecks = { queries: 0 };

/**
 * What is left to migrate, read from _prisma_migrations: no schema engine (and no DDL right)
 * needed. When the schema is current that is one query; the catalog is asked only when the table is
 * missing or some migration is pending (whether the role could apply them).
 */
export async function migrationState(url: string): Promise<MigrationState> {
  return withClient(url, async (c) => {
    const query = <R extends pg.QueryResultRow>(text: string) => {
      migrationChecks.queries++;
      return c.query<R>(text);
    };
    const committed = readMigrations().migrationDirectories.map((d) => d.path);
    let found: { role: string; database: string; applied: string[] } | null = null;
    try {
      const { rows } = await query<{ role: string; database: string; applied: string[] }>(
        `SELECT session_user AS role, current_database() AS database,
                COALESCE(array_agg(migration_name), '{}') AS applied
           FROM public._prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      found = rows[0]!;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '42501') {
        const { rows } = await query<{ role: string }>('SELECT session_user AS role');
        throw new DatabaseSetupError(
          `The database role ${rows[0]!.role} cannot read _prisma_migrations: ${MIGRATE_HINT}, which grants the bot's role what it needs.`,
        );
      }
      if (code !== '42P01') throw err; // 42P01: no _prisma_migrations yet (a new database)
    }
    const applied = new Set(found?.applied ?? []);
    const pending = committed.filter((name) => !applied.has(name));
    if (found && pending.length === 0) return { role: found.role, database: found.database, pending, canMigrate: true };
    const { rows } = await query<{ role: string; database: string; can_migrate: boolean }>(`
      SELECT session_user AS role, current_database() AS database,
             CASE WHEN t.oid IS NULL THEN has_schema_privilege('public', 'CREATE')
                  ELSE pg_has_role(current_user, t.relowner, 'USAGE') END AS can_migrate
        FROM (SELECT 1) one
        LEFT JOIN pg_class t ON t.oid = to_regclass('public._prisma_migrations')`);
    const { role, database, can_migrate } = rows[0]!;
    return { role, database, pending, canMigrate: can_migrate };
  });
}

const isPermissionError = (err: unknown) =>
  /permission denied|must be owner|must be a member/i.test(err instanceof Error ? err.message : String(err));

/**
 * Applies the committed migrations with the URL's own role, unless every one is already recorded
 * (then nothing runs: the bot's role needs no DDL right to start). When some are pending and the
 * role cannot apply them, one clear DatabaseSetupError.
 */
export async function applyPendingMigrations(
  url: string,
  apply: (url: string) => Promise<string[]>,
  hint: (role: string, database: string) => string = () => MIGRATE_HINT,
): Promise<string[]> {
  const state = await migrationState(url);
  if (state.pending.length === 0) return [];
  const refuse = () =>
    new DatabaseSetupError(
      `Database migrations are pending (${state.pending.join(', ')}) and the database role ${state.role} cannot apply them: ${hint(state.role, state.database)}.`,
    );
  if (!state.canMigrate) throw refuse();
  try {
    return await apply(url);
  } catch (err) {
    if (isPermissionError(err)) throw refuse();
    throw err;
  }
}

/**
 * For a bot that does not migrate on start (MIGRATE_ON_START=false, several replicas migrated by
 * `npm run db:migrate`, such as a Kubernetes Job): nothing is applied, and a pending migration is one
 * DatabaseSetupError, so a replica of a newer version never runs on an older schema.
 */
export async function refuseIfMigrationsPending(url: string): Promise<void> {
  const { pending } = await migrationState(url);
  if (pending.length === 0) return;
  throw new DatabaseSetupError(
    `Database migrations are pending (${pending.join(', ')}) and MIGRATE_ON_START=false: run \`npm run db:migrate\` (the migration Job) with this version first, then start the bot.`,
  );
}

/** Objects in the bot's schemas that the bot's role owns, or could own through SET ROLE (it could alter or drop them). */
async function ownedBy(c: pg.Client, role: string): Promise<string[]> {
  const { rows } = await c.query<{ name: string }>(
    `SELECT n.nspname || '.' || o.relname AS name FROM pg_class o JOIN pg_namespace n ON n.oid = o.relnamespace
      WHERE n.nspname = ANY($2) AND pg_has_role($1, o.relowner, 'MEMBER')
     UNION ALL
     SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = ANY($2) AND pg_has_role($1, p.proowner, 'MEMBER')
     UNION ALL
     SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE n.nspname = ANY($2) AND pg_has_role($1, n.nspowner, 'MEMBER')
     ORDER BY 1`,
    [role, BOT_SCHEMAS],
  );
  return rows.map((r) => r.name);
}

/** What makes `bot` unfit to be the bot's least-privileged role, whatever the grants. */
async function roleProblems(c: pg.Client, bot: string, owner: string): Promise<string[]> {
  const { rows } = await c.query<{ exists: boolean; superuser: boolean; createrole: boolean; owner_member: boolean }>(
    `SELECT r.oid IS NOT NULL AS exists, COALESCE(r.rolsuper, false) AS superuser, COALESCE(r.rolcreaterole, false) AS createrole,
            r.oid IS NOT NULL AND pg_has_role($1, $2, 'MEMBER') AS owner_member
       FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = $1`,
    [bot, owner],
  );
  const r = rows[0]!;
  if (!r.exists) return [`the role ${bot} does not exist`];
  const problems: string[] = [];
  if (r.superuser) problems.push(`${bot} is a superuser (it can switch triggers off)`);
  if (r.createrole) problems.push(`${bot} has CREATEROLE (it can make itself a member of other roles)`);
  if (r.owner_member && !r.superuser)
    problems.push(`${bot} is a member of the owner role ${owner} (SET ROLE ${owner} gives it every right)`);
  return problems;
}

/**
 * What the bot's role can still do that it must not, checked on its effective rights (whatever
 * gave them: a grant to PUBLIC, membership in pg_write_all_data, a GRANT SET ON PARAMETER…).
 */
async function excessRights(c: pg.Client, bot: string): Promise<string[]> {
  const { rows } = await c.query<{ problem: string }>(
    `SELECT format('%s on %s', p.priv, t.rel) AS problem
       FROM (SELECT c.oid, n.nspname, n.nspname || '.' || c.relname AS rel, c.relname
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ANY($2) AND c.relkind IN ('r', 'p')) t
       CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) AS p(priv)
      WHERE has_table_privilege($1, t.oid, p.priv)
        AND (p.priv IN ('TRUNCATE', 'TRIGGER') OR (t.nspname = 'public' AND t.relname = ANY($3)))
     UNION ALL
     SELECT 'CREATE on schema ' || s FROM unnest($2::text[]) s
      WHERE to_regnamespace(s) IS NOT NULL AND has_schema_privilege($1, s, 'CREATE')
     UNION ALL
     SELECT 'EXECUTE on audit_record()' WHERE has_function_privilege($1, 'public.audit_record()', 'EXECUTE')
     ORDER BY 1`,
    [bot, BOT_SCHEMAS, BOT_READ_ONLY_TABLES],
  );
  const problems = rows.map((r) => r.problem);
  // PostgreSQL 15 can grant the right to set a superuser-only parameter.
  const { rows: v } = await c.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n");
  if (v[0]!.n >= 150000) {
    const { rows: set } = await c.query<{ ok: boolean }>(
      "SELECT has_parameter_privilege($1, 'session_replication_role', 'SET') AS ok",
      [bot],
    );
    if (set[0]!.ok) problems.push('SET on session_replication_role');
  }
  problems.push(...(await ownedBy(c, bot)).map((o) => `ownership of ${o}`));
  return problems;
}

const ownedError = (bot: string, owner: string, owned: string[]) =>
  new DatabaseSetupError(
    `The bot's role ${bot} owns ${owned.slice(0, 5).join(', ')}${owned.length > 5 ? ` and ${owned.length - 5} more` : ''}: ` +
      `as a superuser, in this database, run REASSIGN OWNED BY ${ident(bot)} TO ${ident(owner)}; then npm run db:migrate again.`,
  );

/**
 * Refuses to migrate as the owner while the bot's role owns what the migrations change (a database
 * the bot used to migrate itself): the objects must be handed to the owner first.
 */
export async function checkBotRoleOwnsNothing(ownerUrl: string, bot: string): Promise<void> {
  await withClient(ownerUrl, async (c) => {
    const { rows } = await c.query<{ owner: string }>('SELECT session_user AS owner');
    const owned = await ownedBy(c, bot);
    if (owned.length) throw ownedError(bot, rows[0]!.owner, owned);
  });
}

/**
 * As the owner (`ownerUrl`): grants the bot's role `bot` exactly what the bot needs (read and write
 * the incident records and pg-boss's queue, read the audit trail and the migrations), and no more;
 * records it as the bot's role; then checks its effective rights. All in one transaction: a role
 * that turns out to have more than it should (a superuser, a member of the owner, CREATE on a schema,
 * a write right on the audit trail from elsewhere) changes nothing and is a DatabaseSetupError
 * naming each excess.
 */
export async function grantBotRole(ownerUrl: string, bot: string): Promise<void> {
  await withClient(ownerUrl, async (c) => {
    const { rows: who } = await c.query<{ owner: string }>('SELECT session_user AS owner');
    const owner = who[0]!.owner;
    if (owner === bot)
      throw new DatabaseSetupError(
        `MIGRATION_DATABASE_URL and DATABASE_URL are the same role (${bot}): give the bot a role of its own.`,
      );
    const unfit = await roleProblems(c, bot, owner);
    if (unfit.length) throw new DatabaseSetupError(`The bot's role cannot be least-privileged: ${unfit.join('; ')}.`);
    const owned = await ownedBy(c, bot);
    if (owned.length) throw ownedError(bot, owner, owned);

    const b = ident(bot);
    await c.query('BEGIN');
    try {
      const { rows: tables } = await c.query<{ schema: string; name: string; kind: string }>(
        `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'S', 'v') ORDER BY 1, 2`,
        [BOT_SCHEMAS],
      );
      // Sequences that belong to a read-only table (audit_entry's id) stay the owner's.
      const { rows: readOnlySeqs } = await c.query<{ name: string }>(
        `SELECT s.relname AS name FROM pg_depend d JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE s.relkind = 'S' AND n.nspname = 'public' AND t.relname = ANY($1)`,
        [BOT_READ_ONLY_TABLES],
      );
      const readOnly = new Set<string>([...BOT_READ_ONLY_TABLES, ...readOnlySeqs.map((r) => r.name)]);
      for (const schema of BOT_SCHEMAS) {
        const exists = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (!exists.rowCount) continue;
        await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(schema)} FROM ${b}`);
        await c.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${ident(schema)} FROM ${b}`);
        await c.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${b}`);
      }
      for (const t of tables) {
        const name = `${ident(t.schema)}.${ident(t.name)}`;
        const ro = t.schema === 'public' && readOnly.has(t.name);
        if (t.kind === 'S') await c.query(`GRANT ${ro ? 'SELECT' : 'USAGE, SELECT'} ON SEQUENCE ${name} TO ${b}`);
        else await c.query(`GRANT ${ro ? 'SELECT' : 'SELECT, INSERT, UPDATE, DELETE'} ON TABLE ${name} TO ${b}`);
      }
      await c.query('REVOKE ALL ON FUNCTION public.audit_record() FROM PUBLIC');
      await c.query(`REVOKE ALL ON FUNCTION public.audit_record() FROM ${b}`);
      await c.query('UPDATE public.audit_settings SET bot_role = $1 WHERE id', [bot]);
      const excess = await excessRights(c, bot);
      if (excess.length) {
        const publicCreate = excess.includes('CREATE on schema public')
          ? ' (PostgreSQL before 15 lets everyone create in public: REVOKE CREATE ON SCHEMA public FROM PUBLIC)'
          : '';
        throw new DatabaseSetupError(
          `The bot's role ${bot} would keep rights it must not have: ${excess.join(', ')}${publicCreate}.`,
        );
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}

export interface OwnerMigration {
  applied: string[];
  /** The bot's role, now granted and recorded; null when both URLs are the same role. */
  botRole: string | null;
  /** Queued jobs carried over from a pg-boss 10 queue (0: there was none, or it was empty). */
  carriedJobs: number;
}

/**
 * Migrates as the owner (`migrationUrl`), installs what the bot's role could not (the reminder
 * queue's schema), and grants the bot's role (the user of `botUrl`) what it needs.
 */
export async function migrateAsOwner(opts: {
  migrationUrl: string;
  botUrl: string;
  apply: (url: string) => Promise<string[]>;
  /** Installs or upgrades the reminder queue; says how many jobs it carried over from pg-boss 10. */
  installQueue: (ownerUrl: string) => Promise<{ carried: number } | null>;
}): Promise<OwnerMigration> {
  const [owner, bot] = await Promise.all([sessionRole(opts.migrationUrl), sessionRole(opts.botUrl)]);
  if (owner.database !== bot.database) {
    throw new DatabaseSetupError(
      `MIGRATION_DATABASE_URL is database ${owner.database} but DATABASE_URL is ${bot.database}: both must name the bot's database.`,
    );
  }
  if (owner.role === bot.role) {
    return { applied: await applyPendingMigrations(opts.migrationUrl, opts.apply), botRole: null, carriedJobs: 0 };
  }
  await checkBotRoleOwnsNothing(opts.migrationUrl, bot.role);
  const applied = await applyPendingMigrations(
    opts.migrationUrl,
    opts.apply,
    (role, database) =>
      `MIGRATION_DATABASE_URL must be the database's owner: as a superuser, ALTER DATABASE ${ident(database)} OWNER TO ${ident(role)} (and REASSIGN OWNED BY the old owner TO ${ident(role)})`,
  );
  const carried = await opts.installQueue(opts.migrationUrl);
  await grantBotRole(opts.migrationUrl, bot.role);
  return { applied, botRole: bot.role, carriedJobs: carried?.carried ?? 0 };
}
