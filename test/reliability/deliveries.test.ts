// The delivery middleware on its own, with a fake delivery log: which key each kind of Slack
// payload gets, what a retry or a replay does, failures of the handling and of the log, and hourly pruning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import type { DeliveryLog } from '../../src/ports/delivery-log.ts';
import { deliveryKey, requestKey, skipRepeatedDeliveries } from '../../src/slack/deliveries.ts';

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

const command = (trigger: string) => ({
  command: '/incident',
  text: 'note hi',
  trigger_id: trigger,
  user_id: 'UALICE',
});

function setup() {
  const log = new FakeLog();
  let now = new Date('2026-12-01T10:00:00Z');
  const clock = { now: () => now };
  const mw = skipRepeatedDeliveries({ log, clock, logger: silentLogger, signatureKey: 'sig' });
  const run = async (
    body: unknown,
    opts: { retryNum?: number; signature?: string; handler?: () => Promise<void> } = {},
  ) => {
    let handled = 0;
    let acked = 0;
    await mw({
      body,
      context: {
        ...(opts.retryNum === undefined ? {} : { retryNum: opts.retryNum, retryReason: 'http_timeout' }),
        ...(opts.signature ? { sig: opts.signature } : {}),
      },
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
    assert.equal(
      deliveryKey({ type: 'event_callback', event_id: 'Ev123', event: { type: 'pin_added' } }),
      'event:Ev123',
    );
    assert.equal(deliveryKey(command('1.2.abc')), 'command:1.2.abc');
    assert.equal(
      deliveryKey({
        type: 'block_actions',
        trigger_id: 't',
        user: { id: 'UBOB' },
        actions: [{ action_id: 'incident_resolve', action_ts: '1764.0001' }],
      }),
      'action:1764.0001:incident_resolve:UBOB',
    );
    assert.equal(deliveryKey({ type: 'view_submission', trigger_id: '9.8.xyz', view: { id: 'V1' } }), 'view:9.8.xyz');
    assert.equal(deliveryKey({ type: 'shortcut', trigger_id: '7.7.s', callback_id: 'declare' }), 'interaction:7.7.s');
    assert.equal(
      deliveryKey({ type: 'view_closed', user: { id: 'UA' }, view: { id: 'V2', hash: 'h1' } }),
      'view_closed:V2:h1:UA',
    );
    assert.equal(deliveryKey({ type: 'block_suggestion', action_id: 'x', value: 'pay' }), null);
    assert.equal(deliveryKey({ type: 'event_callback' }), null, 'no event id: nothing to key on');
    assert.equal(deliveryKey('garbage'), null);
  });
});

describe('skipRepeatedDeliveries', () => {
  test('a retry of a recorded delivery is acknowledged and not handled; the first copy and new ones are', async () => {
    const { run, log } = setup();
    assert.deepEqual(await run(command('T1')), { handled: 1, acked: 0 });
    assert.deepEqual(await run(command('T1'), { retryNum: 1 }), { handled: 0, acked: 1 });
    assert.deepEqual(await run(command('T1'), { retryNum: 2 }), { handled: 0, acked: 1 });
    assert.deepEqual(
      await run(command('T2'), { retryNum: 1 }),
      { handled: 1, acked: 0 },
      'a retry whose first copy never arrived is handled',
    );
    assert.deepEqual(
      await run(command('T1')),
      { handled: 0, acked: 1 },
      'a copy that is not a retry (a replay) is dropped too',
    );
    assert.deepEqual([...log.keys.keys()], ['command:T1', 'command:T2']);
  });

  test('a plain copy of any kind of delivery already recorded is dropped, whatever its headers', async () => {
    const { run } = setup();
    const deliveries = [
      command('P1'),
      { type: 'event_callback', event_id: 'EvP1', event: { type: 'pin_added' } },
      {
        type: 'block_actions',
        trigger_id: 't',
        user: { id: 'UBOB' },
        actions: [{ action_id: 'incident_resolve', action_ts: '1764.0002' }],
      },
      { type: 'view_submission', trigger_id: 'P.1.v', view: { id: 'V1' } },
      { type: 'shortcut', trigger_id: 'P.1.s', callback_id: 'declare' },
      { type: 'view_closed', user: { id: 'UA' }, view: { id: 'V3', hash: 'h3' } },
    ];
    for (const body of deliveries) {
      assert.equal((await run(body)).handled, 1, `first copy of ${JSON.stringify(body)}`);
      for (const retryNum of [undefined, 0, 1]) {
        assert.deepEqual(
          await run(body, retryNum === undefined ? {} : { retryNum }),
          { handled: 0, acked: 1 },
          `copy (retry ${retryNum}) of ${JSON.stringify(body)}`,
        );
      }
    }
  });

  test('a payload without a key of its own is keyed on its request signature: an exact replay is dropped', async () => {
    const { run, log } = setup();
    const options = { type: 'block_suggestion', action_id: 'x', value: 'pay' };
    const sig = `v0=${'a'.repeat(64)}`;
    assert.equal((await run(options, { signature: sig })).handled, 1);
    assert.deepEqual(await run(options, { signature: sig }), { handled: 0, acked: 1 }, 'the same signed request again');
    assert.equal(
      (await run(options, { signature: `v0=${'b'.repeat(64)}` })).handled,
      1,
      'another request (another signature) is handled',
    );
    assert.deepEqual([...log.keys.keys()], [`request:${sig}`, `request:v0=${'b'.repeat(64)}`]);
    assert.equal(requestKey({ sig: 'not a signature' }, 'sig'), null);
  });

  test('payloads without a key or a signature (Socket Mode) are always handled', async () => {
    const { run, log } = setup();
    const options = { type: 'block_suggestion', action_id: 'x', value: 'pay' };
    assert.equal((await run(options)).handled, 1);
    assert.equal((await run(options, { retryNum: 1 })).handled, 1);
    assert.equal(log.keys.size, 0);
  });

  test("when the handling throws, the key is dropped so that Slack's retry is handled", async () => {
    const { run, log } = setup();
    await assert.rejects(
      run(command('T3'), {
        handler: async () => {
          throw new Error('boom');
        },
      }),
      /boom/,
    );
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

  test('every delivery waits for its record before it is handled: of two copies at once, exactly one is handled', async () => {
    const log = new FakeLog();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: DeliveryLog = {
      ...log,
      record: async (k, at) => {
        await gate;
        return log.record(k, at);
      },
      forget: (k) => log.forget(k),
      pruneBefore: (c) => log.pruneBefore(c),
    };
    const mw = skipRepeatedDeliveries({ log: slow, clock: { now: () => new Date() }, logger: silentLogger });
    let handled = 0;
    let acked = 0;
    const copy = () =>
      mw({
        body: command('T6'),
        context: {},
        ack: async () => void acked++,
        next: async () => void handled++,
      } as never);
    const both = Promise.all([copy(), copy()]);
    await new Promise((r) => setImmediate(r));
    assert.equal(handled, 0, 'nothing handled while the insert is pending');
    release();
    await both;
    assert.equal(handled, 1, 'one copy handled');
    assert.equal(acked, 1, 'the other acknowledged and dropped');
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
