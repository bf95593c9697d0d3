// Any signed body, of any shape, to the running bot: answered (200 for what it accepts, 400 for
// the rest; 404 after 3 s, Bolt's own answer, for a well-formed interaction no listener takes),
// never a 500 or a dropped connection, and no promise rejected with nobody to handle it. Bodies are generated (fast-check): Slack's envelopes with random values in their fields,
// and random JSON, as JSON and as a form's `payload`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { BROADCAST_CHANNEL, useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { postSigned } from '../support/slack-requests.ts';
import {
  ACTION_ITEM_ACTIONS,
  DECLARE_MODAL,
  INCIDENT_MODALS,
  REVIEW_ACTIONS,
  REVIEW_MODAL,
  SUMMARY_ACTIONS,
} from '../../src/slack/ids.ts';

const anyJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const field = fc.oneof(
  fc.string({ maxLength: 12 }),
  anyJson,
  fc.constant(null),
  fc.constant('U1'),
  fc.constant('\u0000'),
);

/** Ids the bot's listeners answer to, so generated payloads reach them too. */
const knownAction = fc.constantFrom(
  ...Object.values(SUMMARY_ACTIONS),
  `${SUMMARY_ACTIONS.statusPrefix}investigating`,
  ACTION_ITEM_ACTIONS.complete,
  ACTION_ITEM_ACTIONS.snooze,
  REVIEW_ACTIONS.edit,
);
const knownBlock = fc.constantFrom(
  SUMMARY_ACTIONS.blockId,
  REVIEW_ACTIONS.blockId,
  `${ACTION_ITEM_ACTIONS.blockPrefix}0f8fad5b-d9cb-469f-a165-70867728950e`,
  `${ACTION_ITEM_ACTIONS.blockPrefix}x`,
);
const knownView = fc.constantFrom(
  DECLARE_MODAL.callbackId,
  INCIDENT_MODALS.note.callbackId,
  INCIDENT_MODALS.role.callbackId,
  REVIEW_MODAL.callbackId,
);

/** Slack-like payloads: the right `type` (mostly), random values where Bolt and the listeners look. */
const slackish = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom(
        'block_actions',
        'view_submission',
        'view_closed',
        'shortcut',
        'message_action',
        'block_suggestion',
        'interactive_message',
        'nonsense',
      ),
      user: fc.oneof(fc.record({ id: fc.oneof(fc.constant('U1'), field) }), field),
      actions: maybe(
        fc.oneof(
          fc.array(
            fc.record({
              action_id: fc.oneof(knownAction, field),
              block_id: maybe(fc.oneof(knownBlock, field)),
              value: maybe(field),
              selected_option: maybe(field),
            }),
            { maxLength: 2 },
          ),
          field,
        ),
      ),
      view: maybe(
        fc.oneof(
          fc.record({
            id: fc.oneof(fc.constant('V1'), field),
            callback_id: fc.oneof(knownView, field),
            private_metadata: maybe(
              fc.oneof(
                field,
                anyJson.map((v) => JSON.stringify(v)),
              ),
            ),
            state: maybe(fc.record({ values: anyJson })),
          }),
          field,
        ),
      ),
      channel: maybe(fc.oneof(fc.record({ id: field }), field)),
      team: maybe(fc.oneof(fc.record({ id: field }), fc.constant(null))),
      trigger_id: maybe(field),
      callback_id: maybe(field),
      response_url: maybe(
        fc.oneof(field, fc.constant('https://hooks.slack.com/x'), fc.constant('http://127.0.0.1:9/x')),
      ),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({
    type: fc.constant('event_callback'),
    event_id: field,
    event: fc.oneof(
      fc.record({
        type: fc.oneof(fc.constantFrom('message', 'pin_added', 'reaction_added', 'app_home_opened'), field),
        user: maybe(field),
        channel: maybe(field),
        item: maybe(field),
        message: maybe(field),
        subtype: maybe(field),
        text: maybe(field),
      }),
      field,
    ),
    authorizations: maybe(fc.oneof(fc.array(field, { maxLength: 2 }), field)),
  }),
  anyJson,
);

const formOf = (value: unknown) => new URLSearchParams({ payload: JSON.stringify(value) }).toString();

for (const database of testDatabases().slice(0, 1)) {
  describe(`generated requests (${database.name})`, () => {
    const env = useTestBot(database, { users: [{ id: 'U1', name: 'one' }] });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    before(() => {
      process.on('unhandledRejection', onRejection);
      env.slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    });
    after(() => void process.off('unhandledRejection', onRejection));

    test('every signed body is answered 200, 400 or 404 (never 500, never no answer), and nothing is left unhandled', {
      timeout: 300_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(slackish, fc.boolean(), async (value, asJson) => {
          const body = asJson ? JSON.stringify(value) : formOf(value);
          const res = await postSigned(env.app.url, body, {
            contentType: asJson ? 'application/json' : 'application/x-www-form-urlencoded',
          });
          assert.ok([200, 400, 404].includes(res.status), `${res.status} for ${body.slice(0, 300)}`);
        }),
        {
          numRuns: 200,
          // Found by an earlier run: an action with a number for its action_id and no block_id
          // reached Bolt's matching of block ids by pattern (block_id.match), a 500.
          examples: [
            [
              {
                type: 'interactive_message',
                user: { id: 'U1' },
                actions: [{ action_id: 0 }],
                channel: null,
                callback_id: 'U1',
              },
              false,
            ],
            [
              { type: 'interactive_message', user: { id: 'U1' }, actions: [{ action_id: 'x' }], callback_id: 'U1' },
              false,
            ],
            [{ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'x' }] }, false],
          ],
        },
      );
      await env.app.bot.idle();
      assert.deepEqual(rejections, []);
      assert.equal((await fetch(`${env.app.url}/healthz`)).status, 200);
    });
  });
}
