import type { ActionsBlock, KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/durations.ts';
import { incidentRef } from '../../domain/incident.ts';
import { formatReaderTime } from '../../domain/timeline.ts';
import type { TimelineEntry } from '../../domain/timeline.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import {
  showTimeline,
  type IncidentTimeline,
  type TimelineCursor,
  type TimelinePosition,
} from '../../services/incident/show-timeline.ts';
import { TIMELINE_ACTIONS } from '../ids.ts';
import {
  clip,
  escapeMrkdwn,
  fieldsSection,
  header,
  mention,
  mrkdwnContext,
  mrkdwnSection,
  plural,
  timelineIcon,
} from './format.ts';
import type { SlackMessage } from './incident-summary.ts';

/** Slack's limits for a message's blocks (https://api.slack.com/reference/block-kit/blocks). */
export const TIMELINE_LIMITS = {
  maxBlocks: 50,
  sectionChars: 3000,
  /** One entry's text at most (a long note is cut with an ellipsis). */
  entryChars: 1500,
};
export type TimelineLimits = typeof TIMELINE_LIMITS;

/**
 * Blocks that are not entry sections: header, zones, durations, divider, which page, "older left
 * out", the Older / Newer buttons, footer.
 */
const FIXED_BLOCKS = 8;

/**
 * The reply to `/incident timeline` in an incident channel: the latest page of the incident's
 * timeline (or the page `page` says) as `userId` reads it (team zone plus their own Slack zone), as
 * an ephemeral message's text and blocks. Throws AppError ("This command only works in an incident
 * channel…") anywhere else, and to a non-member of a private incident's channel.
 */
export async function renderTimelineReply(
  deps: ServiceDeps,
  input: { channelId: string; userId: string; page?: TimelinePosition },
): Promise<SlackMessage> {
  return timelineMessage(await showTimeline(deps, input));
}

/** A page button's value: the entry it pages from (its time and id). */
export function pageButtonValue(e: TimelineCursor): string {
  return JSON.stringify({ at: e.occurredAt.toISOString(), id: e.id });
}

/** "Older" (entries before the page's oldest) and "Newer" (after its newest), where there are some. */
function pageButtons(older: TimelineCursor | null, newer: TimelineCursor | null): ActionsBlock | null {
  const elements: ActionsBlock['elements'] = [];
  if (older)
    elements.push({
      type: 'button',
      text: { type: 'plain_text', text: '← Older' },
      action_id: TIMELINE_ACTIONS.older,
      value: pageButtonValue(older),
    });
  if (newer)
    elements.push({
      type: 'button',
      text: { type: 'plain_text', text: 'Newer →' },
      action_id: TIMELINE_ACTIONS.newer,
      value: pageButtonValue(newer),
    });
  return elements.length ? { type: 'actions', block_id: TIMELINE_ACTIONS.blockId, elements } : null;
}

/** Block Kit for a timeline: header, duration metrics, then the entries oldest first. */
export function timelineMessage(t: IncidentTimeline, limits: TimelineLimits = TIMELINE_LIMITS): SlackMessage {
  const { incident, entries, total, durations, defaultZone, readerZone } = t;
  const paged = t.hasOlder || t.hasNewer;
  const at = (d: Date) => formatReaderTime(d, defaultZone, readerZone);
  const ref = incidentRef(incident);
  const zones =
    readerZone && readerZone !== defaultZone
      ? `Times in ${defaultZone}, and in your zone (${readerZone}) in brackets`
      : `Times in ${defaultZone}`;
  const notYet = (ms: number | null) => (ms === null ? '_not yet_' : formatDuration(ms));

  const blocks: KnownBlock[] = [
    header(`${ref} timeline: ${incident.title}`),
    mrkdwnContext(`${zones} · declared ${at(t.declaredAt)} · ${plural(total, 'entry', 'entries')}`),
    fieldsSection([
      `*Time to acknowledge*\n${notYet(durations.toAcknowledgeMs)}`,
      `*Time to mitigate* (monitoring)\n${notYet(durations.toMitigateMs)}`,
      `*Time to resolve*\n${notYet(durations.toResolveMs)}`,
    ]),
    { type: 'divider' },
  ];

  const { sections, omitted } = packEntries(
    entries.map((e) => entryText(e, at, limits)),
    limits.sectionChars,
    Math.max(1, limits.maxBlocks - FIXED_BLOCKS),
  );
  const first = entries[omitted];
  if (paged && first) {
    const where = !t.hasNewer ? 'the latest' : !t.hasOlder ? 'the first' : '';
    blocks.push(
      mrkdwnContext(
        `Showing ${where ? `${where} ` : ''}${entries.length - omitted} of ${total} entries, ${at(first.occurredAt)} to ${at(entries.at(-1)!.occurredAt)} · *Older* and *Newer* page through the rest`,
      ),
    );
  }
  if (omitted > 0) {
    const shown = entries.length - omitted;
    blocks.push(
      mrkdwnContext(
        paged
          ? `:scissors: The ${omitted} oldest entries of this page do not fit in one Slack message.`
          : `:scissors: Showing the latest ${shown} of ${entries.length} entries: the ${omitted} oldest do not fit in one Slack message.`,
      ),
    );
  }
  if (sections.length === 0) blocks.push(mrkdwnSection('_Nothing on the timeline yet._'));
  for (const text of sections) blocks.push(mrkdwnSection(text));
  // Entries of the page cut for room: Older starts from the first one shown.
  const cut = entries[omitted];
  const buttons = pageButtons(omitted > 0 && cut ? { occurredAt: cut.occurredAt, id: cut.id } : t.older, t.newer);
  if (buttons) blocks.push(buttons);
  blocks.push(
    mrkdwnContext('Pin a message or react to it with :pushpin: to add it here · `/incident note <text>` adds a note'),
  );

  return { text: `${ref} timeline: ${plural(total, 'entry', 'entries')}`, blocks };
}

