// npm run db:migrate: applies the committed migrations to DATABASE_URL, or to the embedded PGlite
// in DATA_DIR (./data) when DATABASE_URL is not set. The bot also does this on every start.
// Refused, with nothing applied, while the bot (or another tool) has the embedded database open.
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { applyMigrations } from '../src/db/migrate.ts';

const url = process.env.DATABASE_URL?.trim() || null;
const embedded = url
  ? null
  : await startEmbeddedPostgres(process.env.DATA_DIR?.trim() || './data').catch((err: unknown) => {
      if (!(err instanceof DataDirLockedError)) throw err;
      console.error(err.message);
      process.exit(1);
    });
try {
  const applied = await applyMigrations(url ?? embedded!.url);
  const where = url ? new URL(url).host : `embedded PGlite in ${process.env.DATA_DIR?.trim() || './data'}`;
  console.log(applied.length ? `Applied ${applied.join(', ')} to ${where}.` : `${where} is up to date.`);
} catch (err) {
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
