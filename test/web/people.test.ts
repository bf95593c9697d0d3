// People on the pages by name: asked of Slack for the ids a page shows (Slack members only), kept an
// hour, an unknown id or a failure to ask shown as the id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import { peopleFor } from '../../src/web/people.ts';
import { cachedNames, NAME_TTL_MS } from '../../src/web/web-deps.ts';
import { FakeChat, TestClock } from '../support/deps.ts';

test('names by id, asked once an hour, only for Slack members; ids and — otherwise', async () => {
  const chat = new FakeChat();
  chat.names.set('UALICE', 'Alice Zoë');
  chat.names.set('WBOB', 'Bob Łukasz');
  const clock = new TestClock();
  const web = { namesOf: cachedNames({ chat, clock, logger: silentLogger }) };
  const people = await peopleFor(web, ['UALICE', 'WBOB', 'UNKNOWN1', 'pagerduty', 'github:octocat', null, 'UALICE']);
  assert.deepEqual(['UALICE', 'WBOB', 'UNKNOWN1', 'pagerduty', 'github:octocat', null, undefined].map(people), [
    'Alice Zoë',
    'Bob Łukasz',
    'UNKNOWN1',
    'pagerduty',
    'github:octocat',
    '—',
    '—',
  ]);
  const asked = () => chat.calls.filter((c) => c.method === 'displayNames').map((c) => c.args[0]);
  assert.deepEqual(asked(), [['UALICE', 'WBOB', 'UNKNOWN1']], 'one question for the page, Slack members only');
  await peopleFor(web, ['UALICE', 'WBOB', 'UNKNOWN1']);
  assert.equal(asked().length, 1, 'kept, the id Slack had no name for too');
  clock.advance(NAME_TTL_MS);
  chat.names.set('UALICE', 'Alice Renamed');
  assert.equal((await peopleFor(web, ['UALICE']))('UALICE'), 'Alice Renamed', 'asked again after an hour');
});

test('Slack failing: the ids are shown, nothing is thrown', async () => {
  const chat = new FakeChat();
  chat.before = () => {
    throw new Error('slack down');
  };
  const web = { namesOf: cachedNames({ chat, clock: new TestClock(), logger: silentLogger }) };
  const people = await peopleFor(web, ['UALICE']);
  assert.equal(people('UALICE'), 'UALICE');
  // Nothing was kept: once Slack answers, the name is there.
  chat.before = null;
  chat.names.set('UALICE', 'Alice Zoë');
  assert.equal((await peopleFor(web, ['UALICE']))('UALICE'), 'Alice Zoë');
  assert.equal(chat.calls.filter((c) => c.method === 'displayNames').length, 2, 'asked again');
});
