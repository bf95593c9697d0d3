// The vendor specs carried in test/fixtures/specs/: each is what sources.json says it is (the upstream
// file's SHA-256, or for PagerDuty's unlicensed spec the excerpt of the paths the bot calls), each has its
// licence or notice, README.md names each commit, and `npm run specs:refresh` makes the same files again
// from a folder of copies (no network).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

import {
  GITHUB_PATHS,
  JIRA_PATHS,
  PAGERDUTY_PATHS,
  pruneOpenApi3,
  SOURCES,
  type SourceRecord,
} from '../scripts/refresh-specs.ts';
import { TS_NODE_ARGS } from './support/node-args.ts';
import {
  patchedJiraSpec,
  patchedPagerDutySpec,
  patchedSlackSpec,
  repoRoot,
  slackManifestSchema,
  specsDir,
} from './support/specs.ts';

const execFileAsync = promisify(execFile);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const content = (file: string) => {
  const bytes = readFileSync(path.join(specsDir, file));
  return file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
};
/** How each licence's text begins (or what it says), by SPDX id. */
const LICENCE_TEXT: Record<'MIT' | 'Apache-2.0', RegExp> = {
  MIT: /MIT License[\s\S]*Permission is hereby granted/,
  'Apache-2.0':
    /Apache License\s+Version 2\.0, January 2004[\s\S]*TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/,
};
const records = JSON.parse(readFileSync(path.join(specsDir, 'sources.json'), 'utf8')) as SourceRecord[];

