/**
 * An in-process, stateful stand-in for Slack's Web API, built on node:http only.
 *
 * Point a real `@slack/web-api` WebClient (or a Bolt App via `clientOptions`) at it:
 *
 *   const slack = await startSlackStandIn({ users: [{ id: 'U1', name: 'alice' }] });
 *   const client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
 *
 * Requests are parsed the way Slack parses them (form-urlencoded with JSON-encoded
 * `blocks`/`view`/`attachments`, JSON bodies, multipart, query strings; token in the
 * `Authorization: Bearer` header or a `token` field) and answered with Slack's real
 * response shapes and error codes (see the Web API OpenAPI spec and method docs).
 *
 * Semantics worth knowing when writing tests:
 * - A private channel the bot is not a member of is invisible to the bot, so Slack
 *   answers `channel_not_found` for it (not `not_in_channel`), as the real API does.
 * - Public channels can be posted to without membership (the app has chat:write.public).
 * - `chat.postMessage` to a user ID (U…/W…) opens a DM (an `is_im` conversation 'D…').
 * - `reset()` clears everything except `users` (channels too, including ones from
 *   `addChannel`); ID and ts counters keep increasing so values never repeat.
 * - File uploads follow Slack's external flow (what `WebClient.filesUploadV2` does):
 *   `files.getUploadURLExternal` reserves a file ID and an upload URL on this server,
 *   a POST of the bytes to that URL (raw body or multipart, as Slack accepts) answers
 *   `OK - <bytes>`, and `files.completeUploadExternal` shares the file, posting a file
 *   share message in each channel. Unlike `chat.postMessage`, sharing needs the bot to
 *   be a member of the channel (Slack answers `not_in_channel`).
 * - Socket Mode: `apps.connections.open` takes the app-level token (`appToken`, xapp-…) and no
 *   other, as Slack does (the bot token gets `not_allowed_token_type`, and the app token is good for
 *   nothing else), and answers with the WebSocket URL given to `openSocketModeAt` (a
 *   socket-mode-standin.ts server).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInUser {
  id: string;
  name: string;
  real_name?: string;
  email?: string;
  tz?: string;
  tz_label?: string;
  tz_offset?: number;
  is_bot?: boolean;
  /** Deactivated. */
  deleted?: boolean;
  /** A multi-channel guest. */
  is_restricted?: boolean;
  /** A single-channel guest (Slack sets is_restricted too). */
  is_ultra_restricted?: boolean;
}

export interface StandInChannel {
  id: string;
  name: string;
  is_private: boolean;
  members: Set<string>;
  created: number;
  creator: string;
  archived: boolean;
  /** Extra state kept by the stand-in (optional so plain objects stay assignable). */
  topic?: string;
  purpose?: string;
  previous_names?: string[];
  /** A direct message conversation ('D…'), opened by conversations.open or by posting to a user ID. */
  is_im?: boolean;
}

export interface StandInMessage {
  channel: string;
  ts: string;
  user: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  edited?: boolean;
  ephemeralTo?: string;
  /** IDs of the files a file share message (from files.completeUploadExternal) carries. */
  files?: string[];
}

/** A file reserved by files.getUploadURLExternal, uploaded to its URL, and shared by files.completeUploadExternal. */
export interface StandInFile {
  id: string;
  filename: string;
  title: string;
  /** The byte length declared to files.getUploadURLExternal. */
  length: number;
  /** The bytes received at the upload URL (empty until uploaded). */
  content: Buffer;
  uploaded: boolean;
  completed: boolean;
  /** Where files.completeUploadExternal shared it (channel, private channel or DM IDs). */
  channels: string[];
  initialComment?: string;
  threadTs?: string;
  user: string;
}

export interface StandInCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
}

/** A POST to a response_url. */
export interface StandInResponse {
  id: string;
  body: Record<string, unknown>;
}

export interface Failure {
  error?: string;
  status?: number;
  retryAfter?: number;
  times?: number;
  delayMs?: number;
  /** The call is carried out, then its answer held this long: Slack did it but the answer is slow or lost. */
  holdAnswerMs?: number;
}

export interface StandInReaction {
  channel: string;
  ts: string;
  name: string;
  user: string;
}

export interface StandInView {
  id: string;
  trigger_id?: string;
  view: Record<string, unknown>;
  user?: string;
}

export interface SlackStandIn {
  /** Base API URL, ends with "/api/". */
  url: string;
  token: string;
  /** The app-level token apps.connections.open takes (Socket Mode). */
  appToken: string;
  /** Where apps.connections.open sends Socket Mode clients (a ws:// URL); null: it answers an error. */
  openSocketModeAt(url: string | null): void;
  botUserId: string;
  botId: string;
  teamId: string;
  /** A URL usable as a slash command's / interaction's response_url. */
  responseUrl(id?: string): string;
  /** Mint a fresh trigger_id (optionally remembering which user it belongs to; views.open then records that user). */
  triggerId(user?: string): string;
  calls: StandInCall[];
  callsTo(method: string): Record<string, unknown>[];
  channels: Map<string, StandInChannel>;
  channelByName(name: string): StandInChannel | undefined;
  messages: StandInMessage[];
  /** Seed a message that was not posted by the bot (e.g. a human message to be pinned or threaded on). */
  addMessage(m: {
    channel: string;
    user: string;
    text?: string;
    blocks?: unknown[];
    thread_ts?: string;
  }): StandInMessage;
  pins: { channel: string; ts: string; pinnedBy: string }[];
  reactions: StandInReaction[];
  views: StandInView[];
  responses: StandInResponse[];
  /** Files from the external upload flow, in the order files.getUploadURLExternal reserved them. */
  files: StandInFile[];
  users: Map<string, StandInUser>;
  addUser(u: StandInUser): void;
  addChannel(c: {
    name: string;
    is_private?: boolean;
    members?: string[];
    id?: string;
    creator?: string;
  }): StandInChannel;
  failNext(method: string, failure: Failure): void;
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  token?: string;
  appToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  users?: StandInUser[];
  port?: number;
}

const WORKSPACE_DOMAIN = 'example';
const WORKSPACE_NAME = 'Example Workspace';
const APP_ID = 'A0STANDIN';
const GRANTED_SCOPES = [
  'channels:join',
  'channels:manage',
  'channels:read',
  'channels:history',
  'chat:write',
  'chat:write.public',
  'commands',
  'files:write',
  'groups:read',
  'groups:write',
  'groups:history',
  'im:write',
  'pins:read',
  'pins:write',
  'reactions:write',
  'users:read',
  'users:read.email',
].join(',');

/** Fields Slack accepts as JSON-encoded strings inside form bodies. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'];

/** files.completeUploadExternal's `channel_id` schema (user IDs are rejected; `channels` accepts them). */
const CHANNEL_ID_PATTERN = /^[CGDZ][A-Z0-9]{8,}$/;

