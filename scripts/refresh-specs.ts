// npm run specs:refresh — refreshes the vendor specs the tests use (test/fixtures/specs/), from their
// upstream repositories or from a folder of copies. The tests never run this: they read the committed files.
//
//   npm run specs:refresh                      download each source at the commit recorded in sources.json
//   npm run specs:refresh -- --latest          download each source at the newest commit of its default branch
//   npm run specs:refresh -- --from DIR        copy DIR/<vendor>/<file> (e.g. a folder laid out like
//                                              test/fixtures/specs, with the upstream files unmodified)
//   OCTOKIT_OPENAPI_DIR=…/node_modules/@octokit/openapi npm run specs:refresh -- --only github
//                                              GitHub's description comes from the npm package
//                                              @octokit/openapi (not a dependency: install it elsewhere)
//   options: --only slack-web-api,pagerduty    refresh only these vendors
//            --out DIR                         write somewhere else than test/fixtures/specs
//
// It writes each fixture (gzip-compressed when `gzip`), the upstream licence file as LICENSE when the
// source has one, and the record in sources.json (repository, commit and its date, the SHA-256 of the
// upstream file). The README.md and NOTICE files beside them are written by hand: update README.md when a
// commit changes. Afterwards run the manifest and contract tests (docs/testing.md).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

export interface SpecSource {
  /** Folder under test/fixtures/specs. */
  vendor: string;
  /** owner/name of the upstream GitHub repository. */
  repo: string;
  /** The file in that repository. */
  path: string;
  /** The fixture's file name in the vendor folder. */
  file: string;
  /** The repository's licence file, copied as LICENSE; null when the repository has none. */
  licence: string | null;
  /** Which licence that file is (SPDX id), checked by test/specs-fixtures.test.ts; null without one. */
  spdx: 'MIT' | 'Apache-2.0' | null;
  /** Store gzip-compressed (the tests decompress with node:zlib). */
  gzip: boolean;
  /** Keep only these OpenAPI 3 path items and the components they use (see pruneOpenApi3). */
  excerptPaths?: string[];
  /** Top-level keys left out of the excerpt (e.g. GitHub's `x-webhooks`, which reference components). */
  excerptDrop?: string[];
  /**
   * Published as an npm package rather than read from the repository: `path` is the file in the
   * package, read from the folder the environment variable `dirFrom` names (the package installed
   * outside this project), which must be `version`.
   */
  npm?: { package: string; version: string; published: string; dirFrom: string };
}

/**
 * PagerDuty publishes api-schema without a licence, so only the path items the bot calls (src/pagerduty/,
 * checked by test/specs-fixtures.test.ts) and the pdjs probe test calls are kept. A test that calls a path
 * missing here gets Prism's 404 (NO_PATH_MATCHED): add the path and refresh.
 */
export const PAGERDUTY_PATHS = [
  '/escalation_policies/{id}',
  '/incidents',
  '/incidents/{id}',
  '/log_entries',
  '/oncalls',
  '/schedules',
  '/services',
  '/services/{id}',
  '/teams',
  '/users',
  '/users/{id}',
];

/**
 * The GitHub API calls of src/github/ and src/trackers/github-issues.ts (and @octokit/auth-app's
 * installation token). GraphQL (`POST /graphql`) is not in the REST description.
 */
export const GITHUB_PATHS = [
  '/app',
  '/app/installations/{installation_id}/access_tokens',
  '/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule',
  '/repos/{owner}/{repo}/installation',
  '/repos/{owner}/{repo}/issues',
  '/repos/{owner}/{repo}/issues/{issue_number}',
  '/repos/{owner}/{repo}/issues/{issue_number}/comments',
  '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
];

/**
 * The Jira Cloud platform REST API calls of src/trackers/jira.ts, but its issue search: the enhanced
 * `POST /rest/api/3/search/jql` is newer than this 2022 spec (the old `/rest/api/3/search` it
 * replaced is gone from Jira Cloud), and test/support/specs.ts adds it as Atlassian documents it.
 */
