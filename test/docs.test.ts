// The documentation's relative links resolve: every linked file exists, and every #anchor names a
// heading of the linked Markdown file (as GitHub makes anchors from headings).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');
const documents = [
  'README.md',
  'CHANGELOG.md',
  'ARCHITECTURE.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchors for a document's headings (lower case, punctuation dropped, spaces as hyphens, repeats numbered). */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replaceAll(' ', '-');
    const n = seen.get(slug);
    seen.set(slug, n === undefined ? 0 : n + 1);
    out.add(n === undefined ? slug : `${slug}-${n + 1}`);
  }
  return out;
}

describe('documentation links', () => {
  for (const doc of documents) {
    test(`${doc}: every relative link resolves`, () => {
      const file = path.join(root, doc);
      const broken: string[] = [];
      for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [linked, fragment] = target!.split('#', 2) as [string, string | undefined];
        const resolved = linked ? path.resolve(path.dirname(file), linked) : file;
        if (!existsSync(resolved)) broken.push(`${target} (no such file)`);
        else if (fragment && resolved.endsWith('.md') && !anchors(resolved).has(fragment))
          broken.push(`${target} (no such heading)`);
      }
      assert.deepEqual(broken, []);
    });
  }

  test('the anchors are made as GitHub makes them', () => {
    const a = anchors(path.join(root, 'docs/security.md'));
    assert.ok(a.has('private-incidents-and-the-phipii-guard'));
    assert.ok(a.has('evidence-the-audit-trail'));
    assert.ok(anchors(path.join(root, 'docs/operations.md')).has('migrate_on_start'));
  });
});
