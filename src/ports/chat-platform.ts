import type { Incident } from '../domain/incident.ts';

/** A chat failure the bot can explain: `code` is the platform's own (e.g. Slack's `not_in_channel`). */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'ChatError';
  }
}

export type CreateChannelResult = { ok: true; id: string; name: string } | { ok: false; reason: 'name_taken' };

/** What the incident use cases need from the chat workspace (Slack in production). */
export interface ChatPlatform {
  createChannel(name: string, isPrivate: boolean): Promise<CreateChannelResult>;
  /** Users already in the channel are fine. */
  inviteUsers(channelId: string, userIds: string[]): Promise<void>;
  /** Posts the incident summary; returns the message id (Slack ts). */
  postSummary(channelId: string, incident: Incident): Promise<string>;
  updateSummary(channelId: string, ts: string, incident: Incident): Promise<void>;
  /** Pinning an already pinned message is fine. */
  pinMessage(channelId: string, ts: string): Promise<void>;
  /** Announces the incident in the broadcast channel; returns the message id. */
  announce(broadcastChannelId: string, incident: Incident): Promise<string>;
  /** A message only the requester sees (Slack: the slash command's response_url). */
  replyPrivately(responseUrl: string, text: string): Promise<void>;
}
