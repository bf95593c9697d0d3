// The repository needs nothing beside it: no tracked file refers to a "shared" folder next to the
// checkout (the specs the tests use are in test/fixtures/specs/), nor to the variable that pointed there.
// The patterns are assembled from pieces so that this file does not match itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from './support/specs.ts';

const SHARED = 'sha' + 'red';
const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  // the folder one level up, with either slash, e.g. in a path to its specs
  { what: `the ../${SHARED} folder`, pattern: new RegExp(`\\.\\.[\\\\/]+${SHARED}\\b`) },
  // the same built with path.join / path.resolve from '..' and the folder's name
  { what: `a '..', '${SHARED}' path`, pattern: new RegExp(`['"\`]\\.\\.['"\`]\\s*,\\s*['"\`]${SHARED}['"\`]`) },
  { what: `the ${SHARED.toUpperCase()}_DIR variable`, pattern: new RegExp(`\\b${SHARED.toUpperCase()}_DIR\\b`) },
  { what: `a ${SHARED}Dir() helper`, pattern: new RegExp(`\\b${SHARED}Dir\\b`) },
];

/** The repository's files: what git tracks, or (outside a git checkout) every file but dependencies and data. */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    return out.split('\0').filter(Boolean);
  } catch {
    const skip = new Set(['.git', 'node_modules', 'data', '.tmp', 'generated']);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
        if (skip.has(entry.name)) continue;
        const rel = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(rel);
        else if (entry.isFile()) files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

test('no file in the repository refers to a folder beside it', () => {
  const files = repositoryFiles();
  assert.ok(
    files.includes('package.json') && files.some((f) => f.startsWith('test/')),
    `listed the repository's files (${files.length})`,
  );
  const found: string[] = [];
  let scanned = 0;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(repoRoot, file));
    } catch {
      continue; // deleted in the work tree but not yet in the index
    }
    if (bytes.includes(0)) continue; // binary (e.g. a gzip-compressed spec)
    scanned++;
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      for (const { what, pattern } of FORBIDDEN)
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.ok(scanned > 100, `scanned the text files (${scanned})`);
  assert.deepEqual(found, [], 'carry what is needed into the repository (test/fixtures/ for test data) instead');
});

test('the patterns catch what they are meant to', () => {
  const hits = (line: string) => FORBIDDEN.filter(({ pattern }) => pattern.test(line)).map(({ what }) => what);
  const up = `..${'/'}${SHARED}`;
  assert.equal(hits(`// specs from ${up}/specs`).length, 1);
  assert.equal(hits(`const d = path.resolve(root, '..', '${SHARED}');`).length, 1);
  assert.equal(hits(`process.env.${SHARED.toUpperCase()}_DIR`).length, 1);
  assert.equal(hits(`..\\${SHARED}\\tools`).length, 1);
  assert.deepEqual(hits(`the pool is ${SHARED} by every replica; ${up}ness; ${SHARED}_dir`), []);
});