describe('test/fixtures/specs', () => {
  test('sources.json records every source, and each fixture is the file it records', () => {
    assert.deepEqual(records.map((r) => r.vendor).sort(), SOURCES.map((s) => s.vendor).sort());
    for (const source of SOURCES) {
      const record = records.find((r) => r.vendor === source.vendor)!;
      assert.equal(record.repo, source.repo);
      assert.equal(record.path, source.path);
      assert.equal(record.file, `${source.vendor}/${source.file}`);
      if (source.npm) {
        // From an npm package: its name and version say which file it is.
        assert.equal(record.package, source.npm.package);
        assert.equal(record.version, source.npm.version);
      } else assert.match(record.commit ?? '', /^[0-9a-f]{40}$/, `${source.vendor}: the upstream commit is recorded`);
      assert.ok(!Number.isNaN(Date.parse(record.committed ?? '')), `${source.vendor}: the commit's date is recorded`);
      assert.equal(
        sha256(content(record.file)),
        record.sha256,
        `${record.file} was changed by hand: run npm run specs:refresh`,
      );
      if (source.excerptPaths) assert.deepEqual(record.excerptPaths, source.excerptPaths);
      else assert.equal(record.sha256, record.upstreamSha256, `${record.file} is the upstream file, unmodified`);
    }
  });

  test('each source has its licence (or, without one upstream, a notice), and README.md names its commit', () => {
    const readme = readFileSync(path.join(specsDir, 'README.md'), 'utf8');
    for (const source of SOURCES) {
      const dir = path.join(specsDir, source.vendor);
      if (source.licence) assert.match(readFileSync(path.join(dir, 'LICENSE'), 'utf8'), LICENCE_TEXT[source.spdx!]);
      else assert.match(readFileSync(path.join(dir, 'NOTICE'), 'utf8'), /no licence/i);
      const record = records.find((r) => r.vendor === source.vendor)!;
      if (source.npm)
        assert.ok(
          readme.includes(`${source.npm.package}@${source.npm.version}`),
          `README.md names ${source.npm.package}@${source.npm.version}`,
        );
      else assert.ok(readme.includes(record.commit!), `README.md names ${source.repo}@${record.commit}`);
      assert.ok(readme.includes(source.file), `README.md names ${source.file}`);
    }
    // Nothing else lies in the folder unaccounted for.
    const files = readdirSync(specsDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      statSync(path.join(specsDir, f)).isFile(),
    );
    const expected = [
      'README.md',
      'sources.json',
      ...SOURCES.flatMap((s) => [`${s.vendor}/${s.file}`, `${s.vendor}/${s.licence ? 'LICENSE' : 'NOTICE'}`]),
    ];
    assert.deepEqual(files.map((f) => f.split(path.sep).join('/')).sort(), expected.sort());
  });

  test('the loaders read and patch the specs in memory', async () => {
    const slack = (await patchedSlackSpec()) as {
      swagger: string;
      paths: Record<string, { post?: { consumes?: string[]; parameters?: { name: string; in: string }[] } }>;
    };
    assert.equal(slack.swagger, '2.0');
    const history = slack.paths['/conversations.history']?.post;
    assert.deepEqual(
      history?.consumes,
      ['application/x-www-form-urlencoded', 'application/json'],
      'a GET method gets a form POST',
    );
    assert.deepEqual(
      history?.parameters?.filter((p) => p.name === 'token'),
      [{ name: 'token', in: 'formData', type: 'string', required: false }],
    );
    assert.ok(
      history?.parameters?.every((p) => p.in !== 'query'),
      'query parameters become form fields',
    );

    const pd = (await patchedPagerDutySpec()) as {
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
      components: { parameters: Record<string, { schema: { enum: string[] } }> };
    };
    assert.ok(pd.components.parameters['header_Content-Type']!.schema.enum.includes('application/json; charset=utf-8'));
    const ok = pd.paths['/oncalls']!.get!.responses!['200']!.content!;
    assert.equal(ok['application/vnd.pagerduty+json;version=2'], ok['application/json']);

    const schema = await slackManifestSchema();
    assert.equal(schema.title, 'App Manifest');
    // A fresh copy on each call: one test's patch never leaks into another's.
    assert.notEqual(await patchedSlackSpec(), slack);
  });

  test("PagerDuty's excerpt has every path src/ calls", () => {
    const called = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          for (const m of readFileSync(full, 'utf8').matchAll(
            /client\.(?:get|getAll|post|put|patch|delete)\(\s*['`]([^'`]+)['`]/g,
          )) {
            called.add(m[1]!.replace(/\$\{[^}]*\}/g, '{id}'));
          }
        }
      }
    };
    walk(path.join(repoRoot, 'src', 'pagerduty'));
    assert.ok(called.has('/oncalls') && called.has('/users/{id}'), `found the calls: ${[...called].join(', ')}`);
    const missing = [...called].filter((p) => !PAGERDUTY_PATHS.includes(p));
    assert.deepEqual(
      missing,
      [],
      'add these to PAGERDUTY_PATHS in scripts/refresh-specs.ts and run npm run specs:refresh',
    );
  });

  test("GitHub's excerpt has every path src/github/ and the GitHub Issues tracker call, and only GitHub's own description", () => {
    const called = new Set<string>();
    const files = [
      ...readdirSync(path.join(repoRoot, 'src', 'github'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(repoRoot, 'src', 'github', f)),
      path.join(repoRoot, 'src', 'trackers', 'github-issues.ts'),
    ];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /\.request\(\s*['`](?:GET|POST|PUT|PATCH|DELETE) ([^'`]+)['`]/g,
      ))
        called.add(m[1]!);
    }
    // @octokit/auth-app asks for the installation token itself.
    called.add('/app/installations/{installation_id}/access_tokens');
    assert.ok(called.has('/repos/{owner}/{repo}/pulls/{pull_number}/reviews'), `found: ${[...called].join(', ')}`);
    assert.ok(called.has('/repos/{owner}/{repo}/issues/{issue_number}'), `found: ${[...called].join(', ')}`);
    assert.deepEqual([...called].sort(), [...GITHUB_PATHS].sort(), 'GITHUB_PATHS in scripts/refresh-specs.ts');
    const excerpt = JSON.parse(content('github/api.github.com.excerpt.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(excerpt.paths as object).sort(), [...GITHUB_PATHS].sort());
    assert.equal(excerpt['x-webhooks'], undefined, 'the webhooks part is left out');
  });

  test("Jira's excerpt has every path src/trackers/jira.ts calls; the enhanced search is added in memory", async () => {
    const source = readFileSync(path.join(repoRoot, 'src', 'trackers', 'jira.ts'), 'utf8');
    const called = new Set<string>();
    for (const m of source.matchAll(/this\.call\(\s*'(?:GET|POST|PUT|DELETE)',\s*[`']([^`']+)[`']/g))
      called.add(m[1]!.replace(/\$\{[^}]*\}/g, '{issueIdOrKey}'));
    assert.ok(called.has('/rest/api/3/issue') && called.has('/rest/api/3/myself'), `found: ${[...called].join(', ')}`);
    // POST /rest/api/3/search/jql is newer than the 2022 spec: patchJiraSpec adds it.
    assert.deepEqual(
      [...called].filter((p) => p !== '/rest/api/3/search/jql').sort(),
      [...JIRA_PATHS].sort(),
      'JIRA_PATHS in scripts/refresh-specs.ts',
    );
    assert.ok(called.has('/rest/api/3/search/jql'));
    const excerpt = JSON.parse(content('jira/platform-swagger.v3.excerpt.json').toString('utf8')) as {
      paths: object;
    };
    assert.deepEqual(Object.keys(excerpt.paths).sort(), [...JIRA_PATHS].sort());
    const patched = (await patchedJiraSpec()) as { paths: Record<string, Record<string, { operationId?: string }>> };
    assert.equal(patched.paths['/rest/api/3/search/jql']?.post?.operationId, 'searchAndReconsileIssuesUsingJqlPost');
  });
});

