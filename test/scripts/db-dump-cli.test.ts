// `npm run db:dump`: pg_dump of the embedded database, served by the script itself on its socket
// while the bot is stopped. Refused with one line, changing nothing, when the folder holds no
// database (it makes none), when another process (the bot) has it open, when DATABASE_URL is set,
// and when pg_dump is missing or older than the embedded PostgreSQL. A stand-in pg_dump (reporting
// version 18, reading the database with psql over the connection it is given) shows what the script
// hands pg_dump; the machine's pg_dump does a real dump when it is new enough.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { holdDataDir } from '../support/hold-data-dir.ts';
import { TS_NODE_ARGS, childEnv } from '../support/node-args.ts';
import { embeddedTemplate } from '../support/templates.ts';
import { declaring, aDeclaration } from '../support/fixtures.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/db-dump.ts', import.meta.url));
const has = (tool: string) => spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;

/** The script as `npm run db:dump -- …args` runs it, in `cwd`, with only `env` (and PATH, HOME). */
function dump(cwd: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [...TS_NODE_ARGS, SCRIPT, ...args], {
    cwd,
    env: { ...childEnv(), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('npm run db:dump', () => {
  let dir: string;
  let data: string;
  let fakePgDump: string;
  const argsFile = () => path.join(dir, 'pg_dump-args');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-dump-'));
    data = path.join(dir, 'data');
    // A database with one incident in it, closed again (the bot stopped).
    const db = await openDatabase({ url: null, dataDir: data, embeddedTemplate: await embeddedTemplate() });
    try {
      await new PrismaIncidentStore(db.prisma).createIfAbsent(
        declaring({
          declareKey: randomUUID(),
          declaration: aDeclaration({ title: 'Dumped title', severity: 'SEV3' }),
          declaredAt: new Date(),
          via: 'test',
        }),
      );
    } finally {
      await db.close();
    }
    fakePgDump = path.join(dir, 'fake-pg_dump');
    fs.writeFileSync(
      fakePgDump,
      [
        '#!/bin/sh',
        'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 18.1"; exit 0; fi',
        `printf '%s\\n' "$@" > '${argsFile()}'`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template.
        'for a in "$@"; do case "$a" in --host=*) host="${a#--host=}";; --file=*) file="${a#--file=}";; esac; done',
        'exec psql "host=$host user=postgres dbname=postgres" -X -A -t -v ON_ERROR_STOP=1 -c "SELECT number, title FROM incident" -o "$file"',
        '',
      ].join('\n'),
      { mode: 0o700 },
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a folder without a database is refused, and none is made', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    for (const [dataDir, shown] of [
      [empty, empty],
      ['nowhere', path.join(dir, 'nowhere')],
    ] as const) {
      const r = dump(dir, { DATA_DIR: dataDir, PG_DUMP: fakePgDump });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(
        r.stderr,
        `No embedded database in ${shown}: set DATA_DIR to the bot's data folder (a relative DATA_DIR is taken from the folder you run this in).\n`,
      );
    }
    assert.deepEqual(fs.readdirSync(empty), [], 'nothing made in it');
    assert.ok(!fs.existsSync(path.join(dir, 'nowhere')), 'no folder made');
    assert.ok(!fs.existsSync(argsFile()), 'pg_dump not run');
  });

  test('DATABASE_URL set, or no pg_dump: one line each', () => {
    const server = dump(dir, { DATA_DIR: data, DATABASE_URL: 'postgresql://bot@db/incidents', PG_DUMP: fakePgDump });
    assert.equal(server.status, 1);
    assert.match(server.stderr, /^DATABASE_URL is set: the bot uses a PostgreSQL server, dump it with pg_dump itself/);
    const missing = dump(dir, { DATA_DIR: data, PG_DUMP: path.join(dir, 'no-such-pg_dump') });
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
    assert.match(
      missing.stderr,
      /no-such-pg_dump was not found: install PostgreSQL's client tools \(version 18 or newer\), or set PG_DUMP/,
    );
  });

  test('serves the stopped database to pg_dump on its socket: a custom-format file named by the date, or the options given', {
    skip: !has('psql') && 'needs psql for the stand-in pg_dump',
  }, () => {
    const r = dump(dir, { DATA_DIR: 'data', PG_DUMP: fakePgDump });
    assert.equal(r.status, 0, r.stderr);
    const file = `incident-bot-${new Date().toISOString().slice(0, 10)}.dump`;
    assert.equal(r.stderr, `Dumped the embedded database in ${data} to ${path.join(dir, file)} with pg_dump 18.\n`);
    assert.equal(
      fs.readFileSync(path.join(dir, file), 'utf8').trim(),
      '1|Dumped title',
      'pg_dump reached the database',
    );
    const given = fs.readFileSync(argsFile(), 'utf8').trim().split('\n');
    assert.deepEqual(given, [
      `--host=${data}`,
      '--username=postgres',
      '--dbname=postgres',
      '--no-password',
      '--format=custom',
      `--file=${file}`,
    ]);

    const plain = path.join(dir, 'plain.sql');
    const again = dump(dir, { DATA_DIR: data, PG_DUMP: fakePgDump }, '--format=plain', `--file=${plain}`);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(
      fs.readFileSync(argsFile(), 'utf8').trim().split('\n').slice(4),
      ['--format=plain', `--file=${plain}`],
      'the options given replace the defaults',
    );
    assert.equal(fs.readFileSync(plain, 'utf8').trim(), '1|Dumped title');
    assert.equal(again.stderr, `Dumped the embedded database in ${data} with pg_dump 18.\n`);
  });

  test('refused while the bot (or any process) has the folder open: its one session is not shared', async () => {
    fs.rmSync(argsFile(), { force: true });
    const holder = await holdDataDir(data);
    try {
      const r = dump(dir, { DATA_DIR: data, PG_DUMP: fakePgDump });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        `The data folder ${data} is in use by another process (pid ${holder.proc.pid}): stop the bot first, or use DATABASE_URL.\n`,
      );
      assert.ok(!fs.existsSync(argsFile()), 'pg_dump not run');
    } finally {
      await holder.kill9();
    }
  });

  test("the machine's pg_dump: refused when older than the embedded PostgreSQL, else a real dump", {
    skip: !has('pg_dump') && 'no pg_dump here',
  }, () => {
    const r = dump(dir, { DATA_DIR: data }, '--format=custom', `--file=${path.join(dir, 'real.dump')}`);
    if (r.status !== 0) {
      assert.match(
        r.stderr,
        /^pg_dump is version \d+, older than the embedded PostgreSQL 18 \(pg_dump refuses a newer server\): install the PostgreSQL 18 client tools, or set PG_DUMP to their pg_dump\.\n$/,
      );
      assert.ok(!fs.existsSync(path.join(dir, 'real.dump')));
      return;
    }
    const list = spawnSync('pg_restore', ['--list', path.join(dir, 'real.dump')], { encoding: 'utf8' });
    assert.match(list.stdout, /TABLE DATA public incident /);
  });
});
