import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Incident } from '../domain/incident.ts';
import { ChatError, type ChatPlatform, type CreateChannelResult } from '../ports/chat-platform.ts';
import { incidentAnnouncement } from './views/announcement.ts';
import { incidentSummary } from './views/incident-summary.ts';

const createdChannel = z.object({ channel: z.object({ id: z.string().min(1), name: z.string().min(1) }) });
const postedMessage = z.object({ ts: z.string().min(1) });

/** Slack's code for a failed call (`not_in_channel`, `ratelimited`, `request_error`, …). */
function slackCode(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string } };
  if (e?.data?.error) return e.data.error;
  if (e?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  if (e?.code === 'slack_webapi_request_error') return 'request_error';
  if (e?.code === 'slack_webapi_http_error') return 'http_error';
  return 'unknown_error';
}

/** Calls Slack; a failure becomes a ChatError with Slack's code, unless `tolerated` lists it. */
async function call<T>(fn: () => Promise<unknown>, schema: z.ZodType<T>, tolerated: string[] = []): Promise<T | null> {
  let res: unknown;
  try {
    res = await fn();
  } catch (err) {
    const code = slackCode(err);
    if (tolerated.includes(code)) return null;
    throw new ChatError(code, `Slack: ${code}`);
  }
  const parsed = schema.safeParse(res);
  if (!parsed.success) throw new ChatError('invalid_response', 'Slack answered in an unexpected shape');
  return parsed.data;
}

const anything = z.unknown();

export class SlackChatPlatform implements ChatPlatform {
  constructor(private readonly client: WebClient) {}

  async createChannel(name: string, isPrivate: boolean): Promise<CreateChannelResult> {
    const res = await call(() => this.client.conversations.create({ name, is_private: isPrivate }), createdChannel, ['name_taken']);
    return res ? { ok: true, id: res.channel.id, name: res.channel.name } : { ok: false, reason: 'name_taken' };
  }

  async inviteUsers(channelId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await call(() => this.client.conversations.invite({ channel: channelId, users: userIds.join(',') }), anything, [
      'already_in_channel',
      'cant_invite_self',
    ]);
  }

  async postSummary(channelId: string, incident: Incident): Promise<string> {
    const msg = incidentSummary(incident);
    const res = await call(() => this.client.chat.postMessage({ channel: channelId, ...msg }), postedMessage);
    return res!.ts;
  }

  async updateSummary(channelId: string, ts: string, incident: Incident): Promise<void> {
    const msg = incidentSummary(incident);
    await call(() => this.client.chat.update({ channel: channelId, ts, ...msg }), anything);
  }

  async pinMessage(channelId: string, ts: string): Promise<void> {
    await call(() => this.client.pins.add({ channel: channelId, timestamp: ts }), anything, ['already_pinned']);
  }

  async announce(broadcastChannelId: string, incident: Incident): Promise<string> {
    const msg = incidentAnnouncement(incident);
    const res = await call(() => this.client.chat.postMessage({ channel: broadcastChannelId, ...msg }), postedMessage);
    return res!.ts;
  }

  async replyPrivately(responseUrl: string, text: string): Promise<void> {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new ChatError(`response_url_${res.status}`);
  }
}
