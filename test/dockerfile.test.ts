// No Docker engine runs here: the Dockerfile is read and checked for what the image must do
// (multi-stage on Node 24, production dependencies only, non-root with its code read-only to it,
// tini as PID 1, a volume for the embedded data, a health check on /healthz, the same start as
// `npm start` in plain Node, and every file that start reads copied into the final stage).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';

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
    if (line.startsWith('#') || (current === '' && line === '')) continue;
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

const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1);
const indexOf = (i: Instruction | undefined) => (i ? runtime.instructions.indexOf(i) : -1);
/** [sources, destination, flags] of each COPY in the final stage. */
const copies = runtime.instructions
  .filter((i) => i.op === 'COPY')
  .map((i) => {
    const words = i.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const rest = words.filter((w) => !w.startsWith('--'));
    return {
      from: /--from=(\S+)/.exec(flags.join(' '))?.[1] ?? null,
      sources: rest.slice(0, -1),
      dest: rest.at(-1)!,
      flags,
    };
  });
const stage = (name: string) => stages.find((s) => s.name === name);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const operations = fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
const DRAIN_SECONDS = loadConfig({
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'x'.repeat(16),
  INCIDENT_BROADCAST_CHANNEL: 'C0123',
}).SHUTDOWN_TIMEOUT_SECONDS;

/** The packages `npm ci --omit=dev --omit=optional` installs at the top of node_modules, from the lock. */
function productionPackages(): Set<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
  };
  const names = new Set<string>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/')) continue;
    const name = key.slice('node_modules/'.length);
    if (name.includes('node_modules/') || entry.dev || entry.optional || entry.devOptional) continue;
    names.add(name);
  }
  return names;
}

/** Every file under `dir` (relative to the repository) with one of `exts`. */
function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (e.isFile() && exts.some((x) => e.name.endsWith(x)))
      out.push(path.relative(ROOT, path.join(e.parentPath, e.name)));
  }
  return out;
}

