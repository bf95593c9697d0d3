// The refreshing catalog: the first read, background reads on a timer, a failed read (first and
// later), problems logged when they change, and stop().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogContents } from '../../src/catalog/entities.ts';
import { RefreshingCatalog } from '../../src/catalog/refreshing-catalog.ts';
import type { Logger } from '../../src/logger.ts';
import { catalogFromConfig } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { catalogService } from '../support/catalog.ts';

const service = (name: string) => catalogService(name);
const contents = (names: string[], problems: CatalogContents['problems'] = []): CatalogContents => ({
  services: names.map(service),
  groups: [],
  users: [],
  problems,
});

class RecordingLogger implements Logger {
  lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  debug(fields: object, msg: string) {
    this.lines.push({ level: 'debug', msg, fields: fields as Record<string, unknown> });
  }
  info(fields: object, msg: string) {
    this.lines.push({ level: 'info', msg, fields: fields as Record<string, unknown> });
  }
  warn(fields: object, msg: string) {
    this.lines.push({ level: 'warn', msg, fields: fields as Record<string, unknown> });
  }
  error(fields: object, msg: string) {
    this.lines.push({ level: 'error', msg, fields: fields as Record<string, unknown> });
  }
  at(level: string) {
    return this.lines.filter((l) => l.level === level);
  }
}

const clock = { now: () => new Date('2026-12-01T09:00:00Z') };

describe('RefreshingCatalog', () => {
  test('the first read is logged with its counts; problems are logged when they change, not every time', async () => {
    const logger = new RecordingLogger();
    let next = contents(['ehr-api'], [{ source: 'a.yaml#2', message: 'bad' }]);
    const catalog = new RefreshingCatalog({
      source: 'file',
      location: '/c',
      read: async () => next,
      logger,
      clock,
      everyMs: 0,
    });
    assert.equal(catalog.current().source, 'file');
    assert.equal(catalog.current().loadedAt, null);
    await catalog.start();
    assert.equal(catalog.current().loadedAt?.toISOString(), '2026-12-01T09:00:00.000Z');
    assert.deepEqual(
      catalog.current().services.map((s) => s.name),
      ['ehr-api'],
    );
    const info = logger.at('info')[0]!;
    assert.equal(info.msg, 'service catalog read');
    assert.equal(info.fields.services, 1);
    assert.equal(info.fields.problems, 1);
    assert.equal(logger.at('warn').length, 1);
    assert.deepEqual(logger.at('warn')[0]!.fields.problems, ['a.yaml#2: bad']);
    await catalog.refreshNow();
    assert.equal(logger.at('warn').length, 1, 'the same problems are not logged again');
    next = contents(['ehr-api', 'lab']);
    await catalog.refreshNow();
    assert.equal(catalog.current().services.length, 2);
    assert.ok(logger.at('info').some((l) => l.msg === 'the service catalog has no problems any more'));
    catalog.stop();
  });

  test('a failed first read leaves an empty catalog with a problem, and never throws', async () => {
    const logger = new RecordingLogger();
    let fail = true;
    const catalog = new RefreshingCatalog({
      source: 'file',
      location: '/nope',
      read: async () => {
        if (fail) throw new Error('CATALOG_PATH /nope cannot be read: ENOENT');
        return contents(['ehr-api']);
      },
      logger,
      clock,
      everyMs: 0,
    });
    await catalog.start();
    assert.deepEqual(catalog.current().services, []);
    assert.equal(catalog.current().loadedAt, null);
    assert.deepEqual(catalog.current().problems, [
      { source: 'file', message: 'the catalog could not be read: CATALOG_PATH /nope cannot be read: ENOENT' },
    ]);
    assert.equal(logger.at('error').length, 1);
    // A second failure replaces the problem rather than adding one.
    await catalog.refreshNow();
    assert.equal(catalog.current().problems.length, 1);
    fail = false;
    await catalog.refreshNow();
    assert.deepEqual(catalog.current().problems, []);
    assert.equal(catalog.current().services.length, 1);
  });

  test('reads again on its timer until stopped; reads at once are joined', async () => {
    let reads = 0;
    let release: () => void = () => {};
    const catalog = new RefreshingCatalog({
      source: 'file',
      location: '/c',
      read: async () => {
        reads++;
        return contents([`svc-${reads}`]);
      },
      logger: new RecordingLogger(),
      clock,
      everyMs: 20,
    });
    await catalog.start();
    // The machine may be busy: wait (a bounded while) for three timed reads.
    for (let waited = 0; reads < 3 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    catalog.stop();
    const seen = reads;
    assert.ok(seen >= 3, `read ${seen} times`);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(reads, seen, 'no read after stop()');

    let held = 0;
    const slow = new RefreshingCatalog({
      source: 'file',
      location: '/c',
      read: () =>
        new Promise<CatalogContents>((r) => {
          held++;
          release = () => r(contents(['x']));
        }),
      logger: new RecordingLogger(),
      clock,
      everyMs: 0,
    });
    const a = slow.refreshNow();
    const b = slow.refreshNow();
    release();
    await Promise.all([a, b]);
    assert.equal(held, 1);
  });

  test('from the configuration: none, a path, or Backstage; a missing path never stops the start', async () => {
    const base = {
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd',
      INCIDENT_BROADCAST_CHANNEL: 'C0INC',
    };
    const logger = new RecordingLogger();
    assert.equal(catalogFromConfig(loadConfig(base), logger, clock), null);
    const missing = catalogFromConfig(
      loadConfig({ ...base, CATALOG_PATH: '/nowhere/catalog-info.yaml' }),
      logger,
      clock,
    )!;
    await missing.start();
    assert.equal(missing.current().source, 'file');
    assert.match(
      missing.current().problems[0]!.message,
      /could not be read: CATALOG_PATH \/nowhere\/catalog-info.yaml cannot be read/,
    );
    missing.stop();
    const backstage = catalogFromConfig(
      loadConfig({ ...base, BACKSTAGE_URL: 'https://user:pw@backstage.invalid/', BACKSTAGE_TOKEN: 'secret-token-1' }),
      logger,
      clock,
    )!;
    assert.equal(backstage.current().source, 'backstage');
    backstage.stop();
  });
});
