// The Backstage catalog API source against a stand-in HTTP server: the query, the bearer token,
// cursor pagination (and a cursor given twice), and answers that are not right (the read fails).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BACKSTAGE_FILTER, readBackstageCatalog } from '../../src/catalog/backstage-source.ts';
import { CatalogUnreadable } from '../../src/catalog/file-source.ts';
import { RefreshingCatalog } from '../../src/catalog/refreshing-catalog.ts';
import { silentLogger } from '../../src/logger.ts';

const TOKEN = 'backstage-test-token';
const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    etag: 'e1',
    annotations: { 'backstage.io/managed-by-location': 'url:https://x' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/platform' }],
  status: { items: [] },
});
const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'platform', title: 'Platform', annotations: { 'slack.com/channel': 'C0PLAT123' } },
  spec: { type: 'team', children: [] },
  relations: [],
};

interface Seen {
  url: URL;
  authorization: string | undefined;
}

describe('readBackstageCatalog', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];
  /** What the stand-in answers, by the request's cursor ('' for the first page). */
  let answer: (cursor: string, res: http.ServerResponse) => void;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ url, authorization: req.headers.authorization });
      if (url.pathname !== '/backstage/api/catalog/entities/by-query') {
        res.writeHead(404).end();
        return;
      }
      answer(url.searchParams.get('cursor') ?? '', res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backstage`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
  });

  const json = (res: http.ServerResponse, body: unknown, status = 200) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  test('follows the cursor to the last page, with the filter and the token', async () => {
    answer = (cursor, res) => {
      if (cursor === '')
        json(res, { items: [component('ehr-api'), group], totalItems: 3, pageInfo: { nextCursor: 'c2' } });
      else if (cursor === 'c2')
        json(res, { items: [component('pharmacy')], totalItems: 3, pageInfo: { prevCursor: 'c1' } });
      else json(res, { error: 'bad cursor' }, 400);
    };
    const c = await readBackstageCatalog({ baseUrl, token: TOKEN, pageSize: 2 });
    assert.deepEqual(c.problems, []);
    assert.deepEqual(
      c.services.map((s) => s.name),
      ['ehr-api', 'pharmacy'],
    );
    assert.equal(c.services[0]!.ownerName, 'Platform');
    assert.equal(c.services[0]!.slackChannel, 'C0PLAT123');
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.url.searchParams.get('filter'), BACKSTAGE_FILTER);
    assert.equal(seen[0]!.url.searchParams.get('limit'), '2');
    assert.equal(seen[1]!.url.searchParams.get('cursor'), 'c2');
    assert.equal(seen[1]!.url.searchParams.get('filter'), null);
    assert.ok(seen.every((s) => s.authorization === `Bearer ${TOKEN}`));
  });

  test('a cursor given twice stops the reading with a problem', async () => {
    answer = (cursor, res) =>
      json(res, { items: [component(`svc-${cursor || 'first'}`)], pageInfo: { nextCursor: 'again' } });
    const c = await readBackstageCatalog({ baseUrl, token: TOKEN });
    assert.equal(seen.length, 2);
    assert.deepEqual(
      c.services.map((s) => s.name),
      ['svc-first', 'svc-again'],
    );
    assert.match(c.problems[0]!.message, /cursor it had given before/);
  });

  test('the page limit stops the reading with a problem', async () => {
    let n = 0;
    answer = (_cursor, res) => json(res, { items: [component(`svc-${++n}`)], pageInfo: { nextCursor: `c${n}` } });
    const c = await readBackstageCatalog({ baseUrl, token: TOKEN, maxPages: 3 });
    assert.equal(seen.length, 3);
    assert.equal(c.services.length, 3);
    assert.match(c.problems[0]!.message, /more than 3 pages/);
  });

  test('an invalid entity in a page is a problem named by its reference', async () => {
    answer = (_c, res) => json(res, { items: [component('ok'), { ...component('bad'), spec: { type: 'service' } }] });
    const c = await readBackstageCatalog({ baseUrl, token: TOKEN });
    assert.deepEqual(
      c.services.map((s) => s.name),
      ['ok'],
    );
    assert.equal(c.problems[0]!.source, 'backstage component:default/bad');
  });

  test('bad answers fail the whole read: a status, nonsense, a wrong shape, a timeout', async () => {
    answer = (_c, res) => json(res, { error: 'no' }, 401);
    await assert.rejects(readBackstageCatalog({ baseUrl, token: TOKEN }), (err: Error) => {
      assert.ok(err instanceof CatalogUnreadable);
      assert.match(err.message, /answered 401 \(check BACKSTAGE_TOKEN\)/);
      assert.doesNotMatch(err.message, new RegExp(TOKEN));
      return true;
    });
    answer = (_c, res) => res.writeHead(200).end('<html>login</html>');
    await assert.rejects(readBackstageCatalog({ baseUrl, token: TOKEN }), CatalogUnreadable);
    answer = (_c, res) => json(res, { entities: [] });
    await assert.rejects(readBackstageCatalog({ baseUrl, token: TOKEN }), /something else than a page of entities/);
    answer = () => {}; // never answers
    await assert.rejects(readBackstageCatalog({ baseUrl, token: TOKEN, timeoutMs: 200 }), /no answer within 200 ms/);
  });

  test('through the refreshing catalog: a bad answer keeps the last good catalog, with a problem', async () => {
    let healthy = true;
    answer = (_c, res) => (healthy ? json(res, { items: [component('ehr-api')] }) : json(res, {}, 503));
    const catalog = new RefreshingCatalog({
      source: 'backstage',
      location: baseUrl,
      read: () => readBackstageCatalog({ baseUrl, token: TOKEN }),
      logger: silentLogger,
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
      everyMs: 0,
    });
    await catalog.start();
    assert.deepEqual(
      catalog.current().services.map((s) => s.name),
      ['ehr-api'],
    );
    healthy = false;
    await catalog.refreshNow();
    assert.deepEqual(
      catalog.current().services.map((s) => s.name),
      ['ehr-api'],
    );
    assert.equal(catalog.current().source, 'backstage');
    assert.match(
      catalog.current().problems[0]!.message,
      /could not be refreshed \(showing the one read at 2026-12-01T10:00:00.000Z\): .*503/,
    );
    healthy = true;
    await catalog.refreshNow();
    assert.deepEqual(catalog.current().problems, []);
    catalog.stop();
  });
});