export const JIRA_PATHS = [
  '/rest/api/3/issue',
  '/rest/api/3/issue/{issueIdOrKey}',
  '/rest/api/3/issue/{issueIdOrKey}/assignee',
  '/rest/api/3/issue/{issueIdOrKey}/comment',
  '/rest/api/3/issue/{issueIdOrKey}/transitions',
  '/rest/api/3/myself',
  '/rest/api/3/user',
  '/rest/api/3/user/search',
];

export const SOURCES: SpecSource[] = [
  {
    vendor: 'slack-web-api',
    repo: 'slackapi/slack-api-specs',
    path: 'web-api/slack_web_openapi_v2.json',
    file: 'slack_web_openapi_v2.json.gz',
    licence: 'LICENSE',
    spdx: 'MIT',
    gzip: true,
  },
  {
    vendor: 'slack-manifest',
    repo: 'slackapi/manifest-schema',
    path: 'schemas/manifest.schema.1.0.0.json',
    file: 'manifest.schema.1.0.0.json',
    licence: 'LICENSE',
    spdx: 'MIT',
    gzip: false,
  },
  {
    vendor: 'pagerduty',
    repo: 'PagerDuty/api-schema',
    path: 'reference/REST/openapiv3.json',
    file: 'openapiv3.excerpt.json',
    licence: null,
    spdx: null,
    gzip: false,
    excerptPaths: PAGERDUTY_PATHS,
  },
  {
    vendor: 'github',
    repo: 'octokit/openapi',
    path: 'generated/api.github.com.json',
    file: 'api.github.com.excerpt.json',
    licence: 'LICENSE',
    spdx: 'MIT',
    gzip: false,
    excerptPaths: GITHUB_PATHS,
    excerptDrop: ['x-webhooks'],
    npm: {
      package: '@octokit/openapi',
      version: '23.0.2',
      published: '2026-09-09T22:29:36.037Z',
      dirFrom: 'OCTOKIT_OPENAPI_DIR',
    },
  },
  {
    vendor: 'jira',
    repo: 'salto-io/jira-swaggers',
    path: 'platform-swagger.v3.json',
    file: 'platform-swagger.v3.excerpt.json',
    licence: 'LICENSE',
    spdx: 'Apache-2.0',
    gzip: false,
    excerptPaths: JIRA_PATHS,
  },
];

