import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ActionItem } from '../domain/action-items.ts';
import type { Incident } from '../domain/incident.ts';
import type { PostIncidentReview } from '../domain/review.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';
import {
  ChatError,
  type ChatFile,
  type ChatMessage,
  type ChatPlatform,
  type CreateChannelResult,
  type MemberStanding,
  type Notice,
  type SummaryContext,
} from '../ports/chat-platform.ts';
import { incidentAnnouncement } from './views/announcement.ts';
import { incidentSummary } from './views/incident-summary.ts';
import { noticeMessage } from './views/notices.ts';
import { actionReminderMessage } from './views/action-reminder.ts';
import { reviewMessage } from './views/review-message.ts';
import { slackResponseUrlCheck, type ResponseUrlCheck } from './response-urls.ts';

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
  // Text the database cannot store (a message's U+0000, say) is cleaned here, as it comes in.
  let storable: unknown;
  try {
    storable = cleanUnstorable(res).value;
  } catch {
    throw new ChatError('invalid_response', 'Slack answered in an unexpected shape');
  }
  const parsed = schema.safeParse(storable);
  if (!parsed.success) throw new ChatError('invalid_response', 'Slack answered in an unexpected shape');
  return parsed.data;
}

const anything = z.unknown();
const history = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        user: z.string().optional(),
        bot_id: z.string().optional(),
        text: z.string().default(''),
      }),
    )
    .default([]),
});
const permalinkResponse = z.object({ permalink: z.string() });
const userInfo = z.object({ user: z.object({ tz: z.string().nullish() }) });
const userStanding = z.object({
  user: z.object({
    id: z.string(),
    deleted: z.boolean().nullish(),
    is_restricted: z.boolean().nullish(),
    is_ultra_restricted: z.boolean().nullish(),
    is_bot: z.boolean().nullish(),
    tz: z.string().nullish(),
  }),
});
const channelList = z.object({
  channels: z.array(z.object({ id: z.string(), name: z.string(), creator: z.string().optional() })).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
const authTest = z.object({ user_id: z.string() });
const channelMembers = z.object({
  members: z.array(z.string()).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
const userChannels = z.object({
  channels: z.array(z.object({ id: z.string() })).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
const lookedUp = z.object({ user: z.object({ id: z.string() }) });
const userName = z.object({
  user: z.object({
    name: z.string().max(200).optional(),
    real_name: z.string().max(200).nullish(),
    profile: z
      .object({ display_name: z.string().max(200).nullish(), real_name: z.string().max(200).nullish() })
      .nullish(),
  }),
});
const userEmailInfo = z.object({ user: z.object({ profile: z.object({ email: z.string().nullish() }).nullish() }) });
const uploadUrl = z.object({ upload_url: z.url(), file_id: z.string().min(1) });
const openedIm = z.object({ channel: z.object({ id: z.string().min(1) }) });
const memberList = z.object({
  members: z
    .array(
      z.object({
        id: z.string(),
        deleted: z.boolean().optional(),
        is_bot: z.boolean().optional(),
        profile: z.object({ email: z.string().nullish() }).nullish(),
      }),
    )
    .default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

/** The content type of an uploaded file, by its extension (Slack also guesses). */
function mimeTypeOf(filename: string): string {
  const ext = filename.split('.').at(-1)?.toLowerCase();
  return ext === 'png'
    ? 'image/png'
    : ext === 'csv'
      ? 'text/csv'
      : ext === 'md'
        ? 'text/markdown'
        : ext === 'json'
          ? 'application/json'
          : 'application/octet-stream';
}

export class SlackChatPlatform implements ChatPlatform {
  private botUserId: Promise<string> | null = null;

  private readonly client: WebClient;
  /** Zone of the fallback text of dates (Slack shows each reader their own). */
  private readonly defaultTimeZone: string;
  /** The summary's breach line counts down from this clock's time. */
  private readonly clock: Clock;
  /** Where private answers may be posted: Slack's response URLs only (response-urls.ts). */
  private readonly responseUrlAllowed: ResponseUrlCheck;

  constructor(
    client: WebClient,
    defaultTimeZone = 'UTC',
    clock: Clock = systemClock,
    responseUrlAllowed: ResponseUrlCheck = slackResponseUrlCheck('https://slack.com/api/'),
  ) {
    this.client = client;
    this.defaultTimeZone = defaultTimeZone;
    this.clock = clock;
    this.responseUrlAllowed = responseUrlAllowed;
  }

  private botUser(): Promise<string> {
    this.botUserId ??= call(() => this.client.auth.test(), authTest).then((r) => r!.user_id);
    this.botUserId.catch(() => (this.botUserId = null));
    return this.botUserId;
  }

  async findChannelByName(name: string) {
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await call(
        () =>
          this.client.conversations.list({
            types: 'public_channel,private_channel',
            exclude_archived: true,
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          }),
        channelList,
      );
      const found = res!.channels.find((c) => c.name === name);
      if (found) return { id: found.id, name: found.name, createdByBot: found.creator === (await this.botUser()) };
      const next = res!.response_metadata?.next_cursor || undefined;
      // A cursor that does not move would ask for the same page again: the list is over.
      if (!next || next === cursor) return null;
      cursor = next;
    }
    return null;
  }

  async createChannel(name: string, isPrivate: boolean): Promise<CreateChannelResult> {
    const res = await call(() => this.client.conversations.create({ name, is_private: isPrivate }), createdChannel, [
      'name_taken',
    ]);
    return res ? { ok: true, id: res.channel.id, name: res.channel.name } : { ok: false, reason: 'name_taken' };
  }

  async inviteUsers(channelId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    await call(() => this.client.conversations.invite({ channel: channelId, users: userIds.join(',') }), anything, [
      'already_in_channel',
      'cant_invite_self',
    ]);
  }

  async postSummary(channelId: string, incident: Incident, context: SummaryContext): Promise<string> {
    const msg = incidentSummary(incident, this.defaultTimeZone, this.clock.now(), context);
    const res = await call(() => this.client.chat.postMessage({ channel: channelId, ...msg }), postedMessage);
    return res!.ts;
  }

  async updateSummary(channelId: string, ts: string, incident: Incident, context: SummaryContext): Promise<void> {
    const msg = incidentSummary(incident, this.defaultTimeZone, this.clock.now(), context);
    await call(() => this.client.chat.update({ channel: channelId, ts, ...msg }), anything);
  }

  async pinMessage(channelId: string, ts: string): Promise<void> {
    await call(() => this.client.pins.add({ channel: channelId, timestamp: ts }), anything, ['already_pinned']);
  }

  async announce(broadcastChannelId: string, incident: Incident): Promise<string> {
    const msg = incidentAnnouncement(incident, this.defaultTimeZone);
    const res = await call(() => this.client.chat.postMessage({ channel: broadcastChannelId, ...msg }), postedMessage);
    return res!.ts;
  }

  async notify(channelId: string, notice: Notice): Promise<string> {
    const res = await call(
      () => this.client.chat.postMessage({ channel: channelId, ...noticeMessage(notice) }),
      postedMessage,
    );
    return res!.ts;
  }

  async fetchMessage(channelId: string, ts: string): Promise<ChatMessage | null> {
    const res = await call(
      () =>
        this.client.conversations.history({ channel: channelId, latest: ts, oldest: ts, inclusive: true, limit: 1 }),
      history,
    );
    const m = res?.messages.find((x) => x.ts === ts);
    if (!m) return null;
    return { ts: m.ts, userId: m.user ?? null, text: m.text, permalink: await this.permalink(channelId, ts) };
  }

  async permalink(channelId: string, ts: string): Promise<string | null> {
    const res = await call(
      () => this.client.chat.getPermalink({ channel: channelId, message_ts: ts }),
      permalinkResponse,
      ['message_not_found'],
    );
    return res?.permalink ?? null;
  }

  /** Pages through users.conversations (private channels the bot is in too; archived ones included). */
  async privateChannelsOf(userId: string): Promise<Set<string>> {
    const found = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await call(
        () =>
          this.client.users.conversations({
            user: userId,
            types: 'private_channel',
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          }),
        userChannels,
        ['user_not_found'],
      );
      if (!res) return found;
      for (const c of res.channels) found.add(c.id);
      const next = res.response_metadata?.next_cursor || undefined;
      if (!next || next === cursor) return found;
      cursor = next;
    }
    return found;
  }

  /** Pages through conversations.members (Slack has no direct "is this user a member" method). */
  async isMember(channelId: string, userId: string): Promise<boolean> {
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await call(
        () => this.client.conversations.members({ channel: channelId, limit: 1000, ...(cursor ? { cursor } : {}) }),
        channelMembers,
        ['channel_not_found'],
      );
      if (!res) return false;
      if (res.members.includes(userId)) return true;
      const next = res.response_metadata?.next_cursor || undefined;
      // A cursor that does not move would loop: the list is over.
      if (!next || next === cursor) return false;
      cursor = next;
    }
    return false;
  }

  async userEmail(userId: string): Promise<string | null> {
    const res = await call(() => this.client.users.info({ user: userId }), userEmailInfo, ['user_not_found']);
    return res?.user.profile?.email ?? null;
  }

  async userIdByEmail(email: string): Promise<string | null> {
    const res = await call(() => this.client.users.lookupByEmail({ email }), lookedUp, ['users_not_found']);
    return res?.user.id ?? null;
  }

  /**
   * A few emails are looked up one by one; more through one paginated users.list (users.lookupByEmail
   * is rate-limited to about 50 a minute, which 200 on-call people would wait minutes for).
   */
  async userIdsByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Set(emails.map((e) => e.toLowerCase()));
    const found = new Map<string, string>();
    if (wanted.size <= 5) {
      for (const email of wanted) {
        const id = await this.userIdByEmail(email);
        if (id) found.set(email, id);
      }
      return found;
    }
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await call(() => this.client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) }), memberList);
      for (const m of res!.members) {
        const email = m.profile?.email?.toLowerCase();
        if (email && wanted.has(email) && !m.deleted && !m.is_bot) found.set(email, m.id);
      }
      cursor = res!.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return found;
  }

  async userTimeZone(userId: string): Promise<string | null> {
    const res = await call(() => this.client.users.info({ user: userId }), userInfo, ['user_not_found']);
    return res?.user.tz ?? null;
  }

  async memberStanding(userId: string): Promise<MemberStanding> {
    const res = await call(() => this.client.users.info({ user: userId }), userStanding, ['user_not_found']);
    if (!res) return { standing: 'unknown', timeZone: null };
    const u = res.user;
    const timeZone = u.tz ?? null;
    // Deactivated first: a deactivated guest is deactivated. Slackbot answers is_bot false.
    if (u.deleted) return { standing: 'deactivated', timeZone };
    if (u.is_bot || u.id === 'USLACKBOT') return { standing: 'bot', timeZone };
    if (u.is_restricted || u.is_ultra_restricted) return { standing: 'guest', timeZone };
    return { standing: 'member', timeZone };
  }

  /** users.info for each, four at a time; one Slack does not know is left out; Slack failing is a ChatError. */
  async displayNames(userIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const queue = [...new Set(userIds)];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const res = await call(() => this.client.users.info({ user: id }), userName, ['user_not_found']);
        const u = res?.user;
        const name =
          u?.profile?.real_name?.trim() || u?.real_name?.trim() || u?.profile?.display_name?.trim() || u?.name;
        if (name) names.set(id, name);
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
    return names;
  }

  async directMessage(userId: string, text: string): Promise<void> {
    await call(() => this.client.chat.postMessage({ channel: userId, text }), postedMessage);
  }

  async postReview(channelId: string, review: PostIncidentReview, ts: string | null): Promise<string> {
    const msg = reviewMessage(review);
    if (ts) {
      // Redrawn in place; posted anew if that message was deleted.
      const updated = await call(() => this.client.chat.update({ channel: channelId, ts, ...msg }), anything, [
        'message_not_found',
        'cant_update_message',
      ]);
      if (updated) return ts;
    }
    const res = await call(() => this.client.chat.postMessage({ channel: channelId, ...msg }), postedMessage);
    return res!.ts;
  }

  /** Slack's external upload: ask for an upload URL, send the bytes there, then share the file in the channel. */
  async sendFilesPrivately(userId: string, files: ChatFile[]): Promise<void> {
    const opened = await call(() => this.client.conversations.open({ users: userId }), openedIm);
    for (const file of files) await this.uploadFile(opened!.channel.id, file);
  }

  async uploadFile(channelId: string, file: ChatFile): Promise<void> {
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    const target = await call(
      () => this.client.files.getUploadURLExternal({ filename: file.filename, length: bytes.length }),
      uploadUrl,
    );
    let res: Response;
    try {
      // As Slack's documentation sends it: a multipart form with the file.
      const form = new FormData();
      form.append('filename', new Blob([new Uint8Array(bytes)], { type: mimeTypeOf(file.filename) }), file.filename);
      res = await fetch(target!.upload_url, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
    } catch {
      throw new ChatError('upload_failed', 'Slack: the file upload did not reach Slack');
    }
    if (!res.ok) throw new ChatError('upload_failed', `Slack: the file upload answered ${res.status}`);
    await call(
      () =>
        this.client.files.completeUploadExternal({
          files: [{ id: target!.file_id, title: file.title }],
          channel_id: channelId,
          ...(file.comment ? { initial_comment: file.comment } : {}),
        }),
      anything,
    );
  }

  async remindActionOwner(item: ActionItem, reminder: 'due' | 'overdue', today: string): Promise<void> {
    const msg = actionReminderMessage(item, reminder, today);
    if (!item.ownerId) return;
    await call(() => this.client.chat.postMessage({ channel: item.ownerId!, ...msg }), postedMessage);
  }

  async replyPrivately(
    responseUrl: string,
    text: string,
    blocks?: readonly object[],
    opts: { replace?: boolean } = {},
  ): Promise<void> {
    // The last check before sending: a URL stored before it was screened, or from anywhere else, is never posted to.
    if (!this.responseUrlAllowed(responseUrl))
      throw new ChatError('response_url_not_slack', 'not a Slack response URL: nothing was posted to it');
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        response_type: 'ephemeral',
        replace_original: opts.replace === true,
        text,
        ...(blocks ? { blocks } : {}),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new ChatError(`response_url_${res.status}`);
  }
}
