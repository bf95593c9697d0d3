// Requests exactly as Slack sends them: form-encoded, signed with the app's signing secret.
import { createHmac, randomBytes } from 'node:crypto';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';

const { blocks: B, actions: A } = DECLARE_MODAL;

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export interface SignedResponse {
  status: number;
  body: string;
  json(): any;
}

export async function postSigned(
  baseUrl: string,
  body: string,
  opts: { contentType?: string; secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): Promise<SignedResponse> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex')}`;
  const res = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sig,
      ...opts.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, json: () => (text ? JSON.parse(text) : undefined) };
}

/**
 * Slack HTML-escapes &, < and > in command text, except inside the <@U…|name>, <#C…|name> and
 * <https://…> forms it makes itself from mentions and links (should_escape: true).
 */
export function escapeLikeSlack(text: string): string {
  return text
    .split(/(<[@#!][^<>\s]+>|<https?:\/\/[^<>\s]+>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

export function triggerId(): string {
  return `${Date.now()}.${randomBytes(6).readUIntBE(0, 6)}.${randomBytes(16).toString('hex')}`;
}

export function slashCommandBody(opts: {
  text: string;
  userId?: string;
  channelId?: string;
  responseUrl: string;
  triggerId?: string;
  command?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'healthtech',
    channel_id: opts.channelId ?? 'CGENERAL',
    channel_name: 'general',
    user_id: opts.userId ?? 'UALICE',
    user_name: 'alice',
    command: opts.command ?? '/incident',
    text: escapeLikeSlack(opts.text),
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl,
    trigger_id: opts.triggerId ?? triggerId(),
  }).toString();
}

/** A view_submission interaction payload, as Slack posts it (form field `payload`). */
export function viewSubmissionBody(opts: {
  viewId: string;
  callbackId: string;
  userId?: string;
  values: Record<string, Record<string, unknown>>;
  privateMetadata?: string;
}): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'healthtech' },
    user: { id: opts.userId ?? 'UALICE', username: 'alice', name: 'alice', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    trigger_id: triggerId(),
    view: {
      id: opts.viewId,
      team_id: 'T0001',
      type: 'modal',
      callback_id: opts.callbackId,
      private_metadata: opts.privateMetadata ?? '',
      hash: '1764000000.abcdef',
      state: { values: opts.values },
      blocks: [],
      title: { type: 'plain_text', text: 'Declare an incident' },
      app_id: 'A0001',
      bot_id: 'B0001',
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** state.values for the declare modal. */
export function declareModalValues(v: {
  title?: string;
  severity?: string | null;
  description?: string;
  service?: string;
  flags?: string[];
}) {
  return {
    [B.title]: { [A.title]: { type: 'plain_text_input', value: v.title ?? null } },
    [B.severity]: {
      [A.severity]: {
        type: 'static_select',
        selected_option: v.severity ? { text: { type: 'plain_text', text: v.severity }, value: v.severity } : null,
      },
    },
    [B.description]: { [A.description]: { type: 'plain_text_input', value: v.description ?? null } },
    [B.service]: { [A.service]: { type: 'plain_text_input', value: v.service ?? null } },
    // Each flag in its own block (DECLARE_MODAL).
    ...Object.fromEntries(
      (
        [
          [B.private, A.private, DECLARE_MODAL.flagValues.private],
          [B.flags, A.flags, DECLARE_MODAL.flagValues.clinical],
          [B.breach, A.breach, DECLARE_MODAL.flagValues.breach],
          [B.drill, A.drill, DECLARE_MODAL.flagValues.drill],
        ] as const
      ).map(([block, action, value]) => [
        block,
        {
          [action]: {
            type: 'checkboxes',
            selected_options: (v.flags ?? [])
              .filter((f) => f === value)
              .map((f) => ({ text: { type: 'plain_text', text: f }, value: f })),
          },
        },
      ]),
    ),
  };
}

let pressed = 0;
function actionTs(): string {
  pressed = (pressed + 1) % 1_000_000;
  return `${Math.floor(Date.now() / 1000)}.${String(pressed).padStart(6, '0')}`;
}

/** A block_actions interaction from a button or menu on a bot message, as Slack posts it. */
export function blockActionsBody(opts: {
  userId: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
  blockId: string;
  actionId: string;
  value?: string;
  selectedValue?: string;
  /** A users_select choice. */
  selectedUser?: string;
  /** Pressed in the App Home tab: a view container, no channel and no response_url. */
  inHome?: boolean;
}): string {
  const action: Record<string, unknown> = {
    type: opts.selectedUser ? 'users_select' : opts.selectedValue ? 'static_select' : 'button',
    block_id: opts.blockId,
    action_id: opts.actionId,
    // Unique per press, as Slack's are (two presses of one button in a second are two deliveries).
    action_ts: actionTs(),
  };
  if (opts.value) action.value = opts.value;
  if (opts.selectedValue)
    action.selected_option = { text: { type: 'plain_text', text: opts.selectedValue }, value: opts.selectedValue };
  if (opts.selectedUser) action.selected_user = opts.selectedUser;
  const user = {
    id: opts.userId,
    username: opts.userId.toLowerCase(),
    name: opts.userId.toLowerCase(),
    team_id: 'T0001',
  };
  if (opts.inHome) {
    const home = {
      type: 'block_actions',
      user,
      api_app_id: 'A0001',
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: 'VHOME' },
      trigger_id: triggerId(),
      team: { id: 'T0001', domain: 'healthtech' },
      view: {
        id: 'VHOME',
        type: 'home',
        callback_id: '',
        private_metadata: '',
        blocks: [],
        state: { values: {} },
        hash: '1764000000.abcdef',
      },
      actions: [action],
    };
    return new URLSearchParams({ payload: JSON.stringify(home) }).toString();
  }
  const payload = {
    type: 'block_actions',
    user,
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: opts.messageTs, channel_id: opts.channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: { id: 'T0001', domain: 'healthtech' },
    channel: { id: opts.channelId, name: 'incident' },
    message: { type: 'message', ts: opts.messageTs, text: 'summary', blocks: [] },
    response_url: opts.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A block_suggestion (an external_select's options request) from a modal, as Slack posts it. */
export function blockSuggestionBody(opts: {
  userId?: string;
  viewId?: string;
  callbackId: string;
  blockId: string;
  actionId: string;
  value: string;
}): string {
  const payload = {
    type: 'block_suggestion',
    user: { id: opts.userId ?? 'UALICE', username: 'alice', name: 'alice', team_id: 'T0001' },
    container: { type: 'view', view_id: opts.viewId ?? 'VDECLARE' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    action_id: opts.actionId,
    block_id: opts.blockId,
    value: opts.value,
    team: { id: 'T0001', domain: 'healthtech' },
    enterprise: null,
    is_enterprise_install: false,
    view: {
      id: opts.viewId ?? 'VDECLARE',
      team_id: 'T0001',
      type: 'modal',
      callback_id: opts.callbackId,
      private_metadata: '',
      hash: '1764000000.abcdef',
      state: { values: {} },
      blocks: [],
      app_id: 'A0001',
      bot_id: 'B0001',
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** An Events API callback as Slack posts it: JSON, signed; `retry` sets Slack's retry headers. */
export function postEvent(
  baseUrl: string,
  event: Record<string, unknown>,
  opts: { retry?: number; eventId?: string } = {},
): Promise<SignedResponse> {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  });
  const headers: Record<string, string> = opts.retry
    ? { 'x-slack-retry-num': String(opts.retry), 'x-slack-retry-reason': 'http_timeout' }
    : {};
  return postSigned(baseUrl, body, { contentType: 'application/json', headers });
}
