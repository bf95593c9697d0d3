// Action items of post-incident reviews: the guardrail-improvement backlog.
import { AppError } from './errors.ts';
import type { ActionItemTracker } from './trackers.ts';
import {
  ACTION_CATEGORIES,
  ACTION_PRIORITIES,
  ACTION_TEXT_MAX,
  isCalendarDate,
  type ActionCategory,
  type ActionPriority,
} from './review.ts';

export const ACTION_STATUSES = ['open', 'done'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** An action item as the backlog shows it, with the incident it came from. */
export interface ActionItem {
  id: string;
  /** Human reference: ACT-12. */
  number: number;
  incidentId: string;
  incidentNumber: number;
  incidentTitle: string;
  incidentPrivate: boolean;
  /** Its incident is a drill (an exercise): marked so wherever the item leaves Slack (tracker issues). Absent: not known, as false. */
  incidentDrill?: boolean;
  incidentChannelId: string | null;
  text: string;
  ownerId: string | null;
  /** The team it belongs to: its incident's service owner in the catalog when it was added (e.g. group:default/platform), or null. */
  team: string | null;
  /** Calendar date YYYY-MM-DD (in the team's time zone), or null. */
  due: string | null;
  category: ActionCategory;
  priority: ActionPriority;
  status: ActionStatus;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  /** No reminders before this calendar date (YYYY-MM-DD). */
  snoozedUntil: string | null;
  /** When the owner was told the item fell due (once). */
  dueRemindedAt: Date | null;
  /** When the owner was last told the item is overdue (weekly). */
  overdueRemindedAt: Date | null;
  /** Its issue in the team's tracker (GitHub, Jira): being created, or linked; null when it lives in Slack only. */
  tracker: ActionItemTracker | null;
}

/** A new action item, as a command or the review form gives it (validated). */
export interface NewActionItem {
  text: string;
  ownerId: string | null;
  /** The team it belongs to; absent: its incident's service owner (ReviewStore.addActionItem), null: none. */
  team?: string | null;
  due: string | null;
  category: ActionCategory;
  priority: ActionPriority;
}

export function actionRef(a: Pick<ActionItem, 'number'>): string {
  return `ACT-${a.number}`;
}

// ---------------------------------------------------------------------------------------------
// Commands: `/incident action add …`, the backlog filter, report periods
// ---------------------------------------------------------------------------------------------

export const ACTION_FILTERS = ['mine', 'team', 'overdue', 'all'] as const;
export type ActionFilter = (typeof ACTION_FILTERS)[number];
/** Default due date of a new item, days from today, by priority. */
export const DEFAULT_DUE_DAYS: Record<ActionPriority, number> = { high: 14, medium: 30, low: 90 };
export const DEFAULT_ACTION_CATEGORY: ActionCategory = 'guardrail';
export const SNOOZE_DAYS = [7, 14, 30] as const;
export const OVERDUE_REMINDER_INTERVAL_MS = 7 * 24 * 3600_000;

export const ACTION_ADD_USAGE =
  '`/incident action add <what to do> [@owner] [due:YYYY-MM-DD] [category] [priority:high|medium|low]`';

/** What `/incident action add …` gave; null where the person said nothing (the service fills defaults). */
export interface ActionAddRequest {
  text: string;
  ownerId: string | null;
  due: string | null;
  category: ActionCategory | null;
  priority: ActionPriority | null;
}

type AddOption =
  | { key: 'ownerId'; value: string }
  | { key: 'due'; value: string }
  | { key: 'category'; value: ActionCategory }
  | { key: 'priority'; value: ActionPriority };

const OPTION_NAMES: Record<AddOption['key'], string> = {
  ownerId: 'an owner',
  due: 'a due date',
  category: 'a category',
  priority: 'a priority',
};

/** `a, b, c or d` */
const orList = (values: readonly string[]) =>
  values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

const isCategory = (s: string): s is ActionCategory => (ACTION_CATEGORIES as readonly string[]).includes(s);
const isPriority = (s: string): s is ActionPriority => (ACTION_PRIORITIES as readonly string[]).includes(s);

/** A Slack user mention as a command receives it: `<@U123|name>` or `<@U123>`. */
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
/** The last word of a text, where a trailing mention counts as one word even if its name has spaces. */
const LAST_MENTION = /(?:^|\s)(<@[UW][A-Z0-9]+(?:\|[^>]*)?>)$/;
const LAST_WORD = /(\S+)$/;

/** The option `word` stands for; null when it is not an option. Throws AppError for a malformed option. */
function addOption(word: string): AddOption | null {
  const mention = MENTION.exec(word);
  if (mention) return { key: 'ownerId', value: mention[1]! };
  const colon = word.indexOf(':');
  const key = colon < 0 ? '' : word.slice(0, colon).toLowerCase();
  const value = colon < 0 ? '' : word.slice(colon + 1);
  switch (key) {
    case 'due':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
        throw new AppError(`\`${word}\` is not a due date: write it as due:YYYY-MM-DD, e.g. \`due:2026-12-01\`.`);
      }
      if (!isCalendarDate(value)) {
        throw new AppError(
          `\`${word}\` is not a real calendar date from 1970 to 9998 (check the day and month): write it as due:YYYY-MM-DD.`,
        );
      }
      return { key: 'due', value };
    case 'category': {
      const category = value.toLowerCase();
      if (!isCategory(category)) {
        throw new AppError(`\`${value || word}\` is not an action category: choose ${orList(ACTION_CATEGORIES)}.`);
      }
      return { key: 'category', value: category };
    }
    case 'priority': {
      const priority = value.toLowerCase();
      if (!isPriority(priority)) {
        throw new AppError(
          `\`${value || word}\` is not a priority: choose ${orList(ACTION_PRIORITIES)}, e.g. \`priority:high\`.`,
        );
      }
      return { key: 'priority', value: priority };
    }
  }
  const bare = word.toLowerCase();
  return isCategory(bare) ? { key: 'category', value: bare } : null;
}

