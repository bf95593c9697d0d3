// No request can end the bot's process: the real bot as a child process (src/main.ts) gets validly
// signed bodies that are not Slack payloads (`payload=null` used to throw inside Bolt's receiver,
// an unhandled rejection that exited the process), each answered 400 and logged; unsigned or
// out-of-window ones 401. Then it still answers /healthz and a real command, and has not exited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-standin.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import { startChildBot, type ChildBot } from './child-bot.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const form = (payload: string) => new URLSearchParams({ payload }).toString();

/** Signed, well-formed HTTP, and not a Slack payload the bot accepts: each must get 400. */
const MALFORMED: { name: string; body: string; contentType?: string }[] = [
  { name: 'payload=null', body: 'payload=null' },
  { name: 'payload=[]', body: form('[]') },
  { name: 'payload=1', body: form('1') },
  { name: 'payload="x"', body: form('"x"') },
  { name: 'payload=true', body: form('true') },
  { name: 'payload not JSON', body: form('{"type":') },
  { name: 'payload without a type', body: form('{}') },
  { name: 'payload of an unknown type', body: form('{"type":"nonsense","user":{"id":"U1"}}') },
  { name: 'block_actions with actions null', body: form('{"type":"block_actions","user":{"id":"U1"},"actions":null}') },
  {
    name: 'block_actions with user null',
    body: form('{"type":"block_actions","user":null,"actions":[{"action_id":"a"}]}'),
  },
  {
    name: 'block_actions with a string action',
    body: form('{"type":"block_actions","user":{"id":"U1"},"actions":["a"]}'),
  },
  { name: 'view_submission with view null', body: form('{"type":"view_submission","user":{"id":"U1"},"view":null}') },
  {
    name: 'view_submission whose state values are not objects',
    body: form(
      '{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","callback_id":"x","state":{"values":{"b":{"a":null}}}}}',
    ),
  },
  {
    name: 'an interaction carrying an event',
    body: form('{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"a"}],"event":"x"}'),
  },
  { name: 'payload twice', body: 'payload=%7B%7D&payload=%7B%7D' },
  { name: 'empty form', body: '' },
  { name: 'command without user or channel', body: 'command=%2Fincident&text=help' },
  { name: 'command with a repeated field', body: 'command=%2Fincident&user_id=U1&channel_id=C1&text=a&text=b' },
  { name: 'JSON null', body: 'null', contentType: JSON_TYPE },
  { name: 'JSON array', body: '[]', contentType: JSON_TYPE },
  { name: 'JSON number', body: '42', contentType: JSON_TYPE },
  { name: 'JSON string', body: '"event_callback"', contentType: JSON_TYPE },
  { name: 'JSON not JSON', body: '{"type":', contentType: JSON_TYPE },
  {
    name: 'event_callback with event null',
    body: '{"type":"event_callback","event_id":"Ev1","event":null}',
    contentType: JSON_TYPE,
  },
  {
    name: 'event_callback with a string event',
    body: '{"type":"event_callback","event_id":"Ev1","event":"pin_added"}',
    contentType: JSON_TYPE,
  },
  {
    name: 'event_callback with channel null',
    body: '{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":null}}',
    contentType: JSON_TYPE,
  },
  {
    name: 'event_callback with item null',
    body: '{"type":"event_callback","event_id":"Ev1","event":{"type":"pin_added","item":null}}',
    contentType: JSON_TYPE,
  },
  {
    name: 'event_callback with authorizations [null]',
    body: '{"type":"event_callback","event_id":"Ev1","event":{"type":"pin_added"},"authorizations":[null]}',
    contentType: JSON_TYPE,
  },
  { name: 'an event without its type', body: '{"event":{}}', contentType: JSON_TYPE },
  { name: 'url_verification without a challenge', body: '{"type":"url_verification"}', contentType: JSON_TYPE },
  { name: 'nested 100,000 deep', body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, contentType: JSON_TYPE },
  {
    name: 'a command as text/plain',
    body: slashCommandBody({ text: 'help', responseUrl: 'https://hooks.slack.com/commands/T1/1/x' }),
    contentType: 'text/plain',
  },
  { name: 'a command as multipart', body: 'payload=null', contentType: 'multipart/form-data; boundary=x' },
  { name: 'no content type at all', body: 'payload=null', contentType: '' },
  { name: 'payload=null with a charset', body: 'payload=null', contentType: `${FORM}; charset=utf-8` },
];

