// No Docker engine runs here: the Dockerfile is read and checked for what the image must do
// (multi-stage, non-root, a health check on /healthz, the same start as `npm start`, and every
// file that start reads copied into the final stage).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

/** Instructions by stage, continuation lines joined, comments and blank lines dropped. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    assert.ok(m, `an instruction: ${line}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from, `FROM image [AS name]: ${line}`);
      stages.push({ base: from[1]!, name: from[2] ?? null, instructions: [] });
      continue;
    }
    assert.ok(stages.length > 0, `${op} after a FROM`);
    stages.at(-1)!.instructions.push({ op, args });
  }
  return stages;
}

const stages = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1);
/** [sources, destination, flags] of each COPY in the final stage. */
const copies = runtime.instructions
  .filter((i) => i.op === 'COPY')
  .map((i) => {
    const words = i.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const rest = words.filter((w) => !w.startsWith('--'));
    return { from: /--from=(\S+)/.exec(flags.join(' '))?.[1] ?? null, sources: rest.slice(0, -1), dest: rest.at(-1)!, flags };
  });

describe('Dockerfile', () => {
  test('is multi-stage: named stages, the runtime copies from the build stage', () => {
    assert.ok(stages.length >= 2, 'at least two FROM stages');
    for (const s of stages) assert.ok(s.name, `stage FROM ${s.base} is named (AS …)`);
    const names = new Set(stages.map((s) => s.name));
    const fromStages = copies.filter((c) => c.from !== null);
    assert.ok(fromStages.length > 0, 'the runtime stage copies from another stage');
    for (const c of fromStages) assert.ok(names.has(c.from), `COPY --from=${c.from} names a stage`);
    assert.ok(!runtime.instructions.some((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)), 'no install in the runtime stage');
  });

  test('runs as a user other than root, and owns its data folder', () => {
    const user = last('USER');
    assert.ok(user, 'a USER in the final stage');
    assert.ok(!/^(root|0)(:|$)/.test(user.args), `USER ${user.args} is not root`);
    const userAt = runtime.instructions.indexOf(user);
    assert.ok(!runtime.instructions.slice(userAt).some((i) => i.op === 'USER' && /^(root|0)/.test(i.args)), 'never back to root');
    for (const c of copies) assert.ok(c.flags.includes(`--chown=${user.args}:${user.args}`), `COPY ${c.sources.join(' ')} is owned by ${user.args}`);
    assert.match(runtime.instructions.find((i) => i.op === 'RUN' && i.args.includes('/app/data'))?.args ?? '', new RegExp(`chown ${user.args}`));
  });

  test('has a health check on GET /healthz at $PORT', () => {
    const check = last('HEALTHCHECK');
    assert.ok(check, 'a HEALTHCHECK');
    assert.match(check.args, /^(?:--\S+\s+)*CMD\s/, 'HEALTHCHECK … CMD');
    assert.match(check.args, /\/healthz/);
    assert.match(check.args, /process\.env\.PORT/);
    assert.match(check.args, /--interval=\d+s/);
  });

  test('starts src/main.ts exactly as `npm start` does (migrations apply on that start)', () => {
    const cmd = last('CMD');
    assert.ok(cmd, 'a CMD');
    const argv = JSON.parse(cmd.args) as string[];
    assert.ok(Array.isArray(argv), 'exec form, so the SIGTERM from docker stop reaches node');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.deepEqual(argv, pkg.scripts.start!.split(/\s+/));
    assert.equal(argv.at(-1), 'src/main.ts');
    // The start that CMD runs applies the committed migrations before the bot listens.
    const database = fs.readFileSync(path.join(ROOT, 'src', 'db', 'database.ts'), 'utf8');
    // (as the URL's own role when any is pending, or as the owner of MIGRATION_DATABASE_URL: src/db/roles.ts).
    assert.match(database, /await applyPendingMigrations\(url, applyMigrationsInWorker\)/);
    assert.match(database, /await migrateAsOwner\(\{ migrationUrl: opts\.migrationUrl, botUrl: url, apply: applyMigrationsInWorker/);
    const app = fs.readFileSync(path.join(ROOT, 'src', 'app.ts'), 'utf8');
    assert.ok(app.indexOf('await openDatabase(') < app.indexOf('await app.start('), 'the database (and its migrations) before listening');
    const env = runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    assert.match(env, /PORT=3000/);
    assert.match(env, /DATA_DIR=\/app\/data/);
    assert.equal(last('EXPOSE')?.args, '3000');
  });

  test('the final stage has everything that start reads, and every COPY source exists', () => {
    const inImage = new Set(copies.flatMap((c) => (c.sources.length === 1 && !c.dest.endsWith('/') ? [c.dest.replace(/^\.\//, '')] : c.sources)));
    for (const needed of ['node_modules', 'package.json', 'tsconfig.json', 'prisma.config.ts', 'prisma', 'src', 'src/generated', 'scripts']) {
      assert.ok(inImage.has(needed), `${needed} is copied into the runtime image`);
    }
    const generated = copies.findIndex((c) => c.dest === './src/generated');
    const sources = copies.findIndex((c) => c.dest === './src');
    assert.ok(copies[generated]!.from !== null && generated > sources, 'the generated client comes from the build stage, after src/');
    for (const c of copies.filter((c) => c.from === null)) {
      for (const s of c.sources) assert.ok(fs.existsSync(path.join(ROOT, s)), `${s} exists`);
    }
    // What the migrations read at run time (src/db/migrate.ts) is in prisma/.
    assert.ok(fs.existsSync(path.join(ROOT, 'prisma', 'schema.prisma')));
    assert.ok(fs.readdirSync(path.join(ROOT, 'prisma', 'migrations')).length > 0);
  });

  test('.dockerignore keeps local dependencies, data and the generated client out of the context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'data', 'src/generated', '.git']) assert.ok(ignored.includes(p), `${p} is ignored`);
  });
});
