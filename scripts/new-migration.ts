// npm run db:new-migration -- <name>: writes prisma/migrations/<timestamp>_<name>/migration.sql with
// the SQL that takes the committed migrations to the current schema. The schema engine replays the
// migrations in a scratch database on a PostgreSQL server (SCRATCH_DATABASE_URL, default the local
// server): its schema reader does not understand PGlite's Postgres 17 catalogs.
import '../src/wasm-baseline.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { MIGRATIONS_DIR, diffMigrationsToSchemaInWorker } from '../src/db/migrate.ts';

const name = (process.argv[2] ?? '').toLowerCase().replace(/[^a-z0-9_]+/g, '_');
if (!name) {
  console.error('usage: npm run db:new-migration -- <name>');
  process.exit(1);
}
const scratch = await createScratchDatabase(
  process.env.SCRATCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
);
try {
  const sql = await diffMigrationsToSchemaInWorker(scratch.url);
  if (!sql) {
    console.log('The committed migrations already match prisma/schema.prisma: nothing to write.');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
    fs.writeFileSync(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), 'provider = "postgresql"\n');
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await scratch.drop();
}
