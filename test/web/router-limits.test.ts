// The router's limit on costly pages (WebPage.limit): beyond `perUser` for one person or `global` in
// all, a 503 page with Retry-After, and nothing of the page runs; a finished or failed request frees
// its place.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import type { WebSession, WebSessionStore } from '../../src/ports/web-sessions.ts';
import type { WebDeps, WebPage } from '../../src/web/context.ts';
import { webRoute } from '../../src/web/router.ts';
import { startSession } from '../../src/web/session.ts';
import { testDeps } from '../support/deps.ts';
import { getPage } from '../support/web.ts';

class MemorySessions implements WebSessionStore {
  readonly rows = new Map<string, WebSession>();
  async create(idHash: string, s: WebSession) {
    this.rows.set(idHash, s);
  }
  async find(idHash: string, now: Date) {
    const s = this.rows.get(idHash);
    return s && s.expiresAt > now ? s : null;
  }
  async delete(idHash: string) {
    this.rows.delete(idHash);
  }
  async deleteForUser(userId: string) {
    let n = 0;
    for (const [hash, s] of this.rows) if (s.userId === userId && this.rows.delete(hash)) n++;
    return n;
  }
  async touch(idHash: string, at: Date) {
    const s = this.rows.get(idHash);
    if (s) s.lastSeenAt = at;
  }
  async deleteExpired() {
    return 0;
  }
}

describe('costly pages are limited', () => {
  const deps = testDeps();
  const web: WebDeps = {
    deps,
    sessions: new MemorySessions(),
    logger: silentLogger,
    privateChannelsOf: async () => new Set(),
    namesOf: async () => new Map(),
    standing: { check: async () => 'member', remember: () => {}, forget: () => {} },
    settings: {
      baseUrl: 'http://127.0.0.1',
      clientId: '1.2',
      clientSecret: 'secret-secret-secret',
      sessionSecret: 'a-session-secret-of-at-least-32-characters',
      sessionHours: 1,
      sessionIdleMinutes: 60,
      issuer: 'http://127.0.0.1:9',
      teamId: async () => 'T1',
    },
  };
  let release: () => void = () => {};
  let ran = 0;
  const slow: WebPage = {
    path: '/slow',
    method: 'GET',
    limit: { global: 2, perUser: 1 },
    handle: async () => {
      ran++;
      await new Promise<void>((resolve) => {
        const previous = release;
        release = () => {
          previous();
          resolve();
        };
      });
      return { kind: 'html', body: 'done' };
    },
  };
  const failing: WebPage = {
    path: '/failing',
    method: 'GET',
    limit: { global: 1, perUser: 1 },
    handle: async () => {
      throw new Error('boom');
    },
  };
  const route = webRoute(web, [slow, failing], (p) => p);
  const server = http.createServer((req, res) => route.handler(req, res));
  let base = '';
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const cookieOf = async (userId: string) =>
    (await startSession(web, { userId, teamId: 'T1', name: userId, timeZone: 'UTC' }, deps.clock.now())).cookie.split(
      ';',
    )[0]!;

  test('one per person, two in all; then free again', async () => {
    const [alice, bob, carol] = await Promise.all(['UALICE', 'UBOB', 'UCAROL'].map(cookieOf));
    const first = getPage(base, '/web/slow', alice);
    while (ran < 1) await new Promise((r) => setTimeout(r, 5));
    const again = await getPage(base, '/web/slow', alice);
    assert.equal(again.status, 503, 'Alice’s second at once');
    assert.equal(again.headers.get('retry-after'), '30');
    assert.match(again.text, /still being made/);
    const second = getPage(base, '/web/slow', bob);
    while (ran < 2) await new Promise((r) => setTimeout(r, 5));
    const third = await getPage(base, '/web/slow', carol);
    assert.equal(third.status, 503, 'a third person while two run');
    assert.match(third.text, /others are making one now/);
    assert.equal(ran, 2, 'the refused requests ran nothing');
    release();
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
    const later = getPage(base, '/web/slow', carol);
    while (ran < 3) await new Promise((r) => setTimeout(r, 5));
    release();
    assert.equal((await later).status, 200, 'free again once they finished');
  });

  test('a failed request frees its place', async () => {
    const alice = await cookieOf('UALICE');
    assert.equal((await getPage(base, '/web/failing', alice)).status, 500);
    assert.equal((await getPage(base, '/web/failing', alice)).status, 500, 'not 503: the first one let go');
  });
});
