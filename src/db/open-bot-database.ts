// The bot's database as its configuration names it: the PostgreSQL server of DATABASE_URL, else the
// embedded one in DATA_DIR. Its own module so that `npm start` can begin opening it (the embedded
// database's thread, or the migrations' process, working on the other core) while the rest of the
// bot is still loading (src/main.ts).
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, type Database } from './database.ts';

export function openBotDatabase(
  config: Config,
  logger: Logger,
  /** A new embedded database starts from this migrated tarball (default: the one made at install; null: none). */
  embeddedTemplate?: string | null,
): Promise<Database> {
  return openDatabase({
    url: config.DATABASE_URL ?? null,
    migrationUrl: config.MIGRATION_DATABASE_URL ?? null,
    // Several replicas: a migration Job applies them, each replica only checks that none is pending.
    migrate: config.MIGRATE_ON_START ? true : 'check',
    dataDir: config.DATA_DIR === ':memory:' ? null : config.DATA_DIR,
    onIdleError: (err) => logger.warn({ err }, 'a database connection was closed by the server'),
    ...(embeddedTemplate !== undefined ? { embeddedTemplate } : {}),
  });
}
