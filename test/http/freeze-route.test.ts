// GET /api/freeze's query, checked alone: the service, and what is wrong with anything else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFreezeQuery } from '../../src/http/freeze-route.ts';

describe('GET /api/freeze query', () => {
  test('the service, trimmed and decoded', () => {
    assert.deepEqual(parseFreezeQuery('/api/freeze?service=ehr-api'), { service: 'ehr-api' });
    assert.deepEqual(parseFreezeQuery('/api/freeze?service=%20acme%2Fehr-api%20'), { service: 'acme/ehr-api' });
    assert.deepEqual(parseFreezeQuery('/api/freeze?service=EHR+API'), { service: 'EHR API' });
  });

  test('refusals name the problem; at most ten unknown names, each cut short', () => {
    const error = (url: string) => {
      const r = parseFreezeQuery(url);
      assert.ok('error' in r, url);
      return r.error;
    };
    assert.match(error('/api/freeze'), /service is required/);
    assert.match(error(`/api/freeze?service=${'x'.repeat(201)}`), /at most 200/);
    assert.match(error('/api/freeze?service=a%0Ab'), /control characters/);
    assert.match(error('/api/freeze?service=a&service=a'), /more than once/);
    assert.equal(error('/api/freeze?service=a&env=prod'), 'unknown query parameter: env (only service is read)');
    const many = Array.from({ length: 30 }, (_, i) => `p${i}${'y'.repeat(100)}=1`).join('&');
    const msg = error(`/api/freeze?service=a&${many}`);
    assert.equal(msg.split(', ').length, 11);
    assert.ok(msg.length < 700, msg);
  });
});
