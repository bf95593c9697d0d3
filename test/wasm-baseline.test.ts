// Every process that runs WebAssembly (PGlite's Postgres, Prisma's query compiler and schema engine)
// turns V8's optimising tier-up off before it loads any (src/wasm-baseline.mjs), however it is
// started: each npm script that opens the database and each thread or child process the database
// starts imports that module first, before anything else is evaluated.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The module specifiers a file imports, in order (static imports only). */
const importsOf = (file: string) =>
  [
    ...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!);

const firstImportIsBaseline = (file: string) => {
  const first = importsOf(file)[0];
  assert.ok(first, `${file} imports something`);
  assert.equal(
    path.resolve(ROOT, path.dirname(file), first),
    path.join(ROOT, 'src', 'wasm-baseline.mjs'),
    `${file}: the first import is src/wasm-baseline.mjs`,
  );
};

test('every npm script that opens the database imports wasm-baseline first', () => {
  const entries = new Set<string>();
  for (const command of Object.values<string>(pkg.scripts))
    for (const m of command.matchAll(/\bnode\b[^&|;]*?\s((?:src|scripts)\/[\w./-]+\.(?:ts|mjs))/g)) entries.add(m[1]!);
  const opening = [...entries].filter((file) =>
    importsOf(file).some((spec) => /(^|\/)db\//.test(spec) || spec.endsWith('/app.ts')),
  );
  for (const expected of [
    'src/main.ts',
    'scripts/review.ts',
    'scripts/audit-verify.ts',
    'scripts/migrate.ts',
    'scripts/db-dump.ts',
  ])
    assert.ok(entries.has(expected), `${expected} is an npm script`);
  for (const file of [...opening, 'src/main.ts']) firstImportIsBaseline(file);
});

test("the embedded database's thread and child process, and the migrations' child, import it first", () => {
  for (const file of [
    'src/db/embedded-worker.mjs',
    'src/db/migrate-worker.ts',
    'src/db/database.ts',
    'src/db/embedded-template.ts',
  ])
    firstImportIsBaseline(file);
});

test('wasm-baseline.mjs turns off the tier-up and the dynamic tiering', () => {
  const source = fs.readFileSync(path.join(ROOT, 'src', 'wasm-baseline.mjs'), 'utf8');
  assert.match(source, /setFlagsFromString\('--no-wasm-tier-up'\)/);
  assert.match(source, /setFlagsFromString\('--no-wasm-dynamic-tiering'\)/);
});
