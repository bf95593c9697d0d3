// Matching many emails to Slack members: one paginated users.list instead of a lookup each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebClient } from '@slack/web-api';
import { SlackChatPlatform } from '../../src/slack/chat-platform.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

let slack: SlackStandIn;
before(async () => {
  slack = await startSlackStandIn({
    users: Array.from({ length: 450 }, (_, i) => ({
      id: `U${String(i).padStart(6, '0')}`,
      name: `p${i}`,
      email: `p${i}@example.org`,
    })),
  });
});
after(() => slack?.close());

const platform = () =>
  new SlackChatPlatform(new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }));

test('many emails: users.list, every page, case-insensitive; unknown emails left out', async () => {
  slack.calls.length = 0;
  const found = await platform().userIdsByEmail([
    'p1@example.org',
    'P2@Example.org',
    'p449@example.org',
    'p10@example.org',
    'p11@example.org',
    'p12@example.org',
    'nobody@example.org',
  ]);
  assert.deepEqual(Object.fromEntries(found), {
    'p1@example.org': 'U000001',
    'p2@example.org': 'U000002',
    'p449@example.org': 'U000449',
    'p10@example.org': 'U000010',
    'p11@example.org': 'U000011',
    'p12@example.org': 'U000012',
  });
  assert.equal(slack.callsTo('users.lookupByEmail').length, 0);
  assert.equal(slack.callsTo('users.list').length, 3, '450 members in pages of 200');
});

test('a few emails: looked up one by one', async () => {
  slack.calls.length = 0;
  const found = await platform().userIdsByEmail(['p3@example.org', 'nobody@example.org']);
  assert.deepEqual(Object.fromEntries(found), { 'p3@example.org': 'U000003' });
  assert.equal(slack.callsTo('users.lookupByEmail').length, 2);
  assert.equal(slack.callsTo('users.list').length, 0);
});
