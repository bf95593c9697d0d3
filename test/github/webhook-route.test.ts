// POST /github/webhook alone, on a plain HTTP server: the signature over the exact bytes, handlers
// looked up as own properties, the owners allowed, and the handling waited for (500 on a failure,
// 202 past the wait with the work still tracked).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { InFlight } from '../../src/inflight.ts';
import { silentLogger } from '../../src/logger.ts';
import { gitHubWebhookRoute, signatureMatches, type GitHubDelivery } from '../../src/github/webhook-route.ts';

const SECRET = 'webhook-route-secret-1';
const sign = (body: Buffer | string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('signatureMatches', () => {
  test('the HMAC of the exact bytes, not of their UTF-8 reading', () => {
    // Bytes that are not UTF-8: decoding them would change what is signed.
    const raw = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    assert.equal(signatureMatches(SECRET, raw, sign(raw)), true);
    assert.equal(signatureMatches(SECRET, raw, sign(raw.toString('utf8'))), false);
    assert.equal(signatureMatches(SECRET, raw, sign(raw).toUpperCase().replace('SHA256=', 'sha256=')), true);
  });

  test('anything else is refused', () => {
    const raw = Buffer.from('{}');
    for (const bad of [
      undefined,
      '',
      'sha256=',
      sign(raw, 'another-secret'),
      sign(raw).replace('sha256=', 'sha1='),
      `${sign(raw)}00`,
      'sha256=zz',
    ])
      assert.equal(signatureMatches(SECRET, raw, bad), false, String(bad));
  });
});

describe('gitHubWebhookRoute', () => {
  const inflight = new InFlight();
  const delivered: GitHubDelivery[] = [];
  let behaviour: (d: GitHubDelivery) => Promise<unknown> = async () => undefined;
  let server: Server;
  let url: string;

  before(async () => {
    const route = gitHubWebhookRoute({
      secret: SECRET,
      allowedOwners: ['Codertocat', 'acme'],
      handlers: {
        deployment_status: {
          actions: ['created'],
          handle: async (d) => {
            delivered.push(d);
            return behaviour(d);
          },
        },
      },
      track: inflight.track,
      logger: silentLogger,
      waitMs: 200,
    });
    server = createServer(route.handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/webhook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    delivered.length = 0;
    behaviour = async () => undefined;
  });

  async function post(event: string, payload: unknown) {
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': sign(body),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  // Not GitHub's full schema: the route validates only events whose schema it knows; the owner check comes first.
  const payload = (owner: string) => ({ action: 'created', repository: { owner: { login: owner } } });

  test('an event named like an Object property is ignored (never called, never a crash)', async () => {
    for (const event of ['constructor', '__proto__', 'tostring', 'valueof', 'hasownproperty']) {
      const res = await post(event, { action: 'created' });
      assert.deepEqual([res.status, res.body.status], [202, 'ignored'], event);
    }
  });

  test('a repository whose owner is not allowed is ignored, the handler never called', async () => {
    for (const owner of ['attacker', 'acme-evil']) {
      const res = await post('deployment_status', payload(owner));
      assert.deepEqual([res.status, res.body.status], [202, 'ignored'], owner);
    }
    const none = await post('deployment_status', { action: 'created' });
    assert.deepEqual([none.status, none.body.status], [202, 'ignored'], 'no repository: no owner to allow');
    assert.equal(delivered.length, 0);
  });

  test("an allowed owner (any case) is then checked against GitHub's schema: 400, the handler not called", async () => {
    const invalid = await post('deployment_status', payload('ACME'));
    assert.equal(invalid.status, 400);
    assert.equal(delivered.length, 0);
  });

  test('the handling is waited for: 202 when done (ignored when the handler says so), 500 when it failed; past the wait 202 and it finishes tracked', async () => {
    const { deploymentStatusPayload } = await import('../support/changes.ts');
    let finished = false;
    behaviour = () =>
      new Promise((resolve) =>
        setTimeout(() => {
          finished = true;
          resolve(undefined);
        }, 600),
      );
    const slow = await post('deployment_status', deploymentStatusPayload());
    assert.deepEqual([slow.status, slow.body.status], [202, 'accepted']);
    assert.equal(finished, false);
    await inflight.idle();
    assert.equal(finished, true);

    behaviour = async () => 'ignored';
    const ignored = await post('deployment_status', deploymentStatusPayload());
    assert.deepEqual([ignored.status, ignored.body.status], [202, 'ignored']);

    behaviour = async () => {
      throw new Error('database down (test)');
    };
    const failed = await post('deployment_status', deploymentStatusPayload());
    assert.equal(failed.status, 500);
    assert.match(String(failed.body.error), /redeliver/);

    behaviour = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late failure (test)')), 400));
    const late = await post('deployment_status', deploymentStatusPayload());
    assert.equal(late.status, 202);
    await inflight.idle();
    assert.equal(delivered.length, 4);
  });
});