/** One entry of sources.json. */
export interface SourceRecord {
  vendor: string;
  repo: string;
  path: string;
  file: string;
  /** Upstream commit the file was taken from; null when copied from a folder whose commit is unknown, or from an npm package. */
  commit: string | null;
  /** For an npm package: its name and version (its publication time is `committed`). */
  package?: string;
  version?: string;
  /** That commit's date (ISO 8601), when known. */
  committed: string | null;
  /** When the fixture was last refreshed (YYYY-MM-DD). */
  refreshed: string;
  /** SHA-256 of the upstream file, unmodified. */
  upstreamSha256: string;
  /** SHA-256 of the fixture's content (decompressed): equal to upstreamSha256 unless an excerpt. */
  sha256: string;
  excerptPaths?: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type OpenApi3 = {
  paths: Record<string, Json>;
  components?: Record<string, Record<string, Json>>;
  tags?: { name: string }[];
  [key: string]: Json | undefined;
};

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** '#/components/schemas/A~1B/properties/x' -> ['schemas', 'A/B']. */
function componentOf(ref: string): [string, string] | undefined {
  const m = /^#\/components\/([^/]+)\/([^/]+)/.exec(ref);
  if (!m) return undefined;
  const unescapePointer = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
  return [unescapePointer(m[1]!), unescapePointer(m[2]!)];
}

/** Every string in `node` that points into #/components/ ($ref values and discriminator mappings). */
function componentRefs(node: Json, out: string[] = []): string[] {
  if (typeof node === 'string') {
    if (node.startsWith('#/components/')) out.push(node);
  } else if (Array.isArray(node)) {
    for (const item of node) componentRefs(item, out);
  } else if (node && typeof node === 'object') {
    for (const value of Object.values(node)) componentRefs(value, out);
  }
  return out;
}

/**
 * An OpenAPI 3 document with only `paths` (in upstream order) and the components they reach, directly or
 * through other components; security schemes and the rest of the top level are kept whole, tags only
 * when a kept operation names them. Throws when a path is not in the document.
 */
export function pruneOpenApi3(doc: OpenApi3, paths: string[]): OpenApi3 {
  const missing = paths.filter((p) => !(p in doc.paths));
  if (missing.length) throw new Error(`not in the spec: ${missing.join(', ')}`);
  const keptPaths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => paths.includes(p)));
  const components = doc.components ?? {};
  const kept = new Map<string, Set<string>>();
  const queue = componentRefs(keptPaths);
  for (let ref = queue.pop(); ref !== undefined; ref = queue.pop()) {
    const target = componentOf(ref);
    if (!target) continue;
    const [kind, name] = target;
    const names = kept.get(kind) ?? new Set<string>();
    kept.set(kind, names);
    if (names.has(name)) continue;
    const value = components[kind]?.[name];
    if (value === undefined) throw new Error(`dangling reference ${ref}`);
    names.add(name);
    componentRefs(value, queue);
  }
  const keptComponents: Record<string, Record<string, Json>> = {};
  for (const [kind, entries] of Object.entries(components)) {
    const names = kind === 'securitySchemes' ? new Set(Object.keys(entries)) : kept.get(kind);
    if (!names?.size) continue;
    keptComponents[kind] = Object.fromEntries(Object.entries(entries).filter(([n]) => names.has(n)));
  }
  const usedTags = new Set<string>();
  for (const item of Object.values(keptPaths)) {
    for (const op of Object.values(item as Record<string, Json>)) {
      const tags = (op as { tags?: Json } | null)?.tags;
      if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string') usedTags.add(t);
    }
  }
  const out: OpenApi3 = { ...doc, paths: keptPaths, components: keptComponents };
  if (doc.tags) out.tags = doc.tags.filter((t) => usedTags.has(t.name));
  return out;
}

/** The fixture's content for an upstream file's bytes (an excerpt, or the bytes unchanged). */
export function fixtureContent(source: SpecSource, upstream: Buffer): Buffer {
  if (!source.excerptPaths) return upstream;
  const doc = JSON.parse(upstream.toString('utf8')) as OpenApi3;
  for (const key of source.excerptDrop ?? []) delete doc[key];
  return Buffer.from(`${JSON.stringify(pruneOpenApi3(doc, source.excerptPaths), null, 2)}\n`);
}

async function download(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { 'User-Agent': 'incident-bot specs:refresh' },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new Error(`GET ${url}: ${cause} (offline? copy from a folder with --from DIR)`);
  }
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The commit `ref` (a commit, branch or HEAD) names in `repo`, with its date. */
async function resolveCommit(repo: string, ref: string): Promise<{ commit: string; committed: string }> {
  const body = JSON.parse((await download(`https://api.github.com/repos/${repo}/commits/${ref}`)).toString('utf8')) as {
    sha?: string;
    commit?: { committer?: { date?: string } };
  };
  if (!body.sha) throw new Error(`${repo}: no commit for ${ref}`);
  return { commit: body.sha, committed: body.commit?.committer?.date ?? '' };
}