/** Parses the text after `action add`. Throws AppError (code 'invalid_input') with a helpful message. */
export function parseActionAdd(text: string): ActionAddRequest {
  const request: ActionAddRequest = { text: '', ownerId: null, due: null, category: null, priority: null };
  const given: Partial<Record<AddOption['key'], string>> = {};
  /** Options taken, last word first; a bare category word is marked so it can be given back. */
  const taken: { word: string; bare: boolean }[] = [];
  let rest = text.trim();
  // Options are trailing words only: scan from the end while the last word is one.
  for (;;) {
    const m = LAST_MENTION.exec(rest) ?? LAST_WORD.exec(rest);
    if (!m) break;
    const word = m[1]!;
    const before = rest.slice(0, rest.length - word.length).trimEnd();
    const option = addOption(word);
    // The description must keep at least one word (`action add runbook` describes a runbook).
    if (!option || before === '') break;
    const earlier = given[option.key];
    // A bare category word once the category is known is the end of the description
    // (`Write the runbook due:2026-12-01 runbook`), not a second category.
    if (earlier !== undefined && option.key === 'category' && !word.includes(':')) break;
    if (earlier !== undefined) {
      const hint =
        option.key === 'category'
          ? ' Trailing category words are read as the category, so reword the description if it ends with one.'
          : '';
      throw new AppError(
        `You gave ${OPTION_NAMES[option.key]} twice (\`${word}\` and \`${earlier}\`): give it once.${hint} Write it as ${ACTION_ADD_USAGE}.`,
      );
    }
    given[option.key] = word;
    taken.push({ word, bare: option.key === 'category' && !word.includes(':') });
    switch (option.key) {
      case 'ownerId':
        request.ownerId = option.value;
        break;
      case 'due':
        request.due = option.value;
        break;
      case 'category':
        request.category = option.value;
        break;
      case 'priority':
        request.priority = option.value;
        break;
    }
    rest = before;
  }
  // A bare category word right after the description is also part of it (`Write the deploy
  // runbook`): it sets the category and stays in the text, so no word is lost.
  while (taken.at(-1)?.bare && rest !== '') rest = `${rest} ${taken.pop()!.word}`;
  // A lone option (`action add @bob`, `action add due:2026-12-01`) describes nothing; a lone category word does.
  const single = MENTION.test(rest) || /^\S+$/.test(rest);
  const lone = single ? addOption(rest) : null;
  const onlyAnOption = lone !== null && !(lone.key === 'category' && !rest.includes(':'));
  if (rest === '' || onlyAnOption) {
    throw new AppError(
      `Say what should be done. Write it as ${ACTION_ADD_USAGE}, e.g. \`/incident action add Alert on EHR login errors @alice due:2026-12-01 observability\`.`,
    );
  }
  if (rest.length > ACTION_TEXT_MAX) {
    throw new AppError(`An action item can be at most ${ACTION_TEXT_MAX} characters (this one has ${rest.length}).`);
  }
  request.text = rest;
  return request;
}

