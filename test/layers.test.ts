// The house rules of ARCHITECTURE.md, checked on the source: imports point inward (the domain
// imports no other layer, ports import only the domain, use cases no adapter), feature folders
// of the use cases depend one way, and Slack's listeners reach the records only through use cases.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

interface Import {
  from: string;
  /** A file under src/ (relative, with its extension), or a package name. */
  to: string;
  local: boolean;
}

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(SRC, dir), { withFileTypes: true, recursive: true }).flatMap((e) => {
    if (!e.isFile() || !/\.(ts|mjs)$/.test(e.name)) return [];
    return [path.relative(SRC, path.join(e.parentPath, e.name))];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  // `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`.
  const specs = [
    ...text.matchAll(
      /(?:^|[\s}])from\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.map((spec) => {
    if (spec!.startsWith('.'))
      return { from: file, to: path.relative(SRC, path.resolve(SRC, path.dirname(file), spec!)), local: true };
    const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
    return { from: file, to: name, local: false };
  });
}

const under = (dir: string) => (to: string) => to === dir || to.startsWith(`${dir}/`);
const describeAll = (bad: Import[]) => bad.map((i) => `${i.from} imports ${i.to}`);

test('the domain imports only the domain, and only pure packages', () => {
  const pure = new Set(['date-fns', '@date-fns/tz', 'zod', 'node:crypto', 'yaml', 'date-holidays']);
  const all = sources('domain').flatMap(importsOf);
  assert.ok(all.filter((i) => i.local).length > 50 && all.some((i) => i.to === 'zod'), 'the scan finds the imports');
  const bad = all.filter((i) => (i.local ? !under('domain')(i.to) : !pure.has(i.to)));
  assert.deepEqual(describeAll(bad), []);
});

test('ports import only the domain and other ports', () => {
  const bad = sources('ports')
    .flatMap(importsOf)
    .filter((i) => !i.local || !(under('domain')(i.to) || under('ports')(i.to)));
  assert.deepEqual(describeAll(bad), []);
});

test('use cases import the domain, the ports and each other, never an adapter (Slack, the database, PagerDuty, jobs)', () => {
  const allowed = [
    under('domain'),
    under('ports'),
    under('services'),
    (t: string) => ['logger.ts', 'audit-context.ts'].includes(t),
  ];
  const bad = sources('services')
    .flatMap(importsOf)
    .filter((i) => i.local && !allowed.some((ok) => ok(i.to)));
  assert.deepEqual(describeAll(bad), []);
});

test('feature folders depend one way: on-call uses incident, changes and incident use freeze, trackers use review; nothing uses a feature back', () => {
  const features = [
    'incident',
    'review',
    'on-call',
    'audit',
    'changes',
    'freeze',
    'catalog',
    'trackers',
    'records',
    'insights',
  ];
  const mayUse: Record<string, string[]> = {
    // A reopen first ends the freezes its resolve left open (freeze/after-commit.ts), so that none comes back.
    incident: ['freeze'],
    review: [],
    'on-call': ['incident'],
    audit: [],
    // A recorded change meets the freezes (freeze/apply-freeze-to-change.ts).
    changes: ['freeze'],
    freeze: [],
    catalog: [],
    // A change made in a tracker redraws the posted review (review/publish-review.ts).
    trackers: ['review'],
    records: [],
    insights: [],
  };
  const bad = features.flatMap((feature) =>
    sources(`services/${feature}`)
      .flatMap(importsOf)
      .filter((i) => {
        const other = features.find((f) => f !== feature && under(`services/${f}`)(i.to));
        return other !== undefined && !mayUse[feature]!.includes(other);
      }),
  );
  assert.deepEqual(describeAll(bad), []);
  // The helpers at the root are shared by every feature: they use none of them.
  const root = fs
    .readdirSync(path.join(SRC, 'services'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `services/${f}`);
  const rootBad = root.flatMap(importsOf).filter((i) => features.some((f) => under(`services/${f}`)(i.to)));
  assert.deepEqual(describeAll(rootBad), []);
});

test("Slack's listeners reach the records only through use cases (no store, review store, audit trail or load cache)", () => {
  const bad = sources('slack/listeners').flatMap((file) => {
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    return [...text.matchAll(/deps\.(store|reviews|audit|loadCache)\b/g)].map((m) => `${file} uses deps.${m[1]}`);
  });
  assert.deepEqual(bad, []);
});

test('INC- and ACT- references are built by incidentRef and actionRef only', () => {
  const defined = new Set(['domain/incident.ts', 'domain/action-items.ts']);
  const bad = [...sources('domain'), ...sources('services'), ...sources('slack'), ...sources('db')]
    .filter((file) => !defined.has(file))
    .flatMap((file) => {
      const text = fs.readFileSync(path.join(SRC, file), 'utf8');
      return [...text.matchAll(/(INC|ACT)-\$\{/g)].map((m) => `${file} writes ${m[1]}-\${…} by hand`);
    });
  assert.deepEqual(bad, []);
});
