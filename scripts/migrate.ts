// npm run db:migrate: applies the committed migrations to DATABASE_URL, or to the embedded PGlite
// in DATA_DIR (./data) when DATABASE_URL is not set. The bot also does this on start.
// With MIGRATION_DATABASE_URL (the owner role) the migrations run as the owner, who then installs
// the reminder queue's schema and grants the role of DATABASE_URL (the bot's) exactly what the bot
// needs, and records it as the bot's role (see docs/operations.md, Least-privilege database roles).
// Refused, with nothing applied, while the bot (or another tool) has the embedded database open.
import '../src/wasm-baseline.mjs';
import path from 'node:path';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { applyMigrationsInWorker } from '../src/db/migrate.ts';
import { DatabaseSetupError, migrateAsOwner } from '../src/db/roles.ts';
import { installReminderQueue } from '../src/jobs/reminder-queue.ts';

const url = process.env.DATABASE_URL?.trim() || null;
const migrationUrl = process.env.MIGRATION_DATABASE_URL?.trim() || null;
if (migrationUrl && !url) {
  console.error(
    "MIGRATION_DATABASE_URL needs DATABASE_URL too (the bot's own role on the same database, to grant it what it needs).",
  );
  process.exit(1);
}
const dataDir = process.env.DATA_DIR?.trim() || './data';
const embedded = url
  ? null
  : await startEmbeddedPostgres(dataDir).catch((err: unknown) => {
      if (!(err instanceof DataDirLockedError)) throw err;
      console.error(err.message);
      process.exit(1);
    });
try {
  const where = url ? new URL(url).host : `embedded PGlite in ${path.resolve(dataDir)}`;
  if (migrationUrl) {
    const { applied, botRole, carriedJobs } = await migrateAsOwner({
      migrationUrl,
      botUrl: url!,
      apply: applyMigrationsInWorker,
      installQueue: installReminderQueue,
    });
    console.log(applied.length ? `Applied ${applied.join(', ')} to ${where} as the owner.` : `${where} is up to date.`);
    if (carriedJobs)
      console.log(`Upgraded the reminder queue from pg-boss 10: carried ${carriedJobs} queued job(s) over.`);
    console.log(
      botRole
        ? `Granted the bot's role ${botRole} what the bot needs (no DDL, no writes to the audit trail); only its changes are credited to the actor they name.`
        : 'MIGRATION_DATABASE_URL and DATABASE_URL are the same role: nothing granted (one role does everything).',
    );
  } else {
    const applied = await applyMigrationsInWorker(url ?? embedded!.url);
    console.log(applied.length ? `Applied ${applied.join(', ')} to ${where}.` : `${where} is up to date.`);
  }
} catch (err) {
  console.error(
    err instanceof DatabaseSetupError
      ? err.message
      : `Migration failed: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
