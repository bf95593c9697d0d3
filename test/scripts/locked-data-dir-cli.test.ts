// `npm run review`, `npm run audit:verify` and `npm run db:migrate` while another process (the
// bot) has the embedded database open: each is refused with one line naming the folder, exits
// non-zero and changes nothing (no migration). Once that process is gone, even by kill -9, they work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { holdDataDir } from '../support/hold-data-dir.ts';
import { childEnv } from '../support/node-args.ts';

function run(script: string, dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', script, ...args], {
    env: { ...childEnv(), DATA_DIR: dataDir, TZ_DEFAULT: 'Europe/London' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('review, audit:verify and db:migrate are refused while the folder is open elsewhere, and work once it is not', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-locked-'));
  try {
    // A new database, never migrated: any migration run would show as _prisma_migrations.
    const holder = await holdDataDir(dataDir);
    try {
      const line = `The data folder ${dataDir} is in use by another process (pid ${holder.proc.pid}): stop the bot first, or use DATABASE_URL.\n`;
      for (const [script, args, code] of [
        ['scripts/review.ts', ['1'], 1],
        ['scripts/audit-verify.ts', [], 2],
        ['scripts/migrate.ts', [], 1],
      ] as const) {
        const r = run(script, dataDir, ...args);
        assert.equal(r.status, code, `${script}: ${r.stderr}`);
        assert.equal(r.stderr, line, `${script}: one line`);
        assert.equal(r.stdout, '', script);
      }
      const c = new pg.Client({ connectionString: holder.url });
      await c.connect();
      try {
        const { rows } = await c.query("SELECT to_regclass('_prisma_migrations') AS t");
        assert.deepEqual(rows, [{ t: null }], 'no migration ran');
      } finally {
        await c.end();
      }
    } finally {
      await holder.kill9();
    }
    // The lock the killed process left does not stand in the way.
    const migrate = run('scripts/migrate.ts', dataDir);
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stdout, /Applied .* to embedded PGlite/);
    const verify = run('scripts/audit-verify.ts', dataDir);
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /Audit trail intact: 0 incidents/);
    const review = run('scripts/review.ts', dataDir, '1');
    assert.equal(review.status, 1);
    assert.match(review.stderr, /No incident INC-1 in embedded PGlite/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
