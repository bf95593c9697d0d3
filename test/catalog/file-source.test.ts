// CATALOG_PATH as a file or a folder: recursive, *.yaml/*.yml/*.json only, dot-folders and
// node_modules left out, sources named relative to the folder, bad files as problems.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CatalogUnreadable, readCatalogPath } from '../../src/catalog/file-source.ts';
import { CATALOG_LIMITS } from '../../src/catalog/entities.ts';

const component = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: production
  owner: platform
`;

describe('readCatalogPath', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('catalog-info.yaml', `${component('ehr-api')}---\n${component('pharmacy')}`);
    write(
      'teams/platform.yml',
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\nspec:\n  type: team\n  children: []\n',
    );
    write(
      'more/deeper/lab.json',
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'lab' },
        spec: { type: 'service', lifecycle: 'production', owner: 'platform' },
      }),
    );
    write('more/broken.yaml', 'kind: Component\nmetadata:\n  name: broken\n');
    write('.git/ignored.yaml', component('hidden'));
    write('node_modules/pkg/catalog-info.yaml', component('from-a-package'));
    write('README.md', '# not a catalog file');
    write('huge.yaml', `# ${'x'.repeat(CATALOG_LIMITS.fileBytes)}`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a folder: every catalog file under it, bad ones as problems', async () => {
    const c = await readCatalogPath(dir);
    assert.deepEqual(c.services.map((s) => s.name).sort(), ['ehr-api', 'lab', 'pharmacy']);
    assert.deepEqual(
      c.groups.map((g) => g.name),
      ['platform'],
    );
    assert.deepEqual(c.problems.map((p) => p.source).sort(), ['huge.yaml', path.join('more', 'broken.yaml#1')].sort());
    assert.match(c.problems.find((p) => p.source === 'huge.yaml')!.message, /larger than/);
  });

  test('a file: only that file; sources named by the file', async () => {
    const c = await readCatalogPath(path.join(dir, 'more', 'broken.yaml'));
    assert.deepEqual(c.services, []);
    assert.deepEqual(
      c.problems.map((p) => p.source),
      ['broken.yaml#1'],
    );
    const one = await readCatalogPath(path.join(dir, 'catalog-info.yaml'));
    assert.deepEqual(
      one.services.map((s) => s.name),
      ['ehr-api', 'pharmacy'],
    );
  });

  test('a path that does not exist cannot be read at all', async () => {
    await assert.rejects(readCatalogPath(path.join(dir, 'nope')), CatalogUnreadable);
  });
});