function readRecords(file: string): SourceRecord[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SourceRecord[]) : [];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      latest: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: path.join(import.meta.dirname, '..', 'test', 'fixtures', 'specs') },
      today: { type: 'string' },
    },
  });
  const out = path.resolve(values.out);
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((v) => !SOURCES.some((s) => s.vendor === v)) ?? [];
  if (unknown.length)
    throw new Error(`unknown vendor ${unknown.join(', ')} (known: ${SOURCES.map((s) => s.vendor).join(', ')})`);
  if (values.from && values.latest) throw new Error('--from and --latest do not go together');
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  const recordsFile = path.join(out, 'sources.json');
  const records = readRecords(recordsFile);

  for (const source of SOURCES) {
    if (only && !only.includes(source.vendor)) continue;
    const previous = records.find((r) => r.vendor === source.vendor);
    let upstream: Buffer;
    let licence: Buffer | undefined;
    let commit: string | null;
    let committed: string | null;
    if (source.npm && !values.from) {
      const dir = process.env[source.npm.dirFrom];
      if (!dir)
        throw new Error(
          `${source.vendor}: set ${source.npm.dirFrom} to the folder of ${source.npm.package}@${source.npm.version} (npm install it outside this project)`,
        );
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name !== source.npm.package || pkg.version !== source.npm.version)
        throw new Error(
          `${source.vendor}: ${dir} holds ${pkg.name}@${pkg.version}, not ${source.npm.package}@${source.npm.version}: change the version in SOURCES (and its publication time) first`,
        );
      upstream = readFileSync(path.join(dir, source.path));
      if (source.licence) licence = readFileSync(path.join(dir, source.licence));
      commit = null;
      committed = source.npm.published;
    } else if (values.from) {
      const dir = path.join(path.resolve(values.from), source.vendor);
      upstream = readFileSync(path.join(dir, path.basename(source.path)));
      if (existsSync(path.join(dir, 'LICENSE'))) licence = readFileSync(path.join(dir, 'LICENSE'));
      // A folder does not say which commit its copy is from: keep the record when the file is the same.
      const same = previous?.upstreamSha256 === sha256(upstream);
      commit = same ? previous.commit : null;
      committed = same ? previous.committed : (source.npm?.published ?? null);
      if (!same && !source.npm)
        console.warn(
          `${source.vendor}: changed, and copied from a folder: record its commit in sources.json and README.md`,
        );
    } else {
      const ref = values.latest || !previous?.commit ? 'HEAD' : previous.commit;
      ({ commit, committed } = await resolveCommit(source.repo, ref));
      const raw = (file: string) => `https://raw.githubusercontent.com/${source.repo}/${commit}/${file}`;
      upstream = await download(raw(source.path));
      if (source.licence) licence = await download(raw(source.licence));
    }
    const content = fixtureContent(source, upstream);
    const dir = path.join(out, source.vendor);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, source.file), source.gzip ? gzipSync(content, { level: 9 }) : content);
    if (licence) writeFileSync(path.join(dir, 'LICENSE'), licence);
    const record: SourceRecord = {
      vendor: source.vendor,
      repo: source.repo,
      path: source.path,
      file: `${source.vendor}/${source.file}`,
      commit,
      ...(source.npm ? { package: source.npm.package, version: source.npm.version } : {}),
      committed,
      refreshed:
        previous && previous.upstreamSha256 === sha256(upstream) && previous.sha256 === sha256(content)
          ? previous.refreshed
          : today,
      upstreamSha256: sha256(upstream),
      sha256: sha256(content),
      ...(source.excerptPaths ? { excerptPaths: source.excerptPaths } : {}),
    };
    const i = records.findIndex((r) => r.vendor === source.vendor);
    if (i >= 0) records[i] = record;
    else records.push(record);
    const from = source.npm
      ? `${source.npm.package}@${source.npm.version}`
      : `${source.repo}@${commit?.slice(0, 7) ?? '(commit unknown)'}`;
    console.log(`${source.vendor}: ${record.file} from ${from}, ${content.length} bytes`);
  }
  writeFileSync(recordsFile, `${JSON.stringify(records, null, 2)}\n`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(`specs:refresh: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
