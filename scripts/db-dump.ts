// npm run db:dump [-- <pg_dump options>]: a logical backup of the embedded database in DATA_DIR
// (./data) with PostgreSQL's own pg_dump, for a backup or to move to a PostgreSQL server
// (docs/operations.md). The bot must be stopped: the embedded database is one PostgreSQL session,
// which a client connecting beside the bot would share (pg_dump's settings, its search_path among
// them, would stay with the bot's connection, and its transaction would hold the bot up). This
// opens the folder itself (locked, as the bot does), serves it on its Unix socket, runs pg_dump
// against it and closes it. Without options the dump is `incident-bot-<date>.dump` in pg_dump's
// custom format (restore it with pg_restore); options given replace those two.
// pg_dump must be at least as new as the embedded PostgreSQL (PGlite's, 18): set PG_DUMP to its
// path when the one on PATH is older (e.g. /usr/lib/postgresql/18/bin/pg_dump).
import '../src/wasm-baseline.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DataDirLockedError } from '../src/db/data-dir-lock.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.ts';

/** One line on stderr, exit code 1. */
function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

if (process.env.DATABASE_URL?.trim()) {
  fail(
    'DATABASE_URL is set: the bot uses a PostgreSQL server, dump it with pg_dump itself (pg_dump --format=custom --file=incident-bot.dump "$DATABASE_URL").',
  );
}
const dataDir = path.resolve(process.env.DATA_DIR?.trim() || './data');
const pgDump = process.env.PG_DUMP?.trim() || 'pg_dump';
const args = process.argv.slice(2);

// Never a new database: opening a folder without one would make an empty one (and dump that).
try {
  fs.accessSync(path.join(dataDir, 'PG_VERSION'), fs.constants.R_OK);
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  fail(
    code === 'EACCES'
      ? `Cannot read ${dataDir}: run this as the user the bot runs as (the folder is private to it).`
      : `No embedded database in ${dataDir}: set DATA_DIR to the bot's data folder (a relative DATA_DIR is taken from the folder you run this in).`,
  );
}

const version = spawnSync(pgDump, ['--version'], { encoding: 'utf8' });
const dumpMajor = Number(/\b(\d+)(?:\.\d+)*/.exec(version.stdout ?? '')?.[1] ?? NaN);
if (version.error || version.status !== 0 || !Number.isFinite(dumpMajor)) {
  fail(
    `${pgDump} was not found: install PostgreSQL's client tools (version 18 or newer), or set PG_DUMP to pg_dump's path.`,
  );
}

let embedded: EmbeddedPostgres;
try {
  embedded = await startEmbeddedPostgres(dataDir);
} catch (err) {
  // The bot (or a tool) has the folder open: its database is not to be shared (see the top).
  if (err instanceof DataDirLockedError) fail(err.message);
  throw err;
}
let status = 1;
try {
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  const server = await client
    .query<{ v: string }>("SELECT current_setting('server_version_num') AS v")
    .finally(() => client.end());
  const serverMajor = Math.floor(Number(server.rows[0]!.v) / 10_000);
  if (dumpMajor < serverMajor) {
    console.error(
      `${pgDump} is version ${dumpMajor}, older than the embedded PostgreSQL ${serverMajor} (pg_dump refuses a newer server): install the PostgreSQL ${serverMajor} client tools, or set PG_DUMP to their pg_dump.`,
    );
  } else {
    const host = new URL(embedded.url).searchParams.get('host')!;
    const file = `incident-bot-${new Date().toISOString().slice(0, 10)}.dump`;
    const options = args.length ? args : ['--format=custom', `--file=${file}`];
    const run = spawnSync(
      pgDump,
      [`--host=${host}`, '--username=postgres', '--dbname=postgres', '--no-password', ...options],
      { stdio: 'inherit' },
    );
    status = run.status ?? 1;
    if (status === 0) {
      console.error(
        `Dumped the embedded database in ${dataDir}${args.length ? '' : ` to ${path.resolve(file)}`} with pg_dump ${dumpMajor}.`,
      );
    } else {
      console.error(`pg_dump failed (exit code ${run.status ?? run.signal}): nothing was changed.`);
    }
  }
} finally {
  await embedded.stop();
}
process.exit(status);