/** Bare module specifiers a file loads at run time (type-only imports are erased, node: builtins left out). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\n])\s*(?:import|export)\s+(type\s+)?[^;'"`]*?\bfrom\s+['"]([^'"]+)['"]/g))
    if (!m[1]) specs.push(m[2]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|[;\n])\s*import\s+['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  return specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'));
}
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('Dockerfile', () => {
  test('is multi-stage: named stages, the runtime copies from the build stages', () => {
    assert.ok(stages.length >= 2, 'at least two FROM stages');
    for (const s of stages) assert.ok(s.name, `stage FROM ${s.base} is named (AS …)`);
    const names = new Set(stages.map((s) => s.name));
    const fromStages = copies.filter((c) => c.from !== null);
    assert.ok(fromStages.length > 0, 'the runtime stage copies from another stage');
    for (const c of fromStages) assert.ok(names.has(c.from), `COPY --from=${c.from} names a stage`);
    assert.ok(
      !runtime.instructions.some((i) => i.op === 'RUN' && /\bnpm (ci|install)\b/.test(i.args)),
      'no install in the runtime stage',
    );
  });

  test('every stage is Node 24 on Debian bookworm slim', () => {
    for (const s of stages)
      assert.match(s.base, /^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `${s.name}: FROM ${s.base}`);
  });

  test('runs plain Node: no tsx, esbuild or loader anywhere in the image build or its start', () => {
    assert.doesNotMatch(
      dockerfile.replace(/^\s*#.*$/gm, ''),
      /\btsx\b|esbuild|--import|--loader|--experimental-strip-types|ts-node/,
    );
    // Node 24 strips the types itself, and loads Prisma's WebAssembly schema engine without a flag.
    assert.doesNotMatch(last('CMD')?.args ?? '', /--experimental-wasm-modules/);
  });

  test('resvg’s native binary, an optional per-platform package --omit=optional leaves out, is added for the image’s platform at the lock’s version and integrity', () => {
    const nodeModules = copies.find((c) => c.dest === './node_modules');
    const deps = stage(nodeModules!.from!);
    const fetch = deps!.instructions.find((i) => i.op === 'RUN' && i.args.includes('@resvg/resvg-js-linux-'));
    assert.ok(fetch, 'the deps stage fetches resvg’s binary');
    for (const part of [
      'process.arch',
      '-gnu',
      'package-lock.json',
      '.integrity',
      'npm pack',
      'createHash',
      'tar -xzf',
    ])
      assert.ok(fetch.args.includes(part), `it uses ${part}`);
    // The lock names the binary the image's platform (linux, glibc) needs, with its integrity.
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const binary = lock.packages['node_modules/@resvg/resvg-js-linux-x64-gnu'];
    assert.equal(binary?.version, lock.packages['node_modules/@resvg/resvg-js'].version);
    assert.match(binary?.integrity ?? '', /^sha512-/);
  });

  test('production dependencies only: the runtime node_modules is `npm ci --omit=dev`, without the Prisma CLI or Studio', () => {
    const nodeModules = copies.find((c) => c.dest === './node_modules');
    assert.ok(nodeModules?.from, 'node_modules comes from a build stage');
    const deps = stage(nodeModules.from);
    assert.ok(deps, `stage ${nodeModules.from}`);
    const install = deps.instructions.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    assert.ok(install, `${deps.name} runs npm ci`);
    for (const flag of ['--omit=dev', '--omit=optional', '--ignore-scripts'])
      assert.ok(install.args.split(/\s+/).includes(flag), `npm ci ${flag}`);
    const production = productionPackages();
    // What that install holds: none of the development tools (the Prisma CLI and Studio, the compiler, the test tools)…
    for (const tool of [
      'prisma',
      '@prisma/studio-core',
      '@prisma/engines',
      '@prisma/dev',
      'typescript',
      '@stoplight/prism-cli',
      'fast-check',
      'kubernetes-models',
      'composeverter',
      'tsx',
      'esbuild',
    ]) {
      assert.ok(!production.has(tool), `${tool} is not installed in the image`);
    }
    assert.ok(
      !('prisma' in pkg.dependencies),
      'the Prisma CLI is a development dependency (it only generates the client, in the build stage)',
    );
    // …and every package that the code in the image loads.
    const files = [...filesUnder('src', ['.ts', '.mjs', '.js']), ...filesUnder('scripts', ['.ts', '.mjs', '.js'])];
    assert.ok(
      files.some((f) => f.startsWith('src/generated/')),
      'the generated client is scanned too',
    );
    const missing = files.flatMap((f) =>
      runtimeImports(f)
        .filter((s) => !production.has(packageOf(s)))
        .map((s) => `${f}: ${s}`),
    );
    assert.deepEqual(missing, [], 'imported at run time but not a production package');
  });

  test('the Prisma files it prunes are none that the generated client loads', () => {
    const deps = stage(copies.find((c) => c.dest === './node_modules')!.from!)!;
    const prune = deps.instructions
      .map((i) => /\bfind (node_modules\/@prisma\/client\/runtime .*?) -delete\b/.exec(i.args)?.[1])
      .find(Boolean);
    assert.ok(prune, 'a find … -delete in the deps stage');
    // The same find, printing instead of deleting, on this checkout's node_modules.
    const args = prune
      .replace(/\\([()])/g, '$1')
      .match(/'[^']*'|\S+/g)!
      .map((a) => a.replace(/^'(.*)'$/, '$1'));
    const deleted = new Set(
      execFileSync('find', [...args, '-print'], { cwd: ROOT, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean),
    );
    assert.ok(deleted.size > 10, "it removes the other databases' query compilers");
    const runtimeFiles = filesUnder('src/generated', ['.ts'])
      .flatMap(runtimeImports)
      .filter((s) => s.startsWith('@prisma/client/runtime/'))
      .map((s) => `node_modules/${s}`);
    assert.ok(
      runtimeFiles.some((f) => f.includes('postgresql')),
      'the generated client loads the PostgreSQL query compiler',
    );
    for (const f of runtimeFiles) {
      const candidates = [f, `${f}.mjs`, `${f}.js`].filter((c) => fs.existsSync(path.join(ROOT, c)));
      assert.ok(candidates.length > 0, `${f} exists`);
      for (const c of candidates) assert.ok(!deleted.has(c), `${c} is kept`);
    }
    for (const kept of ['client.mjs', 'client.js'])
      assert.ok(!deleted.has(`node_modules/@prisma/client/runtime/${kept}`), kept);
  });

  test('runs as a user other than root, owning its data folder and nothing of its code', () => {
    const user = last('USER');
    assert.ok(user, 'a USER in the final stage');
    assert.ok(!/^(root|0)(:|$)/.test(user.args), `USER ${user.args} is not root`);
    const userAt = runtime.instructions.indexOf(user);
    assert.ok(
      !runtime.instructions.slice(userAt).some((i) => i.op === 'USER' && /^(root|0)/.test(i.args)),
      'never back to root',
    );
    // The code stays root's, readable but not writable by the bot's user.
    for (const c of copies)
      assert.ok(
        !c.flags.some((f) => f.startsWith('--chown')),
        `COPY ${c.sources.join(' ')} is root's, read-only to ${user.args}`,
      );
    const dataRun = runtime.instructions.find((i) => i.op === 'RUN' && i.args.includes('/app/data'));
    assert.match(dataRun?.args ?? '', new RegExp(`chown ${user.args}:${user.args} /app/data`));
    assert.match(dataRun?.args ?? '', /chmod 700 \/app\/data/);
  });

  test('a VOLUME for the embedded data, where DATA_DIR points, declared after its owner is set', () => {
    const volume = last('VOLUME');
    assert.ok(volume, 'a VOLUME');
    const paths = volume.args.startsWith('[') ? (JSON.parse(volume.args) as string[]) : volume.args.split(/\s+/);
    assert.deepEqual(paths, ['/app/data']);
    const env = runtime.instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    assert.match(env, /DATA_DIR=\/app\/data\b/);
    // Changes to a volume's path after VOLUME are discarded: the chown must come first.
    const dataRun = runtime.instructions.find((i) => i.op === 'RUN' && i.args.includes('/app/data'));
    assert.ok(indexOf(dataRun) < indexOf(volume), 'the data folder is made and chowned before VOLUME');
    assert.ok(
      !runtime.instructions.slice(indexOf(volume)).some((i) => i.op === 'RUN' && i.args.includes('/app/data')),
      'nothing changes it after',
    );
    // The docs show a docker run that mounts it.
    assert.match(operations, /docker run [^\n`]*-v \S+:\/app\/data/);
  });

  test('tini from Debian is PID 1: it forwards the stop signal to node and reaps zombies', () => {
    const entrypoint = last('ENTRYPOINT');
    assert.ok(entrypoint, 'an ENTRYPOINT');
    const argv = JSON.parse(entrypoint.args) as string[];
    assert.equal(argv[0], '/usr/bin/tini', 'exec form, tini first');
    assert.equal(argv.at(-1), '--', "the CMD is tini's child, with its own arguments");
    const install = runtime.instructions.find((i) => i.op === 'RUN' && /apt-get install\b.*\btini\b/.test(i.args));
    assert.ok(install, "the runtime stage installs Debian's tini package");
    assert.ok(indexOf(install) < indexOf(last('USER')), 'as root, before USER');
    assert.match(install.args, /--no-install-recommends/);
    assert.match(install.args, /rm -rf \/var\/lib\/apt\/lists/);
    // STOPSIGNAL, if set, is SIGTERM: what the bot drains on.
    assert.match(last('STOPSIGNAL')?.args ?? 'SIGTERM', /^(SIGTERM|15)$/);
  });

  test(`the docs give docker stop more than the drain time (SHUTDOWN_TIMEOUT_SECONDS, ${DRAIN_SECONDS} s)`, () => {
    const timeouts = [...operations.matchAll(/--stop-timeout[ =](\d+)/g)].map((m) => Number(m[1]));
    assert.ok(timeouts.length > 0, 'docs/operations.md shows --stop-timeout');
    for (const t of timeouts) assert.ok(t > DRAIN_SECONDS, `--stop-timeout ${t} > ${DRAIN_SECONDS}`);
  });

  test('has a health check on GET /healthz at $PORT', () => {
    const check = last('HEALTHCHECK');
    assert.ok(check, 'a HEALTHCHECK');
    assert.match(check.args, /^(?:--\S+\s+)*CMD\s/, 'HEALTHCHECK … CMD');
    assert.match(check.args, /\/healthz/);
    assert.match(check.args, /process\.env\.PORT/);
    assert.match(check.args, /--interval=\d+s/);
  });

  test('starts src/main.ts in plain Node, as `npm start` does (migrations apply on that start)', () => {
    const cmd = last('CMD');
    assert.ok(cmd, 'a CMD');
    const argv = JSON.parse(cmd.args) as string[];
    assert.ok(Array.isArray(argv), 'exec form, so the SIGTERM from docker stop reaches node through tini');
    assert.deepEqual(argv, pkg.scripts.start!.split(/\s+/), 'exactly what npm start runs');
    assert.equal(argv[0], 'node');
    assert.equal(argv.at(-1), 'src/main.ts');
    assert.ok(!argv.some((a) => /tsx|--import|--loader/.test(a)), 'no TypeScript loader: Node strips the types');
    // The start that CMD runs applies the committed migrations before the bot listens (unless MIGRATE_ON_START=false).
    const database = fs.readFileSync(path.join(ROOT, 'src', 'db', 'database.ts'), 'utf8');
    // (as the URL's own role when any is pending, or as the owner of MIGRATION_DATABASE_URL: src/db/roles.ts).
    assert.match(database, /await applyPendingMigrations\(url, applyMigrationsInWorker\)/);
    assert.match(
      database,
      /await migrateAsOwner\(\{\s*migrationUrl: opts\.migrationUrl,\s*botUrl: url,\s*apply: applyMigrationsInWorker/,
    );
    const app = fs.readFileSync(path.join(ROOT, 'src', 'app.ts'), 'utf8');
    assert.ok(
      app.indexOf('await openDatabase(') < app.indexOf('await app.start('),
      'the database (and its migrations) before listening',
    );
    const env = runtime.instructions
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    assert.match(env, /PORT=3000/);
    assert.match(env, /NODE_ENV=production/);
    assert.equal(last('EXPOSE')?.args, '3000');
  });

  test('the final stage has everything that start reads, and every COPY source exists', () => {
    const inImage = new Set(
      copies.flatMap((c) =>
        c.sources.length === 1 && !c.dest.endsWith('/') ? [c.dest.replace(/^\.\//, '')] : c.sources,
      ),
    );
    for (const needed of ['node_modules', 'package.json', 'prisma', 'src', 'src/generated', 'scripts']) {
      assert.ok(inImage.has(needed), `${needed} is copied into the runtime image`);
    }
    // prisma.config.ts imports the Prisma CLI, which the image does not have; nothing at run time reads it.
    assert.ok(!inImage.has('prisma.config.ts'), 'prisma.config.ts stays in the build stage');
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).type,
      'module',
      'package.json makes src/*.ts ES modules',
    );
    const generated = copies.findIndex((c) => c.dest === './src/generated');
    const sources = copies.findIndex((c) => c.dest === './src');
    assert.ok(
      copies[generated]!.from !== null && generated > sources,
      'the generated client comes from the build stage, after src/',
    );
    for (const c of copies.filter((c) => c.from === null)) {
      for (const s of c.sources) assert.ok(fs.existsSync(path.join(ROOT, s)), `${s} exists`);
    }
    // What the migrations read at run time (src/db/migrate.ts) is in prisma/.
    assert.ok(fs.existsSync(path.join(ROOT, 'prisma', 'schema.prisma')));
    assert.ok(fs.readdirSync(path.join(ROOT, 'prisma', 'migrations')).length > 0);
    // The build stage that generates the client has what the Prisma CLI reads.
    const client = stage(copies[generated]!.from!)!;
    const clientCopies = client.instructions
      .filter((i) => i.op === 'COPY')
      .map((i) => i.args)
      .join(' ');
    for (const f of ['package-lock.json', 'prisma.config.ts', 'prisma', 'scripts/prisma-generate.mjs'])
      assert.ok(clientCopies.includes(f), `${client.name} copies ${f}`);
    assert.ok(
      client.instructions.some((i) => i.op === 'RUN' && i.args.includes('node scripts/prisma-generate.mjs')),
      'and generates the client',
    );
  });

  test('.dockerignore keeps local dependencies, data, the generated client and secrets out of the context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'data', 'src/generated', '.git', '.env', '**/.env', '**/*.env'])
      assert.ok(ignored.includes(p), `${p} is ignored`);
  });
});