/** `mine` when empty; AppError listing the choices otherwise. Case-insensitive. */
export function parseActionsFilter(word: string | undefined): ActionFilter {
  const w = (word ?? '').trim().toLowerCase();
  if (w === '') return 'mine';
  if ((ACTION_FILTERS as readonly string[]).includes(w)) return w as ActionFilter;
  throw new AppError(
    `\`${word!.trim()}\` is not a filter for action items: choose ${orList(ACTION_FILTERS)} (mine when left out).`,
  );
}

/**
 * Where listed items live: `github`, `jira` (their issue is open there), `slack` (no tracker issue),
 * `pending` (their issue is being created). Typed as `in:github`, `in:jira`, `in:slack`, `pending`.
 */
export const TRACKER_FILTERS = ['github', 'jira', 'slack', 'pending'] as const;
export type TrackerFilter = (typeof TRACKER_FILTERS)[number];
const TRACKER_FILTER_WORDS: Readonly<Record<string, TrackerFilter>> = {
  'in:github': 'github',
  'in:jira': 'jira',
  'in:slack': 'slack',
  pending: 'pending',
};
/** The words of TRACKER_FILTERS, as typed. */
export const TRACKER_FILTER_WORDS_LIST = Object.keys(TRACKER_FILTER_WORDS);

export const ACTIONS_USAGE = '`/incident actions [mine|team|overdue|all] [in:github|in:jira|in:slack|pending]`';

/**
 * The words after `/incident actions`: a filter (mine when left out) and, optionally, where the
 * items live (either order, each at most once): `team in:jira`, `all pending`, `in:slack`. Case
 * does not matter. AppError (invalid_input) naming the word and listing the choices otherwise.
 */
export function parseActionsArgs(words: readonly string[]): { filter: ActionFilter; tracker?: TrackerFilter } {
  if (words.length > 2) {
    throw new AppError(
      `Give at most a filter and where the items live: ${ACTIONS_USAGE}, e.g. \`/incident actions team in:jira\`.`,
    );
  }
  let filter: ActionFilter | undefined;
  let tracker: TrackerFilter | undefined;
  for (const word of words) {
    const w = word.trim().toLowerCase();
    const where = TRACKER_FILTER_WORDS[w];
    if (where !== undefined && tracker === undefined) tracker = where;
    else if ((ACTION_FILTERS as readonly string[]).includes(w) && filter === undefined) filter = w as ActionFilter;
    else if (where !== undefined || (ACTION_FILTERS as readonly string[]).includes(w)) {
      throw new AppError(
        `You gave two ${where ? 'places' : 'filters'} (\`${word.trim()}\`): give one. Write it as ${ACTIONS_USAGE}.`,
      );
    } else {
      throw new AppError(
        `\`${word.trim()}\` is not a filter for action items: choose ${orList(ACTION_FILTERS)} (mine when left out), then optionally where they live: ${orList(TRACKER_FILTER_WORDS_LIST)}. Write it as ${ACTIONS_USAGE}.`,
      );
    }
  }
  return { filter: filter ?? 'mine', ...(tracker ? { tracker } : {}) };
}

/** `ACT-12` (or `act-12`, or `12`) as the item's number; AppError (invalid_input) otherwise. */
export function parseActionRef(word: string | undefined): number {
  const m = /^(?:act-)?(\d{1,9})$/i.exec((word ?? '').trim());
  const number = m ? Number(m[1]) : 0;
  if (number < 1) {
    const got = (word ?? '').trim();
    throw new AppError(
      `${got ? `\`${got.slice(0, 40)}\` is not an action item. ` : ''}Name the item as the listings show it, e.g. \`ACT-12\` (\`/incident actions all\` lists them).`,
    );
  }
  return number;
}

export const PERIOD_MAX_DAYS = 730;

/** `90d` style period for reports: `<n>d` with 1 ≤ n ≤ 730, also `<n>w` (weeks); empty → defaultDays. AppError otherwise. Returns days. */
export function parsePeriod(word: string | undefined, defaultDays = 90): number {
  const w = (word ?? '').trim();
  if (w === '') return defaultDays;
  const m = /^(\d{1,6})([dw])$/i.exec(w);
  const days = m ? Number(m[1]) * (m[2]!.toLowerCase() === 'w' ? 7 : 1) : NaN;
  if (!(days >= 1 && days <= PERIOD_MAX_DAYS)) {
    throw new AppError(
      `\`${w}\` is not a period: write a number of days or weeks from 1d to ${PERIOD_MAX_DAYS}d, e.g. \`90d\` or \`12w\`.`,
    );
  }
  return days;
}