describe('npm run specs:refresh', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'specs-refresh-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('from a folder of copies, makes the committed files again and keeps the recorded commits', async () => {
    // The folder of copies: the upstream files (for PagerDuty, the excerpt: pruning it again changes nothing).
    const from = path.join(tmp, 'from');
    const out = path.join(tmp, 'out');
    for (const source of SOURCES) {
      mkdirSync(path.join(from, source.vendor), { recursive: true });
      writeFileSync(
        path.join(from, source.vendor, path.basename(source.path)),
        content(`${source.vendor}/${source.file}`),
      );
      if (source.licence)
        writeFileSync(
          path.join(from, source.vendor, 'LICENSE'),
          readFileSync(path.join(specsDir, source.vendor, 'LICENSE')),
        );
    }
    mkdirSync(out);
    // The PagerDuty record as an excerpt of itself, so the run recognises it and keeps its commit.
    const asCopied = records.map((r) => (r.excerptPaths ? { ...r, upstreamSha256: r.sha256 } : r));
    writeFileSync(path.join(out, 'sources.json'), JSON.stringify(asCopied));
    const script = path.join(repoRoot, 'scripts', 'refresh-specs.ts');
    const { stdout } = await execFileAsync(process.execPath, [...TS_NODE_ARGS, script, '--from', from, '--out', out], {
      timeout: 60_000,
    });
    assert.match(stdout, /pagerduty: pagerduty\/openapiv3\.excerpt\.json from PagerDuty\/api-schema@91a06fb/);
    for (const source of SOURCES) {
      const file = `${source.vendor}/${source.file}`;
      const made = readFileSync(path.join(out, file));
      assert.ok((source.gzip ? gunzipSync(made) : made).equals(content(file)), `${file} made again, the same`);
      if (source.licence) assert.ok(existsSync(path.join(out, source.vendor, 'LICENSE')));
    }
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'sources.json'), 'utf8')), asCopied);
  });

  test('an unknown vendor is refused in one line', async () => {
    await assert.rejects(
      execFileAsync(
        process.execPath,
        [...TS_NODE_ARGS, path.join(repoRoot, 'scripts', 'refresh-specs.ts'), '--only', 'opsgenie', '--out', tmp],
        { timeout: 60_000 },
      ),
      (err: { stderr: string; code: number }) => {
        assert.equal(err.code, 1);
        assert.equal(
          err.stderr.trim(),
          'specs:refresh: unknown vendor opsgenie (known: slack-web-api, slack-manifest, pagerduty, github, jira)',
        );
        return true;
      },
    );
  });
});

describe('pruneOpenApi3', () => {
  const doc = {
    openapi: '3.0.2',
    info: { title: 't', version: '1' },
    tags: [{ name: 'A' }, { name: 'B' }],
    paths: {
      '/a': { get: { tags: ['A'], responses: { '200': { $ref: '#/components/responses/AOk' } } } },
      '/b': { get: { tags: ['B'], parameters: [{ $ref: '#/components/parameters/Unused' }] } },
    },
    components: {
      responses: { AOk: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
      schemas: {
        Pet: {
          oneOf: [{ $ref: '#/components/schemas/Cat' }],
          discriminator: { propertyName: 't', mapping: { dog: '#/components/schemas/Dog' } },
        },
        Cat: { properties: { owner: { $ref: '#/components/schemas/Owner/properties/name' } } },
        Dog: { type: 'object' },
        Owner: { properties: { name: { type: 'string' } } },
        Unrelated: { type: 'object' },
      },
      parameters: { Unused: { name: 'x', in: 'query' } },
      securitySchemes: { api_key: { type: 'apiKey', in: 'header', name: 'Authorization' } },
    },
  };

  test('keeps the paths asked for and every component they reach, through refs and discriminator mappings', () => {
    const pruned = pruneOpenApi3(structuredClone(doc), ['/a']);
    assert.deepEqual(Object.keys(pruned.paths), ['/a']);
    assert.deepEqual(Object.keys(pruned.components!.schemas!).sort(), ['Cat', 'Dog', 'Owner', 'Pet']);
    assert.deepEqual(Object.keys(pruned.components!), ['responses', 'schemas', 'securitySchemes']);
    assert.deepEqual(pruned.tags, [{ name: 'A' }]);
    assert.deepEqual(pruned.info, doc.info);
  });

  test('refuses a path the spec does not have', () => {
    assert.throws(() => pruneOpenApi3(structuredClone(doc), ['/a', '/nope']), /not in the spec: \/nope/);
  });
});
