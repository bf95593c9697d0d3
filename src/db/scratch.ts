// A throw-away database on a PostgreSQL server, for schema diffs and tests.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `template`: a database on the server to copy (CREATE DATABASE … TEMPLATE; nobody may be connected to it). */
export async function createScratchDatabase(
  serverUrl: string,
  prefix = 'scratch',
  opts: { template?: string } = {},
): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE "${name}"${opts.template ? ` TEMPLATE "${opts.template.replaceAll('"', '""')}"` : ''}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
