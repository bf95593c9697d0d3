// The Socket Mode receiver's route server (src/slack/socket-mode.ts routeServer): a malformed
// %-escape in a path a pattern matches is a 400 (as the HTTP receiver answers), not a throw or a 404;
// other paths as before.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { routeServer } from '../../src/slack/socket-mode.ts';

describe('the Socket Mode route server', () => {
  const errors: unknown[] = [];
  const server = routeServer(
    [
      { path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') },
      { path: '/web{/*rest}', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('web') },
    ],
    (err) => errors.push(err),
  );
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a malformed %-escape is a 400 saying so; the routes and 404 as before', async () => {
    for (const path of ['/web/%E0', '/web/incidents/%E0%A4%A']) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 400, path);
      assert.match(await res.text(), /That address cannot be read/);
    }
    assert.equal(await (await fetch(`${base}/web/incidents/INC-1`)).text(), 'web');
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
    assert.equal((await fetch(`${base}/elsewhere/%E0`)).status, 404);
    assert.deepEqual(errors, []);
  });
});
