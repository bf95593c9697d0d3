// Applies and checks Prisma migrations through Prisma's WebAssembly schema engine, driven by the
// same `pg` driver adapter the app uses. Records Prisma's own `_prisma_migrations` table, so
// `prisma migrate deploy` stays compatible wherever the native engine is available.
// Needs Node's --experimental-wasm-modules (set by the npm scripts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
const FILTERS = { externalTables: [], externalEnums: [] };

/**
 * The schema engine reads Postgres catalogs whose columns have the internal one-byte type "char"
 * (OID 18), which @prisma/adapter-pg 7.10 cannot map ("Column type 'char' could not be
 * deserialized"). pg already returns those values as strings, so they are reported as text.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
function charAsText(r: pg.QueryResult | undefined) {
  for (const f of r?.fields ?? []) if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
  return r;
}
class CatalogFriendlyClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, r: pg.QueryResult) => last(err, charAsText(r));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return (result instanceof Promise ? result.then(charAsText) : result) as never;
  }
}

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it at every `;`, which breaks SQL
 * whose function bodies or comments hold one (the audit trail's triggers). The native engine
 * sends a script whole; so does this: one simple-protocol query, which Postgres runs statement by
 * statement.
 */
function wholeScripts<T extends { executeScript(script: string): Promise<void> }>(adapter: T): T {
  const raw = adapter as unknown as { client: pg.Pool; onError(err: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await raw.client.query(script);
    } catch (err) {
      raw.onError(err);
    }
  };
  return adapter;
}
class WholeScriptPg extends PrismaPg {
  override async connect() {
    return wholeScripts(await super.connect());
  }
  override async connectToShadowDb() {
    return wholeScripts(await super.connectToShadowDb());
  }
}

type Engine = Awaited<ReturnType<(typeof SchemaEngine)['new']>>;

/** Schema engines this process started, itself or in a migration process (for tests: a start on a current schema starts none). */
export const schemaEngineStarts = { count: 0 };

export function readMigrations() {
  const dirs = fs.existsSync(MIGRATIONS_DIR)
    ? fs
        .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  return {
    baseDir: MIGRATIONS_DIR,
    shadowDbInitScript: '',
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: {
          tag: 'ok' as const,
          value: fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8'),
        },
      },
    })),
  };
}

function schemaFiles() {
  return [{ path: 'schema.prisma', content: fs.readFileSync(SCHEMA_PATH, 'utf8') }];
}

async function withEngine<T>(databaseUrl: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  schemaEngineStarts.count++;
  const { SchemaEngine } = await import('@prisma/schema-engine-wasm');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, Client: CatalogFriendlyClient });
  const adapter = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg(pool));
  const files = schemaFiles();
  const engine = await SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content]) } as never,
    () => {},
    adapter,
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

/** Applies every committed migration not yet applied; returns the names applied now. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  return withEngine(databaseUrl, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(), filters: FILTERS } as never);
    return (out as { appliedMigrationNames: string[] }).appliedMigrationNames;
  });
}

/**
 * SQL that would take a database built from the committed migrations to the current schema.
 * Empty when the migrations match the schema. `databaseUrl` must be an empty scratch database: the
 * engine replays the migrations there (with a driver adapter it has no separate shadow database).
 */
export async function diffMigrationsToSchema(databaseUrl: string): Promise<string> {
  return withEngine(databaseUrl, async (engine) => {
    const migrations = readMigrations();
    const from = migrations.migrationDirectories.length === 0 ? { tag: 'empty' } : { tag: 'migrations', ...migrations };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: schemaFiles() },
      script: true,
      exitCode: null,
      filters: FILTERS,
    } as never);
    return (out.stdout ?? '').replace(/^-- This is an empty migration\.\s*$/m, '').trim();
  });
}

/**
 * applyMigrations in a child process (migrate-worker.ts) that exits when done: Prisma's WebAssembly
 * schema engine takes about 100 MB, and a worker thread left part of it in the bot's process for
 * good (measured: about 13 MB on PostgreSQL); its glue also leaves a 10-second timer behind
 * engine.free(), which kept a process that had used it alive 10 s longer. Runs only when some
 * migration is pending (roles.ts reads _prisma_migrations first). Same result and errors.
 */
export function applyMigrationsInWorker(databaseUrl: string): Promise<string[]> {
  return inMigrationProcess<string[]>('apply', databaseUrl);
}

/** diffMigrationsToSchema in a child process of its own, as applyMigrationsInWorker. */
export function diffMigrationsToSchemaInWorker(databaseUrl: string): Promise<string> {
  return inMigrationProcess<string>('diff', databaseUrl);
}

/** What a migration process is asked to do (migrate-worker.ts). */
export type MigrationOp = 'apply' | 'diff';

async function inMigrationProcess<T>(op: MigrationOp, databaseUrl: string): Promise<T> {
  schemaEngineStarts.count++;
  const { fork } = await import('node:child_process');
  // Node strips the child's TypeScript types as it does the bot's; none of the bot's own Node
  // options (a test runner's, a profiler's) are passed on.
  const child = fork(new URL('./migrate-worker.ts', import.meta.url), [], {
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const result = await new Promise<{ ok: boolean; result?: T; message?: string; stack?: string }>(
      (resolve, reject) => {
        child.once('message', resolve as (m: unknown) => void);
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          reject(new Error(`the migration process exited (${signal ?? `code ${code}`}) before answering`)),
        );
        child.send({ op, url: databaseUrl });
      },
    );
    if (!result.ok) {
      const err = new Error(result.message);
      if (result.stack) err.stack = result.stack;
      throw err;
    }
    return result.result as T;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // It disconnects and exits once it has answered; a process that does not is ended.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}
