// Who may use the web view: a member's standing and time zone from one users.info, through the
// Slack stand-in (guests, deactivated people, bots, Slackbot, someone Slack does not know).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebClient } from '@slack/web-api';
import { ChatError } from '../../src/ports/chat-platform.ts';
import { SlackChatPlatform } from '../../src/slack/chat-platform.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';

let slack: SlackStandIn;
before(async () => {
  slack = await startSlackStandIn({
    users: [
      { id: 'UMEMBER', name: 'mia', tz: 'Europe/London' },
      { id: 'UGUEST', name: 'gus', is_restricted: true, tz: 'Asia/Tokyo' },
      { id: 'USINGLE', name: 'sol', is_ultra_restricted: true },
      { id: 'UGONE', name: 'dee', deleted: true, tz: 'Europe/Paris' },
      { id: 'UGONEGUEST', name: 'deg', deleted: true, is_restricted: true },
      { id: 'UROBOT', name: 'rob', is_bot: true },
      { id: 'USLACKBOT', name: 'slackbot' },
    ],
  });
});
after(() => slack?.close());

const platform = (url = slack.url) =>
  new SlackChatPlatform(new WebClient(slack.token, { slackApiUrl: url, retryConfig: { retries: 0 } }));

test('standing and time zone in one users.info each', async () => {
  slack.calls.length = 0;
  const p = platform();
  const asked = Object.fromEntries(
    await Promise.all(
      ['UMEMBER', 'UGUEST', 'USINGLE', 'UGONE', 'UGONEGUEST', 'UROBOT', 'USLACKBOT', 'UNOBODY'].map(
        async (id) => [id, await p.memberStanding(id)] as const,
      ),
    ),
  );
  assert.deepEqual(asked, {
    UMEMBER: { standing: 'member', timeZone: 'Europe/London' },
    UGUEST: { standing: 'guest', timeZone: 'Asia/Tokyo' },
    USINGLE: { standing: 'guest', timeZone: 'America/Los_Angeles' },
    UGONE: { standing: 'deactivated', timeZone: 'Europe/Paris' },
    UGONEGUEST: { standing: 'deactivated', timeZone: 'America/Los_Angeles' },
    UROBOT: { standing: 'bot', timeZone: 'America/Los_Angeles' },
    USLACKBOT: { standing: 'bot', timeZone: 'America/Los_Angeles' },
    UNOBODY: { standing: 'unknown', timeZone: null },
  });
  assert.equal(slack.callsTo('users.info').length, 8, 'one users.info a person');
});

test('Slack not answering is a ChatError, not an answer', async () => {
  await assert.rejects(platform('http://127.0.0.1:9/api/').memberStanding('UMEMBER'), ChatError);
});

test('names for the web view: the real name, else the user name; an unknown id left out; one users.info each', async () => {
  slack.calls.length = 0;
  const names = await platform().displayNames(['UMEMBER', 'UGONE', 'UNOBODY', 'UMEMBER']);
  assert.deepEqual(Object.fromEntries(names), { UMEMBER: 'mia', UGONE: 'dee' });
  assert.equal(slack.callsTo('users.info').length, 3, 'each id asked once');
  await assert.rejects(platform('http://127.0.0.1:9/api/').displayNames(['UMEMBER']), ChatError, 'not an answer');
});
