// Block Kit for the action-item backlog: the `/incident actions …` list and the App Home tab.
import type { ActionsBlock, HomeView, KnownBlock } from '@slack/types';
import {
  ACTION_ADD_USAGE,
  actionRef,
  daysBetween,
  isOverdue,
  SNOOZE_DAYS,
  type ActionFilter,
  type ActionItem,
  type BacklogCursor,
  type TrackerFilter,
} from '../../domain/action-items.ts';
import { incidentRef } from '../../domain/incident.ts';
import { ACTION_CATEGORY_LABELS } from '../../domain/review.ts';
import { ACTION_ITEM_ACTIONS, ACTION_LIST_ACTIONS } from '../ids.ts';
import {
  clipMrkdwn,
  context,
  escapeMrkdwn,
  header,
  personText,
  plainText,
  plural,
  section,
  slackDay,
  trackerText,
} from './format.ts';
import { PRIORITY_LABELS } from './review-parts.ts';

export interface ActionListOptions {
  filter: ActionFilter;
  /** Only the items living there (in:github, in:jira, in:slack, pending); absent: wherever. */
  tracker?: TrackerFilter | undefined;
  /** YYYY-MM-DD in the team's time zone. */
  today: string;
  /** Items matching before the display cap (every page). */
  total: number;
  /** `total` is a cap: there are at least that many. */
  totalCapped?: boolean;
  /** Items shown on the pages before this one. */
  shownBefore?: number;
  /** Where the next page starts: a "More" button asks for it. */
  next?: BacklogCursor | null;
}

/** What the "More" button under a listing carries (its value, JSON; parsed with actionListPageSchema). */
export interface ActionListPage {
  /** The filter. */
  f: ActionFilter;
  /** Where the items live, when the listing asked (absent: wherever). */
  t?: TrackerFilter;
  /** Items shown so far. */
  s: number;
  /** The cursor: status, due date, priority and number of the last item shown. */
  c: { s: BacklogCursor['status']; d: string | null; p: BacklogCursor['priority']; n: number };
}

export function actionListPageValue(
  filter: ActionFilter,
  shown: number,
  c: BacklogCursor,
  tracker?: TrackerFilter,
): string {
  const page: ActionListPage = {
    f: filter,
    ...(tracker ? { t: tracker } : {}),
    s: shown,
    c: { s: c.status, d: c.due, p: c.priority, n: c.number },
  };
  return JSON.stringify(page);
}

/** How many items each view lists (each takes two blocks: Slack allows 50 per message, 100 per Home tab). */
export const ACTION_VIEW_LIMITS = { list: 20, homeMine: 15, homeOverdue: 15 } as const;

/** "1 week", "2 weeks", "30 days". */
export function snoozeLabel(days: number): string {
  return days % 7 === 0 && days <= 28 ? plural(days / 7, 'week') : plural(days, 'day');
}

/** A calendar date YYYY-MM-DD as mrkdwn (a date Slack does not render is shown as text). */
const dateText = (d: string) => escapeMrkdwn(d);

/** Where the item came from: `INC-7 Title in #channel`, or only `INC-7 (private incident)`. */
function incidentText(item: ActionItem): string {
  const ref = incidentRef({ number: item.incidentNumber });
  if (item.incidentPrivate) return `${ref} (private incident)`;
  const title = item.incidentTitle.trim()
    ? ` ${clipMrkdwn(escapeMrkdwn(item.incidentTitle.replace(/\s+/g, ' ').trim()), 200)}`
    : '';
  const channel =
    item.incidentChannelId && /^[CG][A-Z0-9]+$/.test(item.incidentChannelId) ? ` in <#${item.incidentChannelId}>` : '';
  return `${ref}${title}${channel}`;
}

/** A team reference as people read it: `group:default/platform` is `platform`, another namespace stays (`clinical/pharmacy`). */
export function teamText(team: string): string {
  const m = /^(?:group:)?(?:default\/)?(.+)$/i.exec(team.trim());
  return clipMrkdwn(escapeMrkdwn(m?.[1] ?? team), 80);
}

