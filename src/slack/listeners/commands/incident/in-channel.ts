import type { InChannelCommand } from '../../../../domain/command.ts';
import { runInChannel } from '../../in-channel.ts';
import type { SubcommandArgs } from './handler.ts';

/** The subcommands that act on this channel's incident: answered now, done after the ack. */
export async function handleInChannel({
  request,
  command: cmd,
  ctx,
  ack,
}: SubcommandArgs<InChannelCommand>): Promise<void> {
  await ack();
  await runInChannel(ctx, request, {
    channelId: cmd.channel_id,
    userId: cmd.user_id,
    responseUrl: cmd.response_url,
  });
}
