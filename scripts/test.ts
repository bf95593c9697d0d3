// npm test: runs the test files with Node's test runner, each file in a process of its own, and
// reports every file with its time (test/support/file-times-reporter.ts).
//
//   npm test                           typecheck, then every test/**/*.test.ts
//   npm test -- test/db/foo.test.ts    only the files (or folders) named, no typecheck
//   npm run test:unit                  the unit tier: pure tests, no database, server or process (seconds)
//   npm test -- --test-name-pattern=x  other options go to `node --test` as they are
//
// Settings: TEST_CONCURRENCY (files side by side; default one more than the machine's cores: the
// suite is mostly CPU-bound, and the extra file fills the time others wait on timers), TEST_SLOWEST (how many of the slowest files are
// listed at the end; default 10). See docs/testing.md.
import { spawnSync } from 'node:child_process';
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

function main(argv: string[]): number {
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

  // The whole suite is typechecked first (a type error fails it in seconds); a file or a tier is not.
  if (all && !unit) {
    const started = Date.now();
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (tsc.status !== 0) {
      console.error(`typecheck failed (tsc --noEmit): ${tsc.status ?? tsc.signal}`);
      return 1;
    }
    console.log(`✔ ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  typecheck (tsc --noEmit)`);
  }

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
  const run = spawnSync(
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
  return run.status ?? 1;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