/** mimetype, filetype and pretty_type Slack reports for common extensions. */
const FILE_TYPES: Record<string, [mimetype: string, filetype: string, prettyType: string]> = {
  txt: ['text/plain', 'text', 'Plain Text'],
  log: ['text/plain', 'text', 'Plain Text'],
  md: ['text/markdown', 'markdown', 'Markdown (raw)'],
  markdown: ['text/markdown', 'markdown', 'Markdown (raw)'],
  csv: ['text/csv', 'csv', 'CSV'],
  json: ['application/json', 'json', 'JSON'],
  yaml: ['text/plain', 'yaml', 'YAML'],
  yml: ['text/plain', 'yaml', 'YAML'],
  html: ['text/html', 'html', 'HTML'],
  pdf: ['application/pdf', 'pdf', 'PDF'],
  png: ['image/png', 'png', 'PNG'],
  jpg: ['image/jpeg', 'jpg', 'JPEG'],
  jpeg: ['image/jpeg', 'jpg', 'JPEG'],
  gif: ['image/gif', 'gif', 'GIF'],
  zip: ['application/zip', 'zip', 'Zip'],
};

function fileType(filename: string): { mimetype: string; filetype: string; prettyType: string } {
  const ext = filename.includes('.') ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase() : '';
  const [mimetype, filetype, prettyType] = FILE_TYPES[ext] ?? ['application/octet-stream', 'binary', 'Binary'];
  return { mimetype, filetype, prettyType };
}

class SlackApiError extends Error {
  readonly error: string;
  readonly extra: Record<string, unknown>;

  constructor(error: string, extra: Record<string, unknown> = {}) {
    super(error);
    this.error = error;
    this.extra = extra;
  }
}

function invalidArguments(...messages: string[]): SlackApiError {
  return new SlackApiError('invalid_arguments', {
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  });
}