/** The item as mrkdwn: `*ACT-12* text`, then its owner, due date, state, category, priority and incident. */
export function actionItemText(item: ActionItem, today: string): string {
  const head = `*${actionRef(item)}* ${clipMrkdwn(escapeMrkdwn(item.text.trim()), 1500)}`;
  const details: string[] = [item.ownerId ? personText(item.ownerId) : '_no owner_'];
  if (item.team) details.push(`team ${teamText(item.team)}`);
  const tracker = trackerText(item.tracker);
  if (tracker) details.push(tracker);
  if (item.status === 'done') {
    const when = item.completedAt ? ` ${slackDay(item.completedAt)}` : '';
    details.push(`:white_check_mark: done${when}${item.completedBy ? ` by ${personText(item.completedBy)}` : ''}`);
  } else {
    if (item.due === null) details.push('no due date');
    else if (isOverdue(item, today)) {
      details.push(`due ${dateText(item.due)} :warning: *overdue by ${plural(daysBetween(item.due, today), 'day')}*`);
    } else details.push(`due ${dateText(item.due)}${item.due === today ? ' (today)' : ''}`);
    if (item.snoozedUntil !== null && item.snoozedUntil > today)
      details.push(`:zzz: snoozed until ${dateText(item.snoozedUntil)}`);
  }
  details.push(ACTION_CATEGORY_LABELS[item.category] ?? escapeMrkdwn(String(item.category)));
  details.push(`${PRIORITY_LABELS[item.priority] ?? escapeMrkdwn(String(item.priority))} priority`);
  details.push(incidentText(item));
  return clipMrkdwn(`${head}\n${details.join(' · ')}`, 3000);
}

/**
 * The controls block of an open item: block_id `${ACTION_ITEM_ACTIONS.blockPrefix}${item.id}`; a
 * "Complete" button (value item.id), a users_select to reassign (initially the owner) and a snooze
 * menu (values: days). Done items have no controls: call it for open items only.
 */
export function actionItemControls(item: ActionItem): ActionsBlock {
  const A = ACTION_ITEM_ACTIONS;
  return {
    type: 'actions',
    block_id: `${A.blockPrefix}${item.id}`,
    elements: [
      { type: 'button', text: plainText('Complete'), action_id: A.complete, value: item.id, style: 'primary' },
      {
        type: 'users_select',
        action_id: A.reassign,
        placeholder: plainText('Reassign'),
        ...(item.ownerId ? { initial_user: item.ownerId } : {}),
      },
      {
        type: 'static_select',
        action_id: A.snooze,
        placeholder: plainText('Snooze'),
        options: SNOOZE_DAYS.map((days) => ({ text: plainText(snoozeLabel(days)), value: String(days) })),
      },
    ],
  };
}

/**
 * The controls block of a done item: the same block id as an open item's
 * (`${ACTION_ITEM_ACTIONS.blockPrefix}${item.id}`) with a "Reopen" button (value item.id).
 */
export function actionItemReopenControl(item: ActionItem): ActionsBlock {
  const A = ACTION_ITEM_ACTIONS;
  return {
    type: 'actions',
    block_id: `${A.blockPrefix}${item.id}`,
    elements: [{ type: 'button', text: plainText('Reopen'), action_id: A.reopen, value: item.id }],
  };
}

/** The item's blocks: its text, and its controls (unless `controls` is false): an open item's, or a done item's Reopen. */
function itemBlocks(item: ActionItem, today: string, controls = true, note = ''): KnownBlock[] {
  const blocks: KnownBlock[] = [section(`${actionItemText(item, today)}${note}`)];
  if (controls) blocks.push(item.status === 'open' ? actionItemControls(item) : actionItemReopenControl(item));
  return blocks;
}

const LIST_TITLES: Record<ActionFilter, string> = {
  mine: 'Your open action items',
  team: 'Open action items of the team',
  overdue: 'Overdue action items',
  all: 'All action items',
};

const EMPTY_LINES: Record<ActionFilter, string> = {
  mine: 'You have no open action items. :tada:',
  team: 'The team has no open action items. :tada:',
  overdue: 'Nothing is overdue. :tada:',
  all: 'There are no action items yet.',
};

/** An empty listing of the items living somewhere, before where. */
const EMPTY_WHERE: Record<ActionFilter, string> = {
  mine: 'You have no open action items',
  team: 'The team has no open action items',
  overdue: 'There are no overdue action items',
  all: 'There are no action items',
};

/** How a listing's title says where its items live. */
const TRACKER_TITLES: Record<TrackerFilter, string> = {
  github: ' in GitHub',
  jira: ' in Jira',
  slack: ' only in Slack',
  pending: ' with a tracker issue being created',
};

const HOW_TO_ADD = `Add one in an incident channel with ${escapeMrkdwn(ACTION_ADD_USAGE)}, or in the form of its post-incident review.`;
const FILTERS_HINT = '`/incident actions mine`, `team`, `overdue` or `all` lists them';
const TRACKER_HINT = 'add `in:github`, `in:jira`, `in:slack` or `pending` for where they live';

