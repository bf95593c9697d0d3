// The delivery middleware on its own, with a fake delivery log: which key each kind of Slack
// payload gets, what a retry does, failures of the handling and of the log, and hourly pruning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import type { DeliveryLog } from '../../src/ports/delivery-log.ts';
import { deliveryKey, skipRetriedDeliveries } from '../../src/slack/deliveries.ts';

class FakeLog implements DeliveryLog {
  keys = new Map<string, Date>();
  prunes: Date[] = [];
  down = false;
  async record(key: string, at: Date) {
    if (this.down) throw new Error('database unreachable');
    if (this.keys.has(key)) return false;
    this.keys.set(key, at);
    return true;
  }
  async forget(key: string) {
    this.keys.delete(key);
  }
  async pruneBefore(cutoff: Date) {
    this.prunes.push(cutoff);
    let n = 0;
    for (const [k, at] of this.keys) if (at < cutoff && this.keys.delete(k)) n++;
    return n;
  }
}

const command = (trigger: string) => ({ command: '/incident', text: 'note hi', trigger_id: trigger, user_id: 'UALICE' });

function setup() {
  const log = new FakeLog();
  let now = new Date('2026-12-01T10:00:00Z');
  const clock = { now: () => now };
  const mw = skipRetriedDeliveries({ log, clock, logger: silentLogger });
  const run = async (body: unknown, opts: { retryNum?: number; handler?: () => Promise<void> } = {}) => {
    let handled = 0;
    let acked = 0;
    await mw({
      body,
      context: opts.retryNum === undefined ? {} : { retryNum: opts.retryNum, retryReason: 'http_timeout' },
      ack: async () => void acked++,
      next: async () => {
        handled++;
        await opts.handler?.();
      },
    } as never);
    return { handled, acked };
  };
  return { log, run, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('Slack delivery keys', () => {
  test('each kind of payload has a stable key; options requests have none', () => {
    assert.equal(deliveryKey({ type: 'event_callback', event_id: 'Ev123', event: { type: 'pin_added' } }), 'event:Ev123');
    assert.equal(deliveryKey(command('1.2.abc')), 'command:1.2.abc');
    assert.equal(
      deliveryKey({ type: 'block_actions', trigger_id: 't', user: { id: 'UBOB' }, actions: [{ action_id: 'incident_resolve', action_ts: '1764.0001' }] }),
      'action:1764.0001:incident_resolve:UBOB',
    );
    assert.equal(deliveryKey({ type: 'view_submission', trigger_id: '9.8.xyz', view: { id: 'V1' } }), 'view:9.8.xyz');
    assert.equal(deliveryKey({ type: 'shortcut', trigger_id: '7.7.s', callback_id: 'declare' }), 'interaction:7.7.s');
    assert.equal(deliveryKey({ type: 'view_closed', user: { id: 'UA' }, view: { id: 'V2', hash: 'h1' } }), 'view_closed:V2:h1:UA');
    assert.equal(deliveryKey({ type: 'block_suggestion', action_id: 'x', value: 'pay' }), null);
    assert.equal(deliveryKey({ type: 'event_callback' }), null, 'no event id: nothing to key on');
    assert.equal(deliveryKey('garbage'), null);
  });
});

describe('skipRetriedDeliveries', () => {
  test('a retry of a recorded delivery is acknowledged and not handled; the first copy and new ones are', async () => {
    const { run, log } = setup();
    assert.deepEqual(await run(command('T1')), { handled: 1, acked: 0 });
    assert.deepEqual(await run(command('T1'), { retryNum: 1 }), { handled: 0, acked: 1 });
    assert.deepEqual(await run(command('T1'), { retryNum: 2 }), { handled: 0, acked: 1 });
    assert.deepEqual(await run(command('T2'), { retryNum: 1 }), { handled: 1, acked: 0 }, 'a retry whose first copy never arrived is handled');
    assert.deepEqual(await run(command('T1')), { handled: 1, acked: 0 }, 'a copy that is not a retry is left to the listener');
    assert.deepEqual([...log.keys.keys()], ['command:T1', 'command:T2']);
  });

  test('payloads without a key are always handled', async () => {
    const { run, log } = setup();
    const options = { type: 'block_suggestion', action_id: 'x', value: 'pay' };
    assert.equal((await run(options)).handled, 1);
    assert.equal((await run(options, { retryNum: 1 })).handled, 1);
    assert.equal(log.keys.size, 0);
  });

  test('when the handling throws, the key is dropped so that Slack\'s retry is handled', async () => {
    const { run, log } = setup();
    await assert.rejects(run(command('T3'), { handler: async () => { throw new Error('boom'); } }), /boom/);
    assert.equal(log.keys.has('command:T3'), false);
    assert.equal((await run(command('T3'), { retryNum: 1 })).handled, 1);
  });

  test('when the log cannot be reached, deliveries are handled anyway (a duplicate rather than a loss)', async () => {
    const { run, log } = setup();
    await run(command('T4'));
    log.down = true;
    assert.deepEqual(await run(command('T4'), { retryNum: 1 }), { handled: 1, acked: 0 });
    assert.deepEqual(await run(command('T5')), { handled: 1, acked: 0 });
  });

  test("a first delivery is handled without waiting for the log's insert; a retry waits for its check", async () => {
    const log = new FakeLog();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: DeliveryLog = { ...log, record: async (k, at) => (await gate, log.record(k, at)), forget: (k) => log.forget(k), pruneBefore: (c) => log.pruneBefore(c) };
    const mw = skipRetriedDeliveries({ log: slow, clock: { now: () => new Date() }, logger: silentLogger });
    const order: string[] = [];
    const first = mw({ body: command('T6'), context: {}, next: async () => void order.push('handled') } as never);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['handled'], 'handled while the insert is pending');
    let retryHandled = false;
    const retry = mw({ body: command('T6'), context: { retryNum: 1 }, ack: async () => {}, next: async () => void (retryHandled = true) } as never);
    await new Promise((r) => setImmediate(r));
    assert.equal(retryHandled, false, 'the retry waits for the log');
    release();
    await Promise.all([first, retry]);
    assert.equal(retryHandled, false, 'and is dropped: the first copy recorded the key');
  });

  test('keys older than a day are deleted, at most once an hour', async () => {
    const { run, log, advance } = setup();
    await run(command('A'));
    assert.equal(log.prunes.length, 1, 'the first delivery prunes');
    advance(10 * 60_000);
    await run(command('B'));
    assert.equal(log.prunes.length, 1, 'not again within the hour');
    advance(24 * 60 * 60_000);
    await run(command('C'));
    assert.equal(log.prunes.length, 2);
    assert.equal(log.prunes[1]!.toISOString(), '2026-12-01T10:10:00.000Z', 'a day before now');
    assert.deepEqual([...log.keys.keys()], ['command:B', 'command:C'], 'A was older than a day');
  });
});