/** One entry: icon, time, who, a link to the message it came from, markers, then its text quoted. */
export function entryText(e: TimelineEntry, at: (d: Date) => string, limits: TimelineLimits = TIMELINE_LIMITS): string {
  const parts = [`${timelineIcon(e.kind)} *${at(e.occurredAt)}*`];
  if (e.actorId) parts.push(/^[UWB][A-Z0-9]+$/.test(e.actorId) ? mention(e.actorId) : escapeMrkdwn(e.actorId));
  if (e.permalink && /^https:\/\/[^\s<>|]+$/.test(e.permalink)) parts.push(`<${e.permalink}|message>`);
  if (e.deletedAt) parts.push('_(deleted)_');
  else if (e.editedAt) parts.push('_(edited)_');
  const head = parts.join(' · ').replace(' · ', ' ');
  const budget = Math.min(limits.entryChars, limits.sectionChars - head.length - 1);
  // A message's text is Slack's own markup (already escaped); every other entry's is plain text.
  const text = e.text.trim();
  const mrkdwn = e.kind === 'pinned_message' ? slackTextToMrkdwn(text) : escapeMrkdwn(text);
  const body = text ? quoteBody(mrkdwn, Boolean(e.deletedAt), budget) : '> _(no text)_';
  return `${head}\n${body}`;
}

/**
 * A Slack message's text, safe to show again: mentions of people and channels and http(s) links
 * stay; @channel / @here / @everyone and user-group mentions become plain words (no one is pinged
 * twice); dates show their fallback; anything else in angle brackets is escaped.
 */
export function slackTextToMrkdwn(text: string): string {
  const plain = (s: string) =>
    s
      .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/<([^<>\n]*)>/g)) {
    out += plain(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [target = '', label] = m[1]!.split('|', 2) as [string, string | undefined];
    const user = /^@([UW][A-Z0-9]+)$/.exec(target);
    const channel = user ? null : /^#(C[A-Z0-9]+)$/.exec(target);
    const special = user || channel ? null : /^!(channel|here|everyone)$/.exec(target);
    if (user) out += `<@${user[1]}>`;
    else if (channel) out += `<#${channel[1]}>`;
    else if (special) out += `@${special[1]}`;
    else if (target.startsWith('!subteam^')) out += plain(label ?? '@group');
    else if (target.startsWith('!date^')) out += plain(label ?? 'a date');
    else if (/^(https?:\/\/|mailto:)[^\s|<>]+$/.test(target))
      out += label ? `<${target}|${plain(label)}>` : `<${target}>`;
    else out += plain(m[0]);
  }
  return out + plain(text.slice(last));
}

/** Mrkdwn as a quote, struck through when deleted, cut to `budget` characters. */
function quoteBody(mrkdwn: string, struck: boolean, budget: number): string {
  const wrap = (line: string) => (struck && line.trim() ? `> ~${line.trim()}~` : `> ${line}`);
  const overhead = struck ? 4 : 2;
  const out: string[] = [];
  let used = 0;
  for (const line of mrkdwn.split('\n').map((l) => l.trimEnd())) {
    const sep = out.length ? 1 : 0;
    const full = wrap(line);
    if (used + sep + full.length <= budget) {
      out.push(full);
      used += sep + full.length;
      continue;
    }
    const room = budget - used - sep - overhead - 1;
    if (room > 0) out.push(wrap(`${safeCut(line, room)}…`));
    else if (out.length) out[out.length - 1] += '…';
    break;
  }
  return out.join('\n');
}

/** Cuts mrkdwn without splitting an entity (`&amp;`), a link or mention (`<…>`) or a surrogate pair. */
function safeCut(text: string, max: number): string {
  let cut = text
    .slice(0, max)
    .replace(/&[a-z]{0,3}$/, '')
    .replace(/<[^>]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/**
 * Packs entry texts (oldest first) into at most `maxSections` texts of at most `maxChars` each,
 * keeping the newest entries: `omitted` is how many of the oldest did not fit.
 */
export function packEntries(
  texts: string[],
  maxChars: number,
  maxSections: number,
): { sections: string[]; omitted: number } {
  const sections: string[][] = [];
  let current: string[] = [];
  let length = 0;
  let i = texts.length - 1;
  for (; i >= 0; i--) {
    const text = texts[i]!.length > maxChars ? clip(texts[i]!, maxChars) : texts[i]!;
    const added = current.length ? text.length + 1 : text.length;
    if (current.length && length + added > maxChars) {
      if (sections.length + 1 >= maxSections) break;
      sections.push(current);
      current = [];
      length = 0;
    }
    current.unshift(text);
    length += current.length > 1 ? text.length + 1 : text.length;
  }
  if (current.length) sections.push(current);
  return { sections: sections.reverse().map((s) => s.join('\n')), omitted: i + 1 };
}
