// The bench's baseline: the bot's own Bolt app (createSlackApp: the same HTTP receiver, signature
// verification, options and middleware, the Slack delivery log on the bot's database and its
// metrics) whose only listener is an /incident command that acks and does nothing else. The real
// bot's ack latency is read against this one's.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningBot } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { PgDeliveryLog } from '../src/db/pg-delivery-log.ts';
import { InFlight } from '../src/inflight.ts';
import { WorkLimit } from '../src/work-limit.ts';
import { createSlackApp } from '../src/slack/app.ts';
import { COMMAND } from '../src/slack/ids.ts';

export async function startBaselineApp(
  config: Config,
  bot: RunningBot,
): Promise<{ port: number; stop(): Promise<void> }> {
  const inflight = new InFlight();
  const app = createSlackApp({
    config,
    ctx: { deps: bot.deps, work: new WorkLimit(config.WORK_CONCURRENCY), intake: bot.intake },
    healthCheck: async () => {},
    track: inflight.track,
    deliveries: new PgDeliveryLog(bot.db.pool),
    metrics: bot.metrics,
    retries: { retries: 0 },
  });
  // createSlackApp registered the bot's listeners; the baseline keeps its middleware and drops them.
  const listeners = (app as unknown as { listeners?: unknown[] }).listeners;
  if (!Array.isArray(listeners) || listeners.length === 0)
    throw new Error('Bolt changed: the baseline cannot remove the listeners');
  listeners.length = 0;
  app.command(COMMAND, async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'Declaring a SEV2 incident: Concurrent incident…' });
  });
  const server = (await app.start(0)) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      await app.stop();
      await inflight.idle();
    },
  };
}
