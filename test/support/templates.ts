// Migrated database templates, made once and copied for each test's database, so that a test file
// does not pay for an empty database (PGlite's initdb: seconds of WebAssembly per database) and the
// migrations again and again. Each test still gets a database of its own, a copy: nothing one file
// writes reaches another.
//
// - Embedded PGlite: a tarball of a migrated data folder (PGlite's dumpDataDir), in
//   node_modules/.cache/incident-bot/ (the bot's own, made at install: src/db/embedded-template.ts), which the bot's embedded database starts from
//   (openDatabase's embeddedTemplate option) instead of running initdb and the migrations.
// - PostgreSQL (TEST_DATABASE_URL): a migrated database on the server; each test database is made
//   with CREATE DATABASE … TEMPLATE it.
//
// - An empty embedded database (initdb's, no migration): a tarball too, for tests that need a new
//   database but are not about initdb (data-folder locks, migrations applied by hand); initdb is
//   seconds of WebAssembly each time. The tests about initdb itself still run it.
//
// Both are named by a hash of the committed migrations (and PGlite's version), so a new or changed
// migration makes a new template. scripts/test-global-setup.ts makes them before the test files
// start; a file run on its own makes them itself when missing (made under a temporary name and
// renamed, so files started side by side never see half of one).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { unpackDataDirTarball } from '../../src/db/data-dir-tarball.ts';
import {
  EMBEDDED_TEMPLATE_DIR,
  embeddedTemplateKey,
  makeDataDirTarball,
  makeEmbeddedTemplate,
  pgliteVersion,
} from '../../src/db/embedded-template.ts';
import { applyMigrationsInWorker } from '../../src/db/migrate.ts';
import { applyPendingMigrations } from '../../src/db/roles.ts';

/** The same folder as the bot's own template (made at install): one template serves both. */
export const TEMPLATE_CACHE = EMBEDDED_TEMPLATE_DIR;
const PGLITE_PREFIX = 'pglite-migrated-';
/** The prefix of the template databases on a PostgreSQL server. */
export const SERVER_TEMPLATE_PREFIX = 'incident_bot_template_';

/** What a template depends on: the committed migrations and PGlite's version (src/db/embedded-template.ts). */
export const templateKey = embeddedTemplateKey;

let embedded: Promise<string> | undefined;

/** The path of the migrated PGlite tarball, made when missing. */
export function embeddedTemplate(): Promise<string> {
  embedded ??= makeEmbeddedTemplate(TEMPLATE_CACHE).catch((err: unknown) => {
    embedded = undefined;
    throw err;
  });
  return embedded;
}

const EMPTY_PREFIX = 'pglite-empty-';
/** What the empty template depends on: PGlite's version alone (no migration is in it). */
const emptyKey = () => createHash('sha256').update(`pglite ${pgliteVersion()}`).digest('hex').slice(0, 16);

let empty: Promise<string> | undefined;

/**
 * The path of a tarball of a new, empty embedded database (as initdb leaves it: no migration), made
 * when missing: startEmbeddedPostgres's `template` for a test that needs a database never migrated.
 */
export function emptyEmbeddedTemplate(): Promise<string> {
  empty ??= makeEmptyTemplate().catch((err: unknown) => {
    empty = undefined;
    throw err;
  });
  return empty;
}

function makeEmptyTemplate(): Promise<string> {
  return makeDataDirTarball(path.join(TEMPLATE_CACHE, `${EMPTY_PREFIX}${emptyKey()}.tar`));
}

/** Removes the PGlite templates of other migrations or PGlite versions (older versions of the code). */
export function pruneEmbeddedTemplates(): void {
  const keep = new Set([`${PGLITE_PREFIX}${templateKey()}.tar`, `${EMPTY_PREFIX}${emptyKey()}.tar`]);
  if (!fs.existsSync(TEMPLATE_CACHE)) return;
  for (const name of fs.readdirSync(TEMPLATE_CACHE)) {
    if (
      (name.startsWith(PGLITE_PREFIX) || name.startsWith(EMPTY_PREFIX)) &&
      !keep.has(name) &&
      !name.endsWith('.partial')
    )
      fs.rmSync(path.join(TEMPLATE_CACHE, name), { force: true });
  }
}

const servers = new Map<string, Promise<string>>();

/** The name of the migrated template database on the server at `serverUrl`, made when missing. */
export function serverTemplate(serverUrl: string): Promise<string> {
  let made = servers.get(serverUrl);
  if (!made) {
    made = makeServerTemplate(serverUrl).catch((err: unknown) => {
      servers.delete(serverUrl);
      throw err;
    });
    servers.set(serverUrl, made);
  }
  return made;
}

const withAdmin = async <T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};

async function makeServerTemplate(serverUrl: string): Promise<string> {
  const name = `${SERVER_TEMPLATE_PREFIX}${templateKey()}`;
  const exists = () =>
    withAdmin(
      serverUrl,
      async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
    );
  if (await exists()) return name;
  const partial = `${name}_partial_${randomBytes(4).toString('hex')}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${partial}"`));
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${partial}`;
    await applyPendingMigrations(url.toString(), applyMigrationsInWorker);
    // Renamed once whole; another process that made the same template first keeps its own.
    await withAdmin(serverUrl, async (c) => {
      try {
        await c.query(`ALTER DATABASE "${partial}" RENAME TO "${name}"`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database
        await c.query(`DROP DATABASE IF EXISTS "${partial}" WITH (FORCE)`);
      }
    });
  } catch (err) {
    await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${partial}" WITH (FORCE)`)).catch(() => {});
    throw err;
  }
  return name;
}

/**
 * Fills the folder `dir` (made if missing, empty) with a copy of the migrated PGlite template, as a
 * bot's data folder, as a first start does (src/db/data-dir-tarball.ts): for tests that start the
 * bot as a process of its own on a data folder. Files 0600, folders 0700, as the bot keeps them.
 */
export async function seedDataDir(dir: string): Promise<void> {
  const tar = await embeddedTemplate();
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(root).length) throw new Error(`seedDataDir: ${root} is not empty`);
  unpackDataDirTarball(tar, root);
}