/** Ephemeral list for `/incident actions …`: one section per item plus its controls; at most 20 items, then "and N more". */
export function actionListMessage(
  items: readonly ActionItem[],
  opts: ActionListOptions,
): { text: string; blocks: KnownBlock[] } {
  const title = `${LIST_TITLES[opts.filter]}${opts.tracker ? TRACKER_TITLES[opts.tracker] : ''}`;
  const before = opts.shownBefore ?? 0;
  const total = Math.max(opts.total, before + items.length);
  const count = `${total}${opts.totalCapped ? '+' : ''}`;
  if (items.length === 0) {
    const empty = opts.tracker
      ? `${EMPTY_WHERE[opts.filter]}${TRACKER_TITLES[opts.tracker]}.`
      : EMPTY_LINES[opts.filter];
    return {
      text: `${title}: none`,
      blocks: [section(empty), context(`${HOW_TO_ADD} ${FILTERS_HINT}; ${TRACKER_HINT}.`)],
    };
  }
  const shown = items.slice(0, ACTION_VIEW_LIMITS.list);
  const range = before > 0 ? `, ${before + 1}–${before + shown.length}` : '';
  const blocks: KnownBlock[] = [header(`${title} (${count}${range})`)];
  for (const item of shown) blocks.push(...itemBlocks(item, opts.today));
  const more = total - before - shown.length;
  const next = opts.next ? (shown.length < items.length ? backlogCursorOfLast(shown) : opts.next) : null;
  if (next) {
    // The next page starts after the last item shown: one changed meanwhile neither hides nor repeats the others.
    blocks.push(context(more > 0 && !opts.totalCapped ? `_… and ${more} more._` : '_… and more._'));
    blocks.push({
      type: 'actions',
      block_id: ACTION_LIST_ACTIONS.blockId,
      elements: [
        {
          type: 'button',
          text: plainText(`Next ${ACTION_VIEW_LIMITS.list}`),
          action_id: ACTION_LIST_ACTIONS.more,
          value: actionListPageValue(opts.filter, before + shown.length, next, opts.tracker),
        },
      ],
    });
  } else if (more > 0) {
    blocks.push(context(`_… and ${more} more._ Complete or snooze some of these to see the rest.`));
  }
  blocks.push(context(`${FILTERS_HINT}; ${TRACKER_HINT} · ${HOW_TO_ADD}`));
  return { text: `${title}: ${count}`, blocks };
}

const backlogCursorOfLast = (shown: readonly ActionItem[]): BacklogCursor | null => {
  const last = shown.at(-1);
  return last ? { status: last.status, due: last.due, priority: last.priority, number: last.number } : null;
};

/** App Home tab: the user's open items (≤ 15) and the team's overdue ones (≤ 15), each with controls; a short how-to footer. */
export function appHomeView(args: {
  mine: readonly ActionItem[];
  teamOverdue: readonly ActionItem[];
  today: string;
  mineTotal: number;
  overdueTotal: number;
  /** The totals are caps: there are at least that many. */
  mineCapped?: boolean;
  overdueCapped?: boolean;
}): HomeView {
  const { today } = args;
  const blocks: KnownBlock[] = [];

  const mine = args.mine.slice(0, ACTION_VIEW_LIMITS.homeMine);
  const mineTotal = Math.max(args.mineTotal, args.mine.length);
  blocks.push(header(`Your open action items (${mineTotal}${args.mineCapped ? '+' : ''})`));
  if (mine.length === 0) blocks.push(section('You have no open action items. :tada:'));
  // Block ids must be unique in a view: an item already listed (with its controls) is not given them twice.
  const listed = new Set<string>();
  for (const item of mine) {
    blocks.push(...itemBlocks(item, today, !listed.has(item.id)));
    listed.add(item.id);
  }
  if (mineTotal > mine.length)
    blocks.push(
      context(
        `_… and ${mineTotal - mine.length}${args.mineCapped ? '+' : ''} more:_ \`/incident actions mine\` lists them.`,
      ),
    );

  blocks.push({ type: 'divider' });
  const overdue = args.teamOverdue.slice(0, ACTION_VIEW_LIMITS.homeOverdue);
  const overdueTotal = Math.max(args.overdueTotal, args.teamOverdue.length);
  blocks.push(header(`Overdue across the team (${overdueTotal}${args.overdueCapped ? '+' : ''})`));
  if (overdue.length === 0) blocks.push(section('Nothing is overdue. :tada:'));
  for (const item of overdue) {
    const again = listed.has(item.id);
    blocks.push(...itemBlocks(item, today, !again, again ? '\n_Yours: listed above._' : ''));
    listed.add(item.id);
  }
  if (overdueTotal > overdue.length)
    blocks.push(
      context(
        `_… and ${overdueTotal - overdue.length}${args.overdueCapped ? '+' : ''} more:_ \`/incident actions overdue\` lists them.`,
      ),
    );

  blocks.push({ type: 'divider' });
  blocks.push(
    context(
      [
        `*How it works:* action items come from post-incident reviews. ${HOW_TO_ADD}`,
        `${FILTERS_HINT}; \`/incident guardrails\` shows what incidents keep teaching us.`,
        'Owners are reminded when an item falls due, then weekly while it is overdue (snooze to pause).',
      ].join('\n'),
    ),
  );
  return { type: 'home', blocks };
}