// ---------------------------------------------------------------------------------------------
// Calendar dates (YYYY-MM-DD)
// ---------------------------------------------------------------------------------------------

// One definition of each, in time.ts: the calendar day of an instant in a zone, and day arithmetic.
export { addDays, dayIn as calendarDate, daysBetween } from './time.ts';

// ---------------------------------------------------------------------------------------------
// The backlog
// ---------------------------------------------------------------------------------------------

/** Open, has a due date, and the due date is before today. */
export function isOverdue(item: Pick<ActionItem, 'status' | 'due'>, today: string): boolean {
  return item.status === 'open' && item.due !== null && item.due < today;
}

/** mine: open items owned by viewer; team: all open items; overdue: open and overdue; all: every item (open and done). */
export function matchesFilter(
  item: Pick<ActionItem, 'status' | 'due' | 'ownerId'>,
  filter: ActionFilter,
  viewerId: string,
  today: string,
): boolean {
  switch (filter) {
    case 'mine':
      return item.status === 'open' && item.ownerId === viewerId;
    case 'team':
      return item.status === 'open';
    case 'overdue':
      return isOverdue(item, today);
    case 'all':
      return true;
  }
}

const PRIORITY_RANK: Record<ActionPriority, number> = { high: 0, medium: 1, low: 2 };

/** Backlog order: open before done; overdue first; then due date ascending (no due date last); then priority high→low; then number ascending. Returns a new array. */
export function sortBacklog<T extends Pick<ActionItem, 'status' | 'due' | 'priority' | 'number'>>(
  items: readonly T[],
  today: string,
): T[] {
  const keyed = items.map((item) => ({
    item,
    open: item.status === 'open' ? 0 : 1,
    overdue: isOverdue(item, today) ? 0 : 1,
  }));
  keyed.sort((a, b) => {
    if (a.open !== b.open) return a.open - b.open;
    if (a.overdue !== b.overdue) return a.overdue - b.overdue;
    const [da, db] = [a.item.due, b.item.due];
    if (da !== db) {
      if (da === null) return 1;
      if (db === null) return -1;
      return da < db ? -1 : 1;
    }
    return PRIORITY_RANK[a.item.priority] - PRIORITY_RANK[b.item.priority] || a.item.number - b.item.number;
  });
  return keyed.map((k) => k.item);
}

/**
 * Where the next page of a backlog listing starts: the backlog-order key of the last item shown
 * (not its id, so an item changed between pages neither hides nor repeats the others). Among open
 * items "overdue first, then due date" is the due date ascending (an overdue date is before every
 * other), so the order is status, due date (none last), priority, number: the same as sortBacklog.
 */
export interface BacklogCursor {
  status: ActionStatus;
  due: string | null;
  priority: ActionPriority;
  number: number;
}

export function backlogCursorOf(item: Pick<ActionItem, 'status' | 'due' | 'priority' | 'number'>): BacklogCursor {
  return { status: item.status, due: item.due, priority: item.priority, number: item.number };
}

/**
 * Which reminder the owner is owed now, if any: none for done items, items without owner or due date,
 * or items snoozed until a date after today. 'due' when the due date is today and dueRemindedAt is null.
 * 'overdue' when the due date is before today and overdueRemindedAt is null or at least
 * OVERDUE_REMINDER_INTERVAL_MS before `now` (an item first seen already overdue gets 'overdue', not 'due').
 */
export function reminderFor(
  item: Pick<ActionItem, 'status' | 'ownerId' | 'due' | 'snoozedUntil' | 'dueRemindedAt' | 'overdueRemindedAt'>,
  today: string,
  now: Date,
): 'due' | 'overdue' | null {
  if (item.status !== 'open' || item.ownerId === null || item.due === null) return null;
  if (item.snoozedUntil !== null && item.snoozedUntil > today) return null;
  if (item.due === today) return item.dueRemindedAt === null ? 'due' : null;
  if (item.due < today) {
    // Weekly: a week after the last overdue reminder, or after the one on the due day.
    const last = item.overdueRemindedAt ?? item.dueRemindedAt;
    return last === null || now.getTime() - last.getTime() >= OVERDUE_REMINDER_INTERVAL_MS ? 'overdue' : null;
  }
  return null;
}