describe('requests that are not Slack payloads (the bot as a child process)', () => {
  let slack: SlackStandIn;
  let child: ChildBot;
  before(async () => {
    slack = await startSlackStandIn({ users: [{ id: 'UALICE', name: 'alice' }] });
    child = await startChildBot(slack, { DATA_DIR: ':memory:' });
  });
  after(async () => {
    child?.proc.kill('SIGKILL');
    await child?.exited;
    await slack?.close();
  });

  const alive = async () => {
    const health = await fetch(`${child.url}/healthz`).catch((err: unknown) => ({
      status: `unreachable: ${String(err)}`,
    }));
    assert.equal(health.status, 200, `the bot still answers /healthz; stderr: ${child.stderr().slice(-1500)}`);
  };

  test('each validly signed malformed body gets 400, is logged, and the process lives on', async () => {
    for (const m of MALFORMED) {
      const res = await postSigned(child.url, m.body, { contentType: m.contentType ?? FORM }).catch((err: unknown) => ({
        status: `no answer: ${String(err)}`,
        body: '',
      }));
      assert.equal(res.status, 400, `${m.name}: ${res.body}`);
    }
    await alive();
    const refusals = () => child.logs.filter((l) => l.msg === 'Slack request refused' && l.status === 400);
    // The child's log lines come through its stdout pipe, which may trail its HTTP answers a little.
    for (let waited = 0; refusals().length < MALFORMED.length && waited < 5000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const refused = refusals();
    assert.equal(refused.length, MALFORMED.length, 'each refusal is logged');
    assert.ok(
      refused.every((l) => typeof l.reason === 'string'),
      'with its reason',
    );
  });

  test('unsigned, wrongly signed and out-of-window requests get 401, even with a malformed body', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<{ status: number }>][] = [
      ['wrong secret', postSigned(child.url, 'payload=null', { secret: 'not-the-signing-secret' })],
      ['6 minutes in the future', postSigned(child.url, 'payload=null', { timestamp: now + 360 })],
      ['6 minutes old', postSigned(child.url, 'payload=null', { timestamp: now - 360 })],
      [
        'no signature',
        fetch(`${child.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: 'payload=null' }),
      ],
      [
        'a timestamp that is not a number',
        postSigned(child.url, 'payload=null', { headers: { 'x-slack-request-timestamp': 'soon' } }),
      ],
    ];
    for (const [name, res] of cases) assert.equal((await res).status, 401, name);
    await alive();
  });

  test("a body over the size limit gets 413; Slack's unsigned ssl_check gets 200 and nothing else", async () => {
    const big = await postSigned(child.url, `payload=${'x'.repeat(5 * 1024 * 1024)}`);
    assert.equal(big.status, 413);
    const ssl = await fetch(`${child.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'ssl_check=1&token=x&payload=null',
    });
    assert.equal(ssl.status, 200);
    await alive();
  });

  test('after all that, a real command is still answered and the process has not exited', async () => {
    const res = await postSigned(child.url, slashCommandBody({ text: 'help', responseUrl: slack.responseUrl('help') }));
    assert.equal(res.status, 200);
    assert.match(String(res.json()?.text), /\/incident declare/);
    assert.equal(child.proc.exitCode, null, 'still running');
    assert.equal(child.proc.signalCode, null);
    assert.ok(
      !child.logs.some((l) => /unhandled promise rejection/.test(String(l.msg))),
      'no unhandled rejection on the way',
    );
  });
});