type Args = Record<string, unknown>;
type Handler = (args: Args) => Record<string, unknown>;

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function bool(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function textLength(v: unknown): number {
  return isRecord(v) && typeof v.text === 'string' ? [...v.text].length : 0;
}

/** Slack's channel naming rules (conversations.create / conversations.rename). */
function validateChannelName(name: string | undefined): void {
  if (name === undefined || name === '') throw new SlackApiError('invalid_name_required');
  if ([...name].length > 80) throw new SlackApiError('invalid_name_maxlength');
  if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackApiError('invalid_name_specials');
  if (!/[a-z0-9]/.test(name)) throw new SlackApiError('invalid_name_punctuation');
}

/** Compute tz_label / tz_offset like Slack does for a user's IANA zone, for "now". */
function tzInfo(tz: string): { label: string; offset: number } | undefined {
  try {
    const now = new Date();
    const long = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
      .formatToParts(now)
      .find((p) => p.type === 'timeZoneName')?.value;
    const off = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(now)
      .find((p) => p.type === 'timeZoneName')?.value;
    let offset = 0;
    const m = off?.match(/GMT([+-])(\d{2}):(\d{2})/);
    if (m) offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
    return { label: long ?? tz, offset };
  } catch {
    return undefined;
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSlackStandIn(opts: StartOptions = {}): Promise<SlackStandIn> {
  const token = opts.token ?? 'xoxb-test-token';
  const appToken = opts.appToken ?? 'xapp-1-A0001-test-app-token';
  /** Methods that take the app-level token instead of the bot token. */
  const APP_LEVEL = new Set(['apps.connections.open']);
  let socketModeUrl: string | null = null;
  const botUserId = opts.botUserId ?? 'UBOT';
  const botId = opts.botId ?? 'B0STANDIN';
  const teamId = opts.teamId ?? 'T0001';

  const calls: StandInCall[] = [];
  const channels = new Map<string, StandInChannel>();
  const messages: StandInMessage[] = [];
  const pins: { channel: string; ts: string; pinnedBy: string }[] = [];
  const reactions: StandInReaction[] = [];
  const views: StandInView[] = [];
  const responses: StandInResponse[] = [];
  const files: StandInFile[] = [];
  /** Upload URL token → file ID, and per-file details Slack reports but tests rarely need. */
  const uploadTickets = new Map<string, string>();
  const fileMeta = new Map<
    string,
    { created: number; altText?: string; shares: { channel: string; ts: string; thread_ts?: string }[] }
  >();
  const users = new Map<string, StandInUser>();
  const failures = new Map<string, (Failure & { remaining: number })[]>();
  const usedTriggers = new Set<string>();
  const triggerUsers = new Map<string, string>();
  const viewHashes = new Map<string, string>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  let channelCounter = 0;
  let viewCounter = 0;
  let responseCounter = 0;
  let triggerCounter = 0;
  let fileCounter = 0;
  let lastMicros = 0;

  const nowSec = (): number => Math.floor(Date.now() / 1000);

  /** Slack message timestamps: "<unix seconds>.<6 digits>", unique and increasing. */
  function nextTs(): string {
    lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  }
  function nextChannelId(prefix: 'C' | 'D'): string {
    channelCounter += 1;
    return `${prefix}${String(channelCounter).padStart(8, '0')}`;
  }
  function nextViewId(): string {
    viewCounter += 1;
    return `V${String(viewCounter).padStart(8, '0')}`;
  }
  function nextFileId(): string {
    fileCounter += 1;
    return `F${String(fileCounter).padStart(10, '0')}`;
  }
  function newHash(): string {
    return `${nowSec()}.${Math.random().toString(16).slice(2, 10)}`;
  }

  function addUser(u: StandInUser): void {
    users.set(u.id, u.id === botUserId ? { ...u, is_bot: true } : { ...u });
  }
  addUser({ id: botUserId, name: 'incident-bot', real_name: 'Incident Bot', is_bot: true });
  for (const u of opts.users ?? []) addUser(u);

  // ---------- lookups ----------

  function channelByName(name: string): StandInChannel | undefined {
    const wanted = name.replace(/^#/, '');
    for (const c of channels.values()) if (!c.is_im && c.name === wanted) return c;
    return undefined;
  }

  /** Resolve a conversation the bot can see; private channels it is not in are invisible. */
  function conversation(id: unknown): StandInChannel {
    const key = str(id);
    if (!key) throw new SlackApiError('channel_not_found');
    const c = channels.get(key);
    if (!c) throw new SlackApiError('channel_not_found');
    if (c.is_private && !c.members.has(botUserId)) throw new SlackApiError('channel_not_found');
    return c;
  }

  function openIm(userId: string): StandInChannel {
    for (const c of channels.values()) if (c.is_im && c.members.has(userId) && c.name === userId) return c;
    const c: StandInChannel = {
      id: nextChannelId('D'),
      name: userId,
      is_private: true,
      members: new Set([botUserId, userId]),
      created: nowSec(),
      creator: botUserId,
      archived: false,
      is_im: true,
    };
    channels.set(c.id, c);
    return c;
  }

  /** chat.postMessage's `channel` may be an ID, a #name, or a user ID (opens a DM). */
  function postTarget(id: unknown): StandInChannel {
    const key = str(id);
    if (!key) throw new SlackApiError('channel_not_found');
    if (!channels.has(key)) {
      if (users.has(key)) return openIm(key);
      const byName = channelByName(key);
      if (byName) return conversation(byName.id);
    }
    return conversation(key);
  }

  function notIm(c: StandInChannel): void {
    if (c.is_im) throw new SlackApiError('method_not_supported_for_channel_type');
  }

  function findMessage(channel: string, ts: string | undefined): StandInMessage | undefined {
    if (!ts) return undefined;
    return messages.find((m) => m.channel === channel && m.ts === ts && m.ephemeralTo === undefined);
  }

  function user(id: unknown): StandInUser {
    const key = str(id);
    const u = key ? users.get(key) : undefined;
    if (!u) throw new SlackApiError('user_not_found');
    return u;
  }

  // ---------- rendering (Slack response shapes) ----------

  function renderChannel(c: StandInChannel, extra: Record<string, unknown> = {}): Record<string, unknown> {
    if (c.is_im) {
      const other = [...c.members].find((m) => m !== botUserId) ?? botUserId;
      return {
        id: c.id,
        created: c.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: teamId,
        updated: c.created * 1000,
        user: other,
        is_user_deleted: false,
        priority: 0,
        ...extra,
      };
    }
    return {
      id: c.id,
      name: c.name,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: c.is_private,
      created: c.created,
      is_archived: c.archived,
      is_general: false,
      unlinked: 0,
      name_normalized: c.name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: teamId,
      updated: c.created * 1000,
      parent_conversation: null,
      creator: c.creator,
      is_ext_shared: false,
      shared_team_ids: [teamId],
      pending_connected_team_ids: [],
      is_member: c.members.has(botUserId),
      topic: { value: c.topic ?? '', creator: c.topic ? botUserId : '', last_set: 0 },
      purpose: { value: c.purpose ?? '', creator: c.purpose ? botUserId : '', last_set: 0 },
      previous_names: [...(c.previous_names ?? [])],
      ...extra,
    };
  }

  function renderMessage(m: StandInMessage): Record<string, unknown> {
    const out: Record<string, unknown> = { type: 'message', user: m.user, text: m.text ?? '', ts: m.ts, team: teamId };
    if (m.user === botUserId) {
      out.bot_id = botId;
      out.app_id = APP_ID;
      out.bot_profile = {
        id: botId,
        app_id: APP_ID,
        name: users.get(botUserId)?.name ?? 'bot',
        deleted: false,
        team_id: teamId,
      };
    }
    if (m.blocks) out.blocks = m.blocks;
    if (m.files) {
      out.files = m.files
        .map((id) => files.find((f) => f.id === id))
        .filter((f): f is StandInFile => f !== undefined)
        .map(renderFile);
      out.upload = true;
      out.display_as_bot = false;
    }
    if (m.thread_ts) out.thread_ts = m.thread_ts;
    if (m.edited) out.edited = { user: m.user, ts: m.ts };
    const replies = messages.filter(
      (r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts && !r.ephemeralTo,
    );
    if (replies.length > 0 && (!m.thread_ts || m.thread_ts === m.ts)) {
      out.thread_ts = m.ts;
      out.reply_count = replies.length;
      out.reply_users = [...new Set(replies.map((r) => r.user))];
      out.latest_reply = replies[replies.length - 1]?.ts;
    }
    const rs = reactions.filter((r) => r.channel === m.channel && r.ts === m.ts);
    if (rs.length > 0) {
      const byName = new Map<string, string[]>();
      for (const r of rs) byName.set(r.name, [...(byName.get(r.name) ?? []), r.user]);
      out.reactions = [...byName].map(([name, us]) => ({ name, users: us, count: us.length }));
    }
    if (pins.some((p) => p.channel === m.channel && p.ts === m.ts)) out.pinned_to = [m.channel];
    return out;
  }

  /** Slack's file object (https://docs.slack.dev/reference/objects/file-object). */
  function renderFile(f: StandInFile): Record<string, unknown> {
    const meta = fileMeta.get(f.id);
    const created = meta?.created ?? nowSec();
    const { mimetype, filetype, prettyType } = fileType(f.filename);
    const publicIds: string[] = [];
    const groups: string[] = [];
    const ims: string[] = [];
    const shares: { public?: Record<string, unknown[]>; private?: Record<string, unknown[]> } = {};
    for (const id of f.channels) {
      const c = channels.get(id);
      const kind = c?.is_im ? 'private' : c?.is_private ? 'private' : 'public';
      (c?.is_im ? ims : c?.is_private ? groups : publicIds).push(id);
      const entries = (meta?.shares ?? [])
        .filter((sh) => sh.channel === id)
        .map((sh) => ({
          reply_users: [],
          reply_users_count: 0,
          reply_count: 0,
          ts: sh.ts,
          ...(sh.thread_ts ? { thread_ts: sh.thread_ts } : {}),
          channel_name: c?.name ?? id,
          team_id: teamId,
          share_user_id: f.user,
          source: 'UNKNOWN',
        }));
      shares[kind] = { ...(shares[kind] ?? {}), [id]: entries };
    }
    const name = encodeURIComponent(f.filename);
    const out: Record<string, unknown> = {
      id: f.id,
      created,
      timestamp: created,
      name: f.filename,
      title: f.title,
      mimetype,
      filetype,
      pretty_type: prettyType,
      user: f.user,
      user_team: teamId,
      editable: false,
      size: f.content.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: publicIds.length > 0,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `https://files.slack.com/files-pri/${teamId}-${f.id}/${name}`,
      url_private_download: `https://files.slack.com/files-pri/${teamId}-${f.id}/download/${name}`,
      permalink: `https://${WORKSPACE_DOMAIN}.slack.com/files/${f.user}/${f.id}/${name}`,
      permalink_public: `https://slack-files.com/${teamId}-${f.id}-0000000000`,
      comments_count: 0,
      is_starred: false,
      shares,
      channels: publicIds,
      groups,
      ims,
      has_rich_preview: false,
      file_access: 'visible',
    };
    if (meta?.altText !== undefined) out.alt_txt = meta.altText;
    return out;
  }

  function renderUser(u: StandInUser): Record<string, unknown> {
    const tz = u.tz ?? 'America/Los_Angeles';
    const info = tzInfo(tz);
    const realName = u.real_name ?? u.name;
    const profile: Record<string, unknown> = {
      real_name: realName,
      real_name_normalized: realName,
      display_name: u.name,
      display_name_normalized: u.name,
      status_text: '',
      status_emoji: '',
      avatar_hash: 'g0000000000',
      first_name: realName.split(' ')[0] ?? realName,
      last_name: realName.split(' ').slice(1).join(' '),
      team: teamId,
    };
    if (u.email !== undefined) profile.email = u.email;
    if (u.is_bot) {
      profile.bot_id = u.id === botUserId ? botId : `B${u.id.slice(1)}`;
      profile.always_active = true;
      if (u.id === botUserId) profile.api_app_id = APP_ID;
    }
    return {
      id: u.id,
      team_id: teamId,
      name: u.name,
      deleted: u.deleted === true,
      color: '9f69e7',
      real_name: realName,
      tz,
      tz_label: u.tz_label ?? info?.label ?? tz,
      tz_offset: u.tz_offset ?? info?.offset ?? 0,
      profile,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: u.is_restricted === true || u.is_ultra_restricted === true,
      is_ultra_restricted: u.is_ultra_restricted === true,
      is_bot: u.is_bot === true,
      is_app_user: false,
      updated: 1700000000,
      is_email_confirmed: u.email !== undefined,
      who_can_share_contact_card: 'EVERYONE',
    };
  }

  // ---------- views ----------

  function validateView(view: unknown, allowedTypes: string[]): Record<string, unknown> {
    if (view === undefined || view === '') throw invalidArguments('missing required field: view');
    if (!isRecord(view)) throw invalidArguments('failed to match all allowed schemas [json-pointer:/view]');
    const type = view.type;
    if (typeof type !== 'string' || !allowedTypes.includes(type)) {
      throw invalidArguments(`must be one of: ${allowedTypes.join(', ')} [json-pointer:/view/type]`);
    }
    if (!Array.isArray(view.blocks)) throw invalidArguments('missing required field: blocks [json-pointer:/view]');
    if (view.blocks.length > 100) throw invalidArguments('no more than 100 items allowed [json-pointer:/view/blocks]');
    if (type === 'modal') {
      if (!isRecord(view.title)) throw invalidArguments('missing required field: title [json-pointer:/view]');
      for (const field of ['title', 'submit', 'close'] as const) {
        if (view[field] !== undefined && textLength(view[field]) > 24) {
          throw invalidArguments(`must be less than 25 characters [json-pointer:/view/${field}/text]`);
        }
      }
      const hasInput = view.blocks.some((b) => isRecord(b) && b.type === 'input');
      if (hasInput && view.submit === undefined) {
        throw invalidArguments('missing required field: submit [json-pointer:/view]');
      }
    }
    if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
      throw invalidArguments('must be less than 3001 characters [json-pointer:/view/private_metadata]');
    }
    if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
      throw invalidArguments('must be less than 256 characters [json-pointer:/view/callback_id]');
    }
    return view;
  }

  function renderView(
    id: string,
    view: Record<string, unknown>,
    hash: string,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return {
      id,
      team_id: teamId,
      type: view.type,
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash,
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: botId,
      ...view,
      ...extra,
    };
  }

  function consumeTrigger(args: Args): string {
    const trigger = str(args.trigger_id);
    if (!trigger) throw invalidArguments('missing required field: trigger_id');
    if (usedTriggers.has(trigger)) throw new SlackApiError('expired_trigger_id');
    return trigger;
  }

  function findView(args: Args): StandInView {
    const viewId = str(args.view_id);
    const externalId = str(args.external_id);
    if (!viewId && !externalId) throw invalidArguments('either view_id or external_id is required');
    const found = views.find((v) =>
      viewId ? v.id === viewId : externalId !== undefined && v.view.external_id === externalId,
    );
    if (!found) throw new SlackApiError('not_found');
    const hash = str(args.hash);
    if (hash && viewHashes.get(found.id) !== hash) throw new SlackApiError('hash_conflict');
    return found;
  }

  // ---------- message helpers ----------

  function messageContent(args: Args, requireContent: boolean): { text?: string; blocks?: unknown[] } {
    const text = str(args.text);
    let blocks: unknown[] | undefined;
    if (args.blocks !== undefined && args.blocks !== '') {
      if (!Array.isArray(args.blocks)) throw new SlackApiError('invalid_blocks_format');
      if (args.blocks.length > 50) throw new SlackApiError('invalid_blocks');
      if (args.blocks.some((b) => !isRecord(b) || typeof b.type !== 'string'))
        throw new SlackApiError('invalid_blocks');
      blocks = args.blocks;
    }
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if (requireContent && !text && !blocks && !hasAttachments) throw new SlackApiError('no_text');
    if (text !== undefined && text.length > 40000) throw new SlackApiError('msg_too_long');
    const out: { text?: string; blocks?: unknown[] } = {};
    if (text !== undefined) out.text = text;
    if (blocks !== undefined) out.blocks = blocks;
    return out;
  }

  function permalink(c: StandInChannel, m: StandInMessage): string {
    const base = `https://${WORKSPACE_DOMAIN}.slack.com/archives/${c.id}/p${m.ts.replace('.', '')}`;
    return m.thread_ts && m.thread_ts !== m.ts ? `${base}?thread_ts=${m.thread_ts}&cid=${c.id}` : base;
  }

  function pagination(args: Args, total: number, defaultLimit: number): { start: number; end: number; next: string } {
    const limitRaw = str(args.limit);
    const limit = limitRaw ? Number(limitRaw) : defaultLimit;
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw new SlackApiError('invalid_limit');
    const effective = limit === 0 ? defaultLimit : limit;
    let start = 0;
    const cursor = str(args.cursor);
    if (cursor) {
      const decoded = Buffer.from(cursor, 'base64')
        .toString('utf8')
        .match(/^offset:(\d+)$/);
      if (!decoded) throw new SlackApiError('invalid_cursor');
      start = Number(decoded[1]);
    }
    const end = Math.min(total, start + effective);
    const next = end < total ? Buffer.from(`offset:${end}`).toString('base64') : '';
    return { start, end, next };
  }

  /** views.open and views.push: a new view from a single-use trigger. */
  function openView(args: Args): Record<string, unknown> {
    const trigger = consumeTrigger(args);
    const view = validateView(args.view, ['modal']);
    usedTriggers.add(trigger);
    const id = nextViewId();
    const hash = newHash();
    const rendered = renderView(id, view, hash);
    viewHashes.set(id, hash);
    const entry: StandInView = { id, trigger_id: trigger, view: rendered };
    const u = triggerUsers.get(trigger);
    if (u) entry.user = u;
    views.push(entry);
    return { view: rendered };
  }

  // ---------- methods ----------

  const methods: Record<string, Handler> = {
    'api.test': (args) => ({ args }),

    'apps.connections.open': () => {
      if (!socketModeUrl) throw new SlackApiError('internal_error');
      return { url: socketModeUrl };
    },

    'auth.test': () => ({
      url: `https://${WORKSPACE_DOMAIN}.slack.com/`,
      team: WORKSPACE_NAME,
      user: users.get(botUserId)?.name ?? 'bot',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    'conversations.create': (args) => {
      const name = str(args.name);
      validateChannelName(name);
      if (channelByName(name!)) throw new SlackApiError('name_taken');
      const c: StandInChannel = {
        id: nextChannelId('C'),
        name: name!,
        is_private: bool(args.is_private),
        members: new Set([botUserId]),
        created: nowSec(),
        creator: botUserId,
        archived: false,
      };
      channels.set(c.id, c);
      return {
        channel: renderChannel(c, {
          last_read: '0000000000.000000',
          latest: null,
          unread_count: 0,
          unread_count_display: 0,
          priority: 0,
        }),
      };
    },

    'conversations.invite': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      const raw = str(args.users) ?? '';
      const ids = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (ids.length === 0) throw new SlackApiError('no_user');
      if (c.archived) throw new SlackApiError('is_archived');
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      if (ids.length > 1000) throw new SlackApiError('too_many_users');
      const force = bool(args.force);
      const errors: { user: string; ok: false; error: string }[] = [];
      const toAdd: string[] = [];
      for (const id of new Set(ids)) {
        if (id === botUserId) errors.push({ user: id, ok: false, error: 'cant_invite_self' });
        else if (!users.has(id)) errors.push({ user: id, ok: false, error: 'user_not_found' });
        else if (c.members.has(id)) errors.push({ user: id, ok: false, error: 'already_in_channel' });
        else toAdd.push(id);
      }
      const fatal =
        errors.find((e) => e.error === 'cant_invite_self') ??
        (force ? undefined : errors.find((e) => e.error === 'user_not_found'));
      if (fatal) throw new SlackApiError(fatal.error, { errors });
      if (toAdd.length === 0) throw new SlackApiError(errors[0]?.error ?? 'already_in_channel', { errors });
      for (const id of toAdd) c.members.add(id);
      return { channel: renderChannel(c) };
    },

    'conversations.join': (args) => {
      const key = str(args.channel);
      const c = key ? channels.get(key) : undefined;
      if (!c) throw new SlackApiError('channel_not_found');
      if (c.is_private) throw new SlackApiError('method_not_supported_for_channel_type');
      if (c.archived) throw new SlackApiError('is_archived');
      if (c.members.has(botUserId)) {
        return {
          channel: renderChannel(c),
          warning: 'already_in_channel',
          response_metadata: { warnings: ['already_in_channel'] },
        };
      }
      c.members.add(botUserId);
      return { channel: renderChannel(c) };
    },

    'conversations.info': (args) => {
      const c = conversation(args.channel);
      return { channel: renderChannel(c, bool(args.include_num_members) ? { num_members: c.members.size } : {}) };
    },

    'conversations.members': (args) => {
      const c = conversation(args.channel);
      const all = [...c.members];
      const { start, end, next } = pagination(args, all.length, 100);
      return { members: all.slice(start, end), response_metadata: { next_cursor: next } };
    },

    'conversations.rename': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      if (c.creator !== botUserId) throw new SlackApiError('not_authorized');
      const name = str(args.name);
      validateChannelName(name);
      const clash = channelByName(name!);
      if (clash && clash.id !== c.id) throw new SlackApiError('name_taken');
      if (name !== c.name) {
        c.previous_names = [c.name, ...(c.previous_names ?? [])];
        c.name = name!;
      }
      return { channel: renderChannel(c) };
    },

    'conversations.archive': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (c.archived) throw new SlackApiError('already_archived');
      c.archived = true;
      return {};
    },

    'conversations.unarchive': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (!c.archived) throw new SlackApiError('not_archived');
      c.archived = false;
      return {};
    },

    'conversations.setTopic': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      if (c.archived) throw new SlackApiError('is_archived');
      const topic = str(args.topic) ?? '';
      if ([...topic].length > 250) throw new SlackApiError('too_long');
      c.topic = topic;
      return { channel: renderChannel(c) };
    },

    'conversations.setPurpose': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      if (c.archived) throw new SlackApiError('is_archived');
      const purpose = str(args.purpose) ?? '';
      if ([...purpose].length > 250) throw new SlackApiError('too_long');
      c.purpose = purpose;
      return { channel: renderChannel(c) };
    },

    'conversations.kick': (args) => {
      const c = conversation(args.channel);
      notIm(c);
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      const u = user(args.user);
      if (u.id === botUserId) throw new SlackApiError('cant_kick_self');
      if (!c.members.has(u.id)) throw new SlackApiError('not_in_channel');
      c.members.delete(u.id);
      return {};
    },

    'conversations.open': (args) => {
      const ids = (str(args.users) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (ids.length === 0) {
        const c = conversation(args.channel);
        return { channel: renderChannel(c) };
      }
      if (ids.length > 1) throw new SlackApiError('not_supported', { detail: 'multi-person DMs are not modelled' });
      const u = user(ids[0]);
      const c = openIm(u.id);
      return { channel: { id: c.id } };
    },

    'users.conversations': (args) => {
      const who = user(args.user).id;
      const types = (str(args.types) ?? 'public_channel').split(',').map((s) => s.trim());
      const excludeArchived = bool(args.exclude_archived);
      const visible = [...channels.values()].filter((c) => {
        if (excludeArchived && c.archived) return false;
        if (!c.members.has(who) || c.is_im) return false;
        // A bot token sees the private channels it shares with the user.
        if (c.is_private) return types.includes('private_channel') && c.members.has(botUserId);
        return types.includes('public_channel');
      });
      const { start, end, next } = pagination(args, visible.length, 100);
      return {
        channels: visible.slice(start, end).map((c) => renderChannel(c)),
        response_metadata: { next_cursor: next },
      };
    },

    'conversations.list': (args) => {
      const types = (str(args.types) ?? 'public_channel').split(',').map((s) => s.trim());
      const excludeArchived = bool(args.exclude_archived);
      const visible = [...channels.values()].filter((c) => {
        if (excludeArchived && c.archived) return false;
        if (c.is_im) return types.includes('im');
        if (c.is_private) return types.includes('private_channel') && c.members.has(botUserId);
        return types.includes('public_channel');
      });
      const { start, end, next } = pagination(args, visible.length, 100);
      return {
        channels: visible
          .slice(start, end)
          .map((c) => renderChannel(c, c.is_im ? {} : { num_members: c.members.size })),
        response_metadata: { next_cursor: next },
      };
    },

    'conversations.history': (args) => {
      const c = conversation(args.channel);
      if (!c.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      // Slack's bounds are exclusive unless inclusive=true (then oldest = latest = ts fetches one message).
      const inclusive = bool(args.inclusive);
      const after = (ts: string) =>
        args.oldest === undefined
          ? true
          : inclusive
            ? Number(ts) >= Number(args.oldest)
            : Number(ts) > Number(args.oldest);
      const before = (ts: string) =>
        args.latest === undefined
          ? true
          : inclusive
            ? Number(ts) <= Number(args.latest)
            : Number(ts) < Number(args.latest);
      const top = messages
        .filter((m) => m.channel === c.id && !m.ephemeralTo && (!m.thread_ts || m.thread_ts === m.ts))
        .filter((m) => after(m.ts) && before(m.ts))
        .reverse();
      const { start, end, next } = pagination(args, top.length, 100);
      return {
        messages: top.slice(start, end).map(renderMessage),
        has_more: next !== '',
        pin_count: pins.filter((p) => p.channel === c.id).length,
        response_metadata: { next_cursor: next },
      };
    },

    'conversations.replies': (args) => {
      const c = conversation(args.channel);
      const ts = str(args.ts);
      const parent = findMessage(c.id, ts);
      if (!parent) throw new SlackApiError('thread_not_found');
      const root = parent.thread_ts ?? parent.ts;
      const thread = messages.filter(
        (m) => m.channel === c.id && !m.ephemeralTo && (m.ts === root || m.thread_ts === root),
      );
      const { start, end, next } = pagination(args, thread.length, 1000);
      return {
        messages: thread.slice(start, end).map(renderMessage),
        has_more: next !== '',
        response_metadata: { next_cursor: next },
      };
    },

    'chat.postMessage': (args) => {
      const c = postTarget(args.channel);
      if (c.archived) throw new SlackApiError('is_archived');
      const content = messageContent(args, true);
      const m: StandInMessage = { channel: c.id, ts: nextTs(), user: botUserId, ...content };
      const threadTs = str(args.thread_ts);
      if (threadTs) m.thread_ts = threadTs;
      messages.push(m);
      return { channel: c.id, ts: m.ts, message: renderMessage(m) };
    },

    'chat.update': (args) => {
      const c = conversation(args.channel);
      const m = findMessage(c.id, str(args.ts));
      if (!m) throw new SlackApiError('message_not_found');
      if (m.user !== botUserId) throw new SlackApiError('cant_update_message');
      const content = messageContent(args, true);
      if (content.text !== undefined) m.text = content.text;
      if (content.blocks !== undefined) {
        if (content.blocks.length === 0) delete m.blocks;
        else m.blocks = content.blocks;
      }
      m.edited = true;
      return { channel: c.id, ts: m.ts, text: m.text ?? '', message: renderMessage(m) };
    },

    'chat.delete': (args) => {
      const c = conversation(args.channel);
      const m = findMessage(c.id, str(args.ts));
      if (!m) throw new SlackApiError('message_not_found');
      if (m.user !== botUserId) throw new SlackApiError('cant_delete_message');
      messages.splice(messages.indexOf(m), 1);
      for (let i = pins.length - 1; i >= 0; i--)
        if (pins[i]?.channel === c.id && pins[i]?.ts === m.ts) pins.splice(i, 1);
      return { channel: c.id, ts: m.ts };
    },

    'chat.postEphemeral': (args) => {
      const c = postTarget(args.channel);
      if (c.archived) throw new SlackApiError('is_archived');
      const u = user(args.user);
      if (!c.members.has(u.id)) throw new SlackApiError('user_not_in_channel');
      const content = messageContent(args, true);
      const m: StandInMessage = { channel: c.id, ts: nextTs(), user: botUserId, ...content, ephemeralTo: u.id };
      const threadTs = str(args.thread_ts);
      if (threadTs) m.thread_ts = threadTs;
      messages.push(m);
      return { message_ts: m.ts };
    },

    'chat.getPermalink': (args) => {
      const c = conversation(args.channel);
      const m = findMessage(c.id, str(args.message_ts));
      if (!m) throw new SlackApiError('message_not_found');
      return { channel: c.id, permalink: permalink(c, m) };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = str(args.filename);
      if (filename === undefined || filename.trim() === '') throw invalidArguments('missing required field: filename');
      const lengthRaw = str(args.length)?.trim();
      if (lengthRaw === undefined || lengthRaw === '') throw invalidArguments('missing required field: length');
      if (!/^\d+$/.test(lengthRaw) || !Number.isSafeInteger(Number(lengthRaw))) {
        throw invalidArguments('must be an integer [json-pointer:/length]');
      }
      const length = Number(lengthRaw);
      // Documented: "missing_argument — Typically only occurs when the `length` provided is 0."
      if (length === 0) throw new SlackApiError('missing_argument');
      // Slack documents the argument as alt_txt; @slack/web-api sends alt_text.
      const altText = str(args.alt_txt) ?? str(args.alt_text);
      if (altText !== undefined && [...altText].length > 1000) throw new SlackApiError('alt_txt_too_large');
      if (str(args.snippet_type) && length > 1024 * 1024) throw new SlackApiError('snippet_too_large');
      const id = nextFileId();
      const ticket = `${id}-${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
      files.push({
        id,
        filename,
        title: filename,
        length,
        content: Buffer.alloc(0),
        uploaded: false,
        completed: false,
        channels: [],
        user: botUserId,
      });
      fileMeta.set(id, { created: nowSec(), shares: [], ...(altText !== undefined ? { altText } : {}) });
      uploadTickets.set(ticket, id);
      return { upload_url: `${origin}/upload/v1/${ticket}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      // 1. The files: each must have been reserved, uploaded with the declared length, and not completed yet.
      const list = args.files;
      if (list === undefined || list === '') throw invalidArguments('missing required field: files');
      if (!Array.isArray(list)) throw invalidArguments('must be an array [json-pointer:/files]');
      if (list.length === 0) throw invalidArguments('must contain at least 1 items [json-pointer:/files]');
      const picked: { file: StandInFile; title?: string }[] = [];
      list.forEach((entry, i) => {
        const id = isRecord(entry) ? str(entry.id) : undefined;
        if (!id) throw invalidArguments(`missing required field: id [json-pointer:/files/${i}]`);
        if (picked.some((p) => p.file.id === id))
          throw invalidArguments(`duplicate file id ${id} [json-pointer:/files/${i}/id]`);
        const file = files.find((f) => f.id === id);
        // "Could not find the file from the upload ticket" — also once completed ("can only be called once").
        if (!file?.uploaded || file.completed) throw new SlackApiError('file_not_found');
        if (file.content.length !== file.length) {
          throw invalidArguments(
            `uploaded ${file.content.length} bytes but files.getUploadURLExternal declared length ${file.length} [json-pointer:/files/${i}]`,
          );
        }
        const title = isRecord(entry) ? str(entry.title) : undefined;
        picked.push(title ? { file, title } : { file });
      });

      // 2. Where to share: channel_id (conversation IDs only) and/or channels (conversation or user IDs).
      type Target = { channel: StandInChannel } | { dmWith: string };
      const targets: Target[] = [];
      const channelId = str(args.channel_id);
      if (channelId) {
        if (!CHANNEL_ID_PATTERN.test(channelId)) {
          throw invalidArguments(
            `input must match regex pattern: ${CHANNEL_ID_PATTERN.source} [json-pointer:/channel_id]`,
          );
        }
        targets.push({ channel: conversation(channelId) });
      }
      const listed = (str(args.channels) ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      if (listed.length > 100) throw new SlackApiError('channels_limit_exceeded');
      for (const id of listed)
        targets.push(!channels.has(id) && users.has(id) ? { dmWith: id } : { channel: conversation(id) });
      for (const t of targets) {
        if (!('channel' in t)) continue;
        if (t.channel.archived) throw new SlackApiError('is_archived');
        // Unlike chat.postMessage (chat:write.public), sharing a file needs membership.
        if (!t.channel.is_im && !t.channel.members.has(botUserId)) throw new SlackApiError('not_in_channel');
      }
      const threadTs = str(args.thread_ts) || undefined;
      if (threadTs && targets.length > 1) throw invalidArguments('thread_ts needs exactly one channel');
      const initialComment = str(args.initial_comment) || undefined;
      // "If the initial_comment field is provided, the blocks field is ignored."
      let blocks: unknown[] | undefined;
      if (initialComment === undefined && args.blocks !== undefined && args.blocks !== '') {
        const b = args.blocks;
        if (!Array.isArray(b) || b.length > 50 || b.some((x) => !isRecord(x) || typeof x.type !== 'string')) {
          throw new SlackApiError('invalid_blocks');
        }
        if (b.length > 0) blocks = b;
      }

      // 3. Share: one file share message per conversation.
      const shared: string[] = [];
      for (const t of targets) {
        const c = 'channel' in t ? t.channel : openIm(t.dmWith);
        if (shared.includes(c.id)) continue;
        shared.push(c.id);
        const m: StandInMessage = { channel: c.id, ts: nextTs(), user: botUserId, files: picked.map((p) => p.file.id) };
        if (initialComment !== undefined) m.text = initialComment;
        if (blocks !== undefined) m.blocks = blocks;
        if (threadTs) m.thread_ts = threadTs;
        messages.push(m);
        for (const p of picked) {
          fileMeta
            .get(p.file.id)
            ?.shares.push({ channel: c.id, ts: m.ts, ...(threadTs ? { thread_ts: threadTs } : {}) });
        }
      }
      for (const { file, title } of picked) {
        file.completed = true;
        if (title !== undefined) file.title = title;
        file.channels = [...shared];
        if (initialComment !== undefined && shared.length > 0) file.initialComment = initialComment;
        if (threadTs && shared.length > 0) file.threadTs = threadTs;
      }
      return { files: picked.map((p) => renderFile(p.file)) };
    },

    'pins.add': (args) => {
      const c = conversation(args.channel);
      const ts = str(args.timestamp);
      if (!ts) throw new SlackApiError('no_item_specified');
      if (!/^\d+\.\d+$/.test(ts)) throw new SlackApiError('bad_timestamp');
      const m = findMessage(c.id, ts);
      if (!m) throw new SlackApiError('message_not_found');
      if (pins.some((p) => p.channel === c.id && p.ts === ts)) throw new SlackApiError('already_pinned');
      pins.push({ channel: c.id, ts, pinnedBy: botUserId });
      return {};
    },

    'pins.list': (args) => {
      const c = conversation(args.channel);
      const items = pins
        .filter((p) => p.channel === c.id)
        .map((p) => {
          const m = findMessage(c.id, p.ts);
          return {
            type: 'message',
            channel: c.id,
            created: Math.floor(Number(p.ts)),
            created_by: p.pinnedBy,
            message: m ? { ...renderMessage(m), permalink: permalink(c, m), pinned_to: [c.id] } : { ts: p.ts },
          };
        });
      return { items };
    },

    'pins.remove': (args) => {
      const c = conversation(args.channel);
      const ts = str(args.timestamp);
      if (!ts) throw new SlackApiError('no_item_specified');
      if (!findMessage(c.id, ts)) throw new SlackApiError('message_not_found');
      const i = pins.findIndex((p) => p.channel === c.id && p.ts === ts);
      if (i < 0) throw new SlackApiError('no_pin');
      pins.splice(i, 1);
      return {};
    },

    'reactions.add': (args) => {
      const c = conversation(args.channel);
      const ts = str(args.timestamp);
      if (!ts) throw new SlackApiError('no_item_specified');
      const name = str(args.name);
      if (!name || !/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) throw new SlackApiError('invalid_name');
      if (!findMessage(c.id, ts)) throw new SlackApiError('message_not_found');
      if (reactions.some((r) => r.channel === c.id && r.ts === ts && r.name === name && r.user === botUserId)) {
        throw new SlackApiError('already_reacted');
      }
      reactions.push({ channel: c.id, ts, name, user: botUserId });
      return {};
    },

    'reactions.remove': (args) => {
      const c = conversation(args.channel);
      const ts = str(args.timestamp);
      if (!ts) throw new SlackApiError('no_item_specified');
      if (!findMessage(c.id, ts)) throw new SlackApiError('message_not_found');
      const i = reactions.findIndex(
        (r) => r.channel === c.id && r.ts === ts && r.name === str(args.name) && r.user === botUserId,
      );
      if (i < 0) throw new SlackApiError('no_reaction');
      reactions.splice(i, 1);
      return {};
    },

    'views.open': (args) => openView(args),

    // Slack treats a pushed view like an opened one: a new view on the stack, from a fresh trigger.
    'views.push': (args) => openView(args),

    'views.update': (args) => {
      const existing = findView(args);
      const view = validateView(args.view, ['modal', 'home']);
      const hash = newHash();
      existing.view = renderView(existing.id, view, hash, {
        root_view_id: existing.view.root_view_id ?? existing.id,
        previous_view_id: existing.view.previous_view_id ?? null,
      });
      viewHashes.set(existing.id, hash);
      return { view: existing.view };
    },

    'views.publish': (args) => {
      const userId = str(args.user_id);
      if (!userId || !users.has(userId)) throw invalidArguments('invalid `user_id`');
      const view = validateView(args.view, ['home']);
      let entry = views.find((v) => v.user === userId && v.view.type === 'home');
      const hash = str(args.hash);
      if (entry && hash && viewHashes.get(entry.id) !== hash) throw new SlackApiError('hash_conflict');
      const id = entry?.id ?? nextViewId();
      const newH = newHash();
      const rendered = renderView(id, view, newH);
      if (entry) entry.view = rendered;
      else {
        entry = { id, view: rendered, user: userId };
        views.push(entry);
      }
      viewHashes.set(id, newH);
      return { view: rendered };
    },

    'users.info': (args) => ({ user: renderUser(user(args.user)) }),

    'users.lookupByEmail': (args) => {
      const email = str(args.email)?.toLowerCase();
      if (!email) throw invalidArguments('missing required field: email');
      const u = [...users.values()].find((x) => x.email?.toLowerCase() === email);
      if (!u) throw new SlackApiError('users_not_found');
      return { user: renderUser(u) };
    },

    'users.list': (args) => {
      const all = [...users.values()];
      const { start, end, next } = pagination(args, all.length, 200);
      return {
        members: all.slice(start, end).map(renderUser),
        cache_ts: nowSec(),
        response_metadata: { next_cursor: next },
      };
    },
  };

  // ---------- HTTP plumbing ----------

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.writableEnded || res.destroyed) return;
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(payload)),
      ...headers,
    });
    res.end(payload);
  }

  async function parseArgs(req: http.IncomingMessage, raw: Buffer, query: URLSearchParams): Promise<Args> {
    const args: Args = {};
    for (const [k, v] of query) args[k] = v;
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    if (raw.length > 0) {
      if (contentType.startsWith('application/json')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new SlackApiError('invalid_json');
        }
        if (!isRecord(parsed)) throw new SlackApiError('json_not_object');
        Object.assign(args, parsed);
      } else if (contentType.startsWith('multipart/form-data')) {
        // The original header: a multipart boundary is case-sensitive.
        const form = await new Response(new Uint8Array(raw), {
          headers: { 'content-type': req.headers['content-type'] ?? contentType },
        }).formData();
        for (const [k, v] of form) if (typeof v === 'string') args[k] = v;
      } else {
        for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = v;
      }
    }
    for (const field of JSON_FIELDS) {
      const v = args[field];
      if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
        try {
          args[field] = JSON.parse(v);
        } catch {
          /* leave as the raw string; the method validation reports it */
        }
      }
    }
    return args;
  }

  function takeFailure(method: string): Failure | undefined {
    const queue = failures.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    if (queue.length === 0) failures.delete(method);
    return head;
  }

  async function delay(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        pendingTimers.delete(t);
        resolve();
      }, ms);
      pendingTimers.add(t);
    });
  }

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    query: URLSearchParams,
  ): Promise<void> {
    const raw = await readBody(req);
    const auth = req.headers.authorization;
    const headerToken = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    let args: Args = {};
    let parseError: SlackApiError | undefined;
    try {
      args = await parseArgs(req, raw, query);
    } catch (e) {
      parseError = e instanceof SlackApiError ? e : new SlackApiError('invalid_form_data');
    }
    const bodyToken = str(args.token);
    delete args.token;
    const callToken = headerToken ?? bodyToken;
    calls.push({ method, args, token: callToken, at: Date.now() });

    const failure = takeFailure(method);
    if (failure?.delayMs) await delay(failure.delayMs);
    const scopeHeaders = { 'x-oauth-scopes': GRANTED_SCOPES };
    if (failure && (failure.error !== undefined || failure.status !== undefined)) {
      const status = failure.status ?? 200;
      const headers: Record<string, string> = { ...scopeHeaders };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      const error = failure.error ?? (status === 429 ? 'ratelimited' : 'internal_error');
      send(res, status, { ok: false, error }, headers);
      return;
    }

    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!handler) {
      send(res, 404, { ok: false, error: 'unknown_method', req_method: method });
      return;
    }
    if (!callToken) {
      send(res, 200, { ok: false, error: 'not_authed' });
      return;
    }
    const expected = APP_LEVEL.has(method) ? appToken : token;
    if (callToken !== expected) {
      // A good token of the wrong kind (the bot's for an app-level method, or the other way round).
      const wrongKind = callToken === token || callToken === appToken;
      send(res, 200, { ok: false, error: wrongKind ? 'not_allowed_token_type' : 'invalid_auth' });
      return;
    }
    if (parseError) {
      send(res, 200, { ok: false, error: parseError.error, ...parseError.extra }, scopeHeaders);
      return;
    }
    try {
      const result = handler(args);
      if (failure?.holdAnswerMs) await delay(failure.holdAnswerMs);
      send(res, 200, { ok: true, ...result }, scopeHeaders);
    } catch (e) {
      if (e instanceof SlackApiError) {
        send(res, 200, { ok: false, error: e.error, ...e.extra }, scopeHeaders);
      } else {
        send(res, 200, { ok: false, error: 'internal_error', detail: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  async function handleResponseUrl(req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST') {
      send(res, 405, 'method_not_allowed');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      send(res, 400, 'invalid_payload');
      return;
    }
    if (!isRecord(body)) {
      send(res, 400, 'invalid_payload');
      return;
    }
    const hasContent =
      (typeof body.text === 'string' && body.text !== '') ||
      Array.isArray(body.blocks) ||
      Array.isArray(body.attachments) ||
      bool(body.delete_original);
    if (!hasContent) {
      send(res, 400, 'no_text');
      return;
    }
    responses.push({ id, body });
    send(res, 200, 'ok');
  }

  /**
   * The upload URL from files.getUploadURLExternal (Slack's files.slack.com/upload/v1/…): no token needed,
   * the bytes come as the raw body or multipart form encoded (@slack/web-api sends multipart with the
   * data as a file part named `body`); Slack answers HTTP 200 `OK - <bytes>`.
   */
  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, ticket: string): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST') {
      send(res, 405, 'method_not_allowed');
      return;
    }
    const fileId = uploadTickets.get(ticket);
    const file = fileId ? files.find((f) => f.id === fileId) : undefined;
    if (!file || file.completed) {
      send(res, 404, 'not_found');
      return;
    }
    let content = raw;
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
      } catch {
        send(res, 400, 'invalid_form_data');
        return;
      }
      const entries = [...form.values()];
      const part = entries.find((v): v is File => typeof v !== 'string') ?? entries[0];
      if (part === undefined) {
        send(res, 400, 'no_file_data');
        return;
      }
      content = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(await part.arrayBuffer());
    }
    file.content = content;
    file.uploaded = true;
    send(res, 200, `OK - ${content.length}`);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const api = url.pathname.match(/^\/api\/([^/]+)$/);
    const hook = url.pathname.match(/^\/commands\/[^/]+\/([^/]+)$/);
    const upload = url.pathname.match(/^\/upload\/v1\/([^/]+)$/);
    const work = api?.[1]
      ? handleApi(req, res, decodeURIComponent(api[1]), url.searchParams)
      : hook?.[1]
        ? handleResponseUrl(req, res, decodeURIComponent(hook[1]))
        : upload?.[1]
          ? handleUpload(req, res, decodeURIComponent(upload[1]))
          : Promise.resolve(send(res, 404, { ok: false, error: 'unknown_method' }));
    work.catch((e: unknown) => send(res, 500, { ok: false, error: 'internal_error', detail: String(e) }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const standin: SlackStandIn = {
    url: `${origin}/api/`,
    token,
    appToken,
    openSocketModeAt(url: string | null): void {
      socketModeUrl = url;
    },
    botUserId,
    botId,
    teamId,
    calls,
    channels,
    messages,
    pins,
    reactions,
    views,
    responses,
    files,
    users,

    responseUrl(id?: string): string {
      responseCounter += 1;
      const rid = id ?? `R${String(responseCounter).padStart(6, '0')}`;
      return `${origin}/commands/${teamId}/${encodeURIComponent(rid)}`;
    },

    triggerId(forUser?: string): string {
      triggerCounter += 1;
      const t = `${nowSec()}.${String(triggerCounter).padStart(6, '0')}.${Math.random().toString(16).slice(2, 18)}`;
      if (forUser) triggerUsers.set(t, forUser);
      return t;
    },

    callsTo(method: string): Record<string, unknown>[] {
      return calls.filter((c) => c.method === method).map((c) => c.args);
    },

    channelByName,

    addMessage(m): StandInMessage {
      const c = channels.get(m.channel);
      if (!c) throw new Error(`addMessage: unknown channel ${m.channel}`);
      const msg: StandInMessage = { channel: c.id, ts: nextTs(), user: m.user };
      if (m.text !== undefined) msg.text = m.text;
      if (m.blocks !== undefined) msg.blocks = m.blocks;
      if (m.thread_ts !== undefined) msg.thread_ts = m.thread_ts;
      messages.push(msg);
      return msg;
    },

    addUser,

    addChannel(spec): StandInChannel {
      if (channelByName(spec.name)) throw new Error(`addChannel: a channel named #${spec.name} already exists`);
      const id = spec.id ?? nextChannelId('C');
      if (channels.has(id)) throw new Error(`addChannel: channel id ${id} already exists`);
      const members = [...(spec.members ?? [])];
      const c: StandInChannel = {
        id,
        name: spec.name,
        is_private: spec.is_private ?? false,
        members: new Set(members),
        created: nowSec() - 86400,
        creator: spec.creator ?? members.find((m) => m !== botUserId) ?? 'USLACKBOT',
        archived: false,
      };
      channels.set(id, c);
      return c;
    },

    failNext(method: string, failure: Failure): void {
      const queue = failures.get(method) ?? [];
      queue.push({ ...failure, remaining: failure.times ?? 1 });
      failures.set(method, queue);
    },

    async waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const v = predicate();
          if (v) return v;
          lastError = undefined;
        } catch (e) {
          lastError = e;
        }
        if (Date.now() >= deadline) {
          const recent =
            calls
              .slice(-15)
              .map((c) => c.method)
              .join(', ') || '(none)';
          const why = lastError
            ? ` Last predicate error: ${lastError instanceof Error ? lastError.message : String(lastError)}.`
            : '';
          throw new Error(
            `SlackStandIn.waitFor: condition not met within ${timeoutMs}ms.${why} ` +
              `Web API calls so far (${calls.length}, latest last): ${recent}; messages: ${messages.length}; responses: ${responses.length}`,
          );
        }
        await sleep(10);
      }
    },

    reset(): void {
      calls.length = 0;
      messages.length = 0;
      pins.length = 0;
      reactions.length = 0;
      views.length = 0;
      responses.length = 0;
      files.length = 0;
      uploadTickets.clear();
      fileMeta.clear();
      failures.clear();
      usedTriggers.clear();
      triggerUsers.clear();
      viewHashes.clear();
      channels.clear();
    },

    async close(): Promise<void> {
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return standin;
}
