// npm test: runs the test files with Node's test runner, each file in a process of its own, and
// reports every file with its time (test/support/file-times-reporter.ts).
//
//   npm test                           every test/**/*.test.ts, typechecked beside them
//   npm test -- test/db/foo.test.ts    only the files (or folders) named, no typecheck
//   npm run test:unit                  the unit tier: pure tests, no database, server or process (seconds)
//   npm test -- --test-name-pattern=x  other options go to `node --test` as they are
//
// Settings: TEST_CONCURRENCY (files side by side; default one more than the machine's cores: the
// suite is mostly CPU-bound, and the extra file fills the time others wait on timers), TEST_SLOWEST (how many of the slowest files are
// listed at the end; default 10). See docs/testing.md.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The unit tier: tests of pure code (the domain, renderers, parsers), no database or process. */
export const UNIT = [
  'test/domain/',
  'test/charts/',
  'test/pagerduty/',
  'test/slack/',
  'test/jobs/',
  'test/config.test.ts',
  'test/logger.test.ts',
  'test/metrics.test.ts',
  'test/work-limit.test.ts',
  'test/reliability/config.test.ts',
  'test/reliability/deliveries.test.ts',
];

/** Every *.test.ts under `dir` (relative to the repository), sorted. */
export function testFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir.replace(/\/+$/, ''));
  return out.sort();
}

const isUnit = (file: string) => UNIT.some((u) => (u.endsWith('/') ? file.startsWith(u) : file === u));

async function main(argv: string[]): Promise<number> {
  const unit = argv.includes('--unit');
  const options = argv.filter((a) => a.startsWith('-') && a !== '--unit');
  const named = argv.filter((a) => !a.startsWith('-'));
  const files: string[] = [];
  for (const arg of named) {
    const rel = path.relative(ROOT, path.resolve(arg)).split(path.sep).join('/');
    if (!fs.existsSync(path.join(ROOT, rel))) {
      console.error(`npm test: no such file or folder: ${arg}`);
      return 2;
    }
    if (fs.statSync(path.join(ROOT, rel)).isDirectory()) files.push(...testFiles(rel));
    else files.push(rel);
  }
  const all = named.length === 0;
  if (all) files.push(...testFiles('test').filter((f) => !unit || isUnit(f)));
  if (files.length === 0) {
    console.error(`npm test: no test files in ${named.join(' ')}`);
    return 2;
  }

  // The whole suite is typechecked beside the tests (tsc uses one core, for about 10 s, while the
  // first files start); a type error stops the tests and fails the run. A file or a tier is not typechecked.
  const typecheck = all && !unit ? startTypecheck() : null;

  const cache = path.join(ROOT, 'node_modules', '.cache', 'incident-bot-tests');
  fs.mkdirSync(cache, { recursive: true });
  const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()) + 1);
  const reporter = options.some((o) => o.startsWith('--test-reporter'))
    ? []
    : [
        '--test-reporter',
        path.join(ROOT, 'test', 'support', 'file-times-reporter.ts'),
        '--test-reporter-destination',
        'stdout',
      ];
  // The migrated database templates are made once, before the files start (test/support/templates.ts),
  // unless no file needs a database.
  const setup = files.every(isUnit)
    ? []
    : [`--test-global-setup=${path.join(ROOT, 'test', 'support', 'global-setup.ts')}`];
  const tests = spawn(
    process.execPath,
    // --no-wasm-tier-up --no-wasm-dynamic-tiering: V8 runs WebAssembly (PGlite, Prisma's engines) with its baseline compiler only.
    // A test file's process lives seconds; optimising PGlite's 9 MB of WebAssembly in the background
    // cost more CPU than it saved (measured: a quarter of test/integration/declare.test.ts's CPU time).
    [
      '--disable-warning=ExperimentalWarning',
      '--no-wasm-tier-up',
      '--no-wasm-dynamic-tiering',
      '--test',
      `--test-concurrency=${concurrency}`,
      ...setup,
      ...reporter,
      ...options,
      ...files,
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
      // V8's compiled code for the bot's modules is kept between the files' processes (and runs):
      // each file loads most of the bot, about a second of compiling otherwise.
      env: { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(cache, 'compile') },
    },
  );
  const testsDone = exitOf(tests);
  if (typecheck) {
    const checked = await typecheck;
    if (!checked.ok) {
      tests.kill('SIGTERM');
      await testsDone;
      process.stdout.write(checked.output);
      console.error(`typecheck failed (tsc --noEmit): the tests were stopped`);
      return 1;
    }
    console.log(`✔ ${checked.seconds.toFixed(1).padStart(5)}s  typecheck (tsc --noEmit)`);
  }
  return await testsDone;
}

const exitOf = (child: ChildProcess) =>
  new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));

/** tsc --noEmit in a process of its own; its output is kept and shown only when it fails. */
async function startTypecheck(): Promise<{ ok: boolean; output: string; seconds: number }> {
  const started = Date.now();
  const tsc = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  tsc.stdout?.on('data', (d: Buffer) => (output += d));
  tsc.stderr?.on('data', (d: Buffer) => (output += d));
  const code = await exitOf(tsc);
  return { ok: code === 0, output, seconds: (Date.now() - started) / 1000 };
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
