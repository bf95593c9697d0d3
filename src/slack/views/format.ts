import type { ContextBlock, HeaderBlock, PlainTextElement, SectionBlock } from '@slack/types';
import { commandingUser } from '../../domain/access.ts';
import { SYSTEM_DECLARER, type Incident } from '../../domain/incident.ts';
import { TRACKER_NAMES, type ActionItemTracker } from '../../domain/trackers.ts';
import { formatInZone } from '../../domain/time.ts';

/** Slack renders `<!date…>` in each reader's own time zone; the fallback is in `fallbackZone`. */
export function slackDate(date: Date, fallbackZone = 'UTC'): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatInZone(date, fallbackZone)}>`;
}

/** `<!date>` of an instant, shown as the reader's date, falling back to the UTC date. */
export function slackDay(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short}|${at.toISOString().slice(0, 10)}>`;
}

/** A Slack user id as a mention: `<@U123>`. */
export function mention(userId: string): string {
  return `<@${userId}>`;
}

/** Who declared it: a mention, or "PagerDuty" for incidents the bot declared from an alert. */
export function declarerText(i: Pick<Incident, 'declaredBy'>): string {
  return i.declaredBy === SYSTEM_DECLARER ? 'PagerDuty' : mention(i.declaredBy);
}

/** Who should act now: the commander, else a human declarer, else whoever is in the channel. */
export function commandingText(i: Pick<Incident, 'declaredBy' | 'roles'>): string {
  const who = commandingUser(i);
  return who === SYSTEM_DECLARER ? 'Whoever is responding' : mention(who);
}

/** A person: a mention for a Slack user id, "PagerDuty" for the bot's own declarations, else the text. */
export function personText(id: string): string {
  if (/^[UW][A-Z0-9]+$/.test(id)) return mention(id);
  if (id === SYSTEM_DECLARER) return 'PagerDuty';
  return escapeMrkdwn(id);
}

/** ` in <#C123>` for an incident with a channel, else nothing. */
export function inChannel(i: Pick<Incident, 'channelId'>): string {
  return i.channelId ? ` in <#${i.channelId}>` : '';
}

/** "1 day", "2 days"; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Escapes text for mrkdwn (Slack's three control characters). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** plain_text fields have hard limits: cut with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Cuts mrkdwn to at most `max` characters (ellipsis included) without splitting an entity
 * (`&amp;`), a mention or link (`<…>`) or a surrogate pair.
 */
export function clipMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z#0-9]*$/i, '').replace(/<[^>]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** User text for mrkdwn: trimmed, escaped, cut to `max`. */
export const userText = (s: string, max: number): string => clipMrkdwn(escapeMrkdwn(s.trim()), max);
/** The same on one line (for lists). */
export const oneLine = (s: string, max: number): string => userText(s.replace(/\s*\r?\n\s*/g, ' '), max);

/** A URL a link may carry: http(s) only, no spaces or Slack's control characters, not too long. */
export function isLinkableUrl(url: string | null | undefined): url is string {
  return !!url && url.length <= 1000 && /^https?:\/\/[^\s<>|]+$/i.test(url);
}

/**
 * An action item's tracker issue as mrkdwn: linked, its key as a link to the issue (`<url|OPS-12>`;
 * the key alone when the URL is not http(s)); being created, "Jira issue being created". Null when
 * the item lives in Slack only.
 */
export function trackerText(t: ActionItemTracker | null | undefined): string | null {
  if (!t) return null;
  const name = TRACKER_NAMES[t.tracker] ?? escapeMrkdwn(String(t.tracker));
  if (t.state !== 'linked') return `${name} issue being created`;
  const key = t.key?.trim() ? clipMrkdwn(escapeMrkdwn(t.key.replace(/\s+/g, ' ').trim()), 80) : `${name} issue`;
  return isLinkableUrl(t.url) ? `<${t.url}|${key}>` : key;
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

/** Slack's limit for a section's or a context element's text, and for a header's. */
const TEXT_CHARS = 3000;
const HEADER_CHARS = 150;

/** A plain_text object (emoji shown), cut to `max` when given. */
export function plainText(text: string, max = Number.POSITIVE_INFINITY): PlainTextElement {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

/** A header block, its text cut to Slack's 150 characters. */
export function header(text: string): HeaderBlock {
  return { type: 'header', text: plainText(text, HEADER_CHARS) };
}

/** A section of mrkdwn, as it is. */
export function mrkdwnSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A context of one mrkdwn element, as it is. */
export function mrkdwnContext(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** A section of mrkdwn fields (label and value each), as they are. */
export function fieldsSection(texts: readonly string[]): SectionBlock {
  return { type: 'section', fields: texts.map((text) => ({ type: 'mrkdwn', text })) };
}

/** A section of mrkdwn cut to Slack's 3000 characters. */
export function section(text: string): SectionBlock {
  return mrkdwnSection(clipMrkdwn(text, TEXT_CHARS));
}

/** A context of one mrkdwn element cut to Slack's 3000 characters. */
export function context(text: string): ContextBlock {
  return mrkdwnContext(clipMrkdwn(text, TEXT_CHARS));
}

const TIMELINE_ICONS: Record<string, string> = {
  declared: ':rotating_light:',
  channel_created: ':hash:',
  severity_changed: ':warning:',
  status_changed: ':arrows_counterclockwise:',
  role_assigned: ':bust_in_silhouette:',
  note: ':memo:',
  status_update: ':loudspeaker:',
  resolved: ':white_check_mark:',
  closed: ':lock:',
  reopened: ':rotating_light:',
  clinical_impact: ':hospital:',
  data_breach: ':closed_lock_with_key:',
  breach_notified: ':white_check_mark:',
  pinned_message: ':pushpin:',
};

/** The emoji a timeline entry of this kind is shown with. */
export function timelineIcon(kind: string): string {
  return TIMELINE_ICONS[kind] ?? ':small_blue_diamond:';
}
