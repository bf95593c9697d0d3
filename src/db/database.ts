import '../wasm-baseline.mjs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { applyMigrationsInWorker } from './migrate.ts';
import { applyPendingMigrations, migrateAsOwner, refuseIfMigrationsPending } from './roles.ts';
import { PriorityPool } from './priority-pool.ts';

export interface Database {
  prisma: PrismaClient;
  /** The connection pool Prisma uses; other Postgres users (the job queue) share it. */
  pool: PriorityPool;
  url: string;
  /** Where the data lives, for logs: `embedded PGlite in /srv/bot/data` (absolute) or the server's host and database. */
  description: string;
  /** The embedded database's folder, absolute; null on a server or in memory. */
  dataDir: string | null;
  /** The embedded database's folder held no database: this start made a new, empty one. */
  created: boolean;
  /** That new database was loaded from the template made at install (src/db/embedded-template.ts): already migrated. */
  fromTemplate: boolean;
  /** The migrations this opening applied (none when every one was applied before, or when it only checks). */
  applied: string[];
  close(): Promise<void>;
}

/**
 * Opens the bot's database: the PostgreSQL server at `url`, or without one an embedded PGlite
 * keeping its data in `dataDir` (null: in memory). Applies the committed migrations first, unless
 * `migrate` is false (tools that only read, such as `npm run audit:verify`) or 'check' (the bot with
 * MIGRATE_ON_START=false: a pending migration is one DatabaseSetupError, nothing is applied): with `migrationUrl`
 * (the owner role, MIGRATION_DATABASE_URL) as the owner, who then grants the role of `url` what the
 * bot needs (src/db/roles.ts); without it as the role of `url`, and only when some migration is not
 * yet recorded, so a least-privileged role starts without any DDL right (and, with migrations
 * pending, fails with one line saying to run `npm run db:migrate`).
 */
export async function openDatabase(opts: {
  url: string | null;
  dataDir: string | null;
  onIdleError?: (err: Error) => void;
  migrate?: boolean | 'check';
  migrationUrl?: string | null;
  /**
   * A new embedded database starts from this tarball (a migrated one) instead of initdb
   * (startEmbeddedPostgres). By default the one made at install (src/db/embedded-template.ts) when
   * it matches today's migrations; null: none, initdb and every migration run.
   */
  embeddedTemplate?: string | null;
}): Promise<Database> {
  // PGlite is loaded only when it is used (a bot on a PostgreSQL server does not carry it), and then
  // in its own thread; that thread failing is reported like a dropped connection.
  // The template stands for this version's migrations: used only by a start that applies them
  // (with MIGRATE_ON_START=false a new folder stays unmigrated, and the start refuses).
  const template = opts.url
    ? null
    : opts.embeddedTemplate !== undefined
      ? opts.embeddedTemplate
      : opts.migrate === false || opts.migrate === 'check'
        ? null
        : (await import('./embedded-template.ts')).installedEmbeddedTemplate();
  const embedded = opts.url
    ? null
    : await (await import('./embedded.ts')).startEmbeddedPostgres(opts.dataDir, {
        onError: (err) => opts.onIdleError?.(err),
        ...(template ? { template } : {}),
      });
  const fromTemplate = embedded?.created === true && template !== null;
  const url = opts.url ?? embedded!.url;
  try {
    let applied: string[] = [];
    if (opts.migrate === 'check') {
      await refuseIfMigrationsPending(url);
    } else if (opts.migrate !== false) {
      if (opts.migrationUrl && !embedded) {
        const { installReminderQueue } = await import('../jobs/reminder-queue.ts');
        ({ applied } = await migrateAsOwner({
          migrationUrl: opts.migrationUrl,
          botUrl: url,
          apply: applyMigrationsInWorker,
          installQueue: installReminderQueue,
        }));
      } else {
        applied = await applyPendingMigrations(url, applyMigrationsInWorker);
      }
    }
    // PGlite's WebAssembly memory grows and never shrinks: initdb and the migrations leave it at
    // several hundred MB. A new thread on the same folder starts small (measured: about 250 MB less
    // resident after a first start), for a second or so on the starts that changed the schema.
    // A database loaded from the template never ran initdb in this thread (the child that loaded it has exited).
    if (embedded?.dataDir && ((embedded.created && !fromTemplate) || applied.length > 0)) await embedded.restart();
    // PGlite is a single Postgres session and its socket server interleaves the extended-protocol
    // messages of concurrent connections (seen: "bind message supplies 2 parameters, but prepared
    // statement requires 3" under 5 concurrent declares), so the embedded database gets one connection.
    const pool = new PriorityPool({ connectionString: url, max: embedded ? 1 : 10 });
    // An idle connection the server drops (restart, failover) is replaced on the next query; it
    // must not crash the bot as an unhandled 'error' event.
    pool.on('error', (err) => opts.onIdleError?.(err));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await prisma.$connect();
    return {
      prisma,
      pool,
      url,
      description: describe(url, embedded?.dataDir ?? null, embedded !== null),
      dataDir: embedded?.dataDir ?? null,
      created: embedded?.created ?? false,
      fromTemplate,
      applied,
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => {});
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/** For logs and tools: the embedded database's absolute folder, or the server's host and database (never its password). */
function describe(url: string, dataDir: string | null, embedded: boolean): string {
  if (embedded) return dataDir ? `embedded PGlite in ${path.resolve(dataDir)}` : 'embedded PGlite in memory';
  const u = new URL(url);
  return `PostgreSQL ${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
}
