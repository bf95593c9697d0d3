import { AppError } from './errors.ts';
import { parseSeverity, type Severity } from './severity.ts';
import type { DeclarationInput } from './declaration.ts';
import type { IncidentStatus, RoleName } from './incident.ts';
import {
  parseActionAdd,
  parseActionRef,
  parseActionsArgs,
  parsePeriod,
  type ActionAddRequest,
  type ActionFilter,
  type TrackerFilter,
} from './action-items.ts';
import { BREACH_REFERENCE_MAX, parseAwareness, type AwarenessSpec } from './breach.ts';
import {
  NOTIFICATION_STEPS,
  NOTIFICATION_USAGE,
  parseNotificationCommand,
  type NotificationCommand,
} from './breach-notification.ts';
import { obligationWord, type ObligationWord } from './breach-obligations.ts';
import { parseFreezeCommand, type FreezeCommand } from './freeze.ts';
import { DRILL_NEAR_MISS, DRILL_WORD } from './drill.ts';
import { parseHazardCommand, parseSignoffNote, type HazardCommand } from './clinical-safety.ts';
import { SERVICE_WORDS_MAX, type ServiceWords } from './declared-service.ts';
import { isOptionWord, quotedValue, withoutQuotes } from './quoted.ts';

/** Statuses a person may set with `/incident status` (resolve has its own command too). */
export type SettableStatus = Extract<IncidentStatus, 'INVESTIGATING' | 'IDENTIFIED' | 'MONITORING' | 'RESOLVED'>;

/** What `/incident <text>` asks for. */
export type IncidentCommand =
  | { kind: 'open-declare-modal' }
  | { kind: 'help' }
  /** `breachAware`: a typed awareness time, placed in the declarer's zone when it is declared. */
  /**
   * `serviceWords`: the words after an unquoted one-word `--service=` (they are the title's too),
   * which the declare use case may join to the service when the catalog names it so.
   */
  | { kind: 'declare'; declaration: DeclarationInput; breachAware?: AwarenessSpec; serviceWords?: ServiceWords }
  | { kind: 'status'; status: SettableStatus; message: string | null }
  | { kind: 'update'; message: string }
  | { kind: 'severity'; severity: Severity; reason: string | null }
  | { kind: 'role'; role: RoleName; userId: string }
  | { kind: 'note'; text: string }
  | { kind: 'timeline' }
  | { kind: 'resolve'; summary: string | null }
  | { kind: 'close' }
  | { kind: 'reopen'; reason: string | null }
  | { kind: 'clinical'; on: boolean }
  | { kind: 'clinical-signoff'; note: string | null }
  | { kind: 'hazard'; command: HazardCommand }
  | { kind: 'breach-on'; aware: AwarenessSpec | null }
  /** `/incident breach draft|approve|withdraw|sent <recipient> …`: a breach notification (breach-notification.ts). */
  | NotificationCommand
  /** `reason` null: none given (refused with the usage, where the incident is known). */
  | { kind: 'breach-off'; reason: string | null }
  | { kind: 'breach-notified'; reference: string | null; obligation: ObligationWord | null }
  | { kind: 'breach-assess' }
  | { kind: 'oncall'; query: string | null }
  | {
      kind: 'page';
      target: { kind: 'service'; query: string } | { kind: 'user'; slackUserId: string };
      message: string | null;
    }
  | { kind: 'resolve-pagerduty' }
  | { kind: 'review' }
  | { kind: 'evidence' }
  | { kind: 'action-add'; request: ActionAddRequest }
  /** `tracker`: only the items living there (in:github, in:jira, in:slack, pending); absent: wherever. */
  | { kind: 'actions'; filter: ActionFilter; tracker?: TrackerFilter }
  /** `/incident action done ACT-12`, `/incident action reopen ACT-12` (anywhere). */
  | { kind: 'action-done'; number: number }
  | { kind: 'action-reopen'; number: number }
  | { kind: 'guardrails'; periodDays: number }
  | { kind: 'load'; query: string | null; periodDays: number }
  /** `/incident allowances [month] [schedule or team]`: month null = the last full month. */
  | { kind: 'allowances'; month: MonthWord | null; query: string | null }
  | FreezeCommand
  /** `/incident service <name>`: a catalog service's owner, on-call, incidents, action items and changes. */
  | { kind: 'service'; name: string };

/** Commands that act on the incident whose channel they are typed in. */
export type InChannelCommand = Exclude<
  IncidentCommand,
  {
    kind:
      | 'open-declare-modal'
      | 'help'
      | 'declare'
      | 'oncall'
      | 'review'
      | 'actions'
      | 'action-done'
      | 'action-reopen'
      | 'guardrails'
      | 'load'
      | 'allowances'
      | 'service'
      | 'breach-assess';
  }
>;

/** Default period of `/incident guardrails`. */
export const GUARDRAIL_PERIOD_DAYS = 90;
/** Default period of `/incident load`. */
export const LOAD_PERIOD_DAYS = 30;

const ROLE_WORDS: Record<string, RoleName> = {
  commander: 'COMMANDER',
  ic: 'COMMANDER',
  comms: 'COMMS',
  scribe: 'SCRIBE',
  ops: 'OPS',
  'clinical-safety': 'CLINICAL_SAFETY',
  cso: 'CLINICAL_SAFETY',
  dpo: 'DPO',
};
const STATUS_WORDS: Record<string, SettableStatus> = {
  investigating: 'INVESTIGATING',
  identified: 'IDENTIFIED',
  monitoring: 'MONITORING',
  resolved: 'RESOLVED',
};
/** Free text after a command word: at most this long (Slack messages stay readable). */
export const MESSAGE_MAX = 3000;
/** A service name, title or reference typed after `/incident service`: at most this long. */
export const SERVICE_QUERY_MAX = 200;

export const SUBCOMMANDS: { usage: string; summary: string }[] = [
  { usage: '/incident', summary: 'Open the form to declare an incident.' },
  {
    usage:
      '/incident declare <sev1-4> <title> [--private] [--clinical] [--breach [--aware=YYYY-MM-DDTHH:MM]] [--service=<name>]',
    summary:
      'Declare at once, e.g. `/incident declare sev2 Payments API returning 500s`. `--breach`: a personal data breach (72-hour regulator clock).',
  },
  {
    usage: '/incident declare near-miss <title> [--private] [--clinical] [--service=<name>]',
    summary: 'Record a near miss: it gets a channel and a review, and nobody is paged.',
  },
  {
    usage: '/incident declare drill <sev1-4> <title> [--private] [--clinical] [--breach] [--service=<name>]',
    summary:
      'Declare an exercise: the full flow, marked as an exercise everywhere, left out of metrics and on-call load, kept in evidence packs.',
  },
  {
    usage: '/incident status <investigating|identified|monitoring|resolved> [message]',
    summary: 'Move the incident on (in its channel).',
  },
  {
    usage: '/incident update <message>',
    summary: 'Post a status update here and, unless private, in the broadcast channel.',
  },
  { usage: '/incident sev <1-4> [reason]', summary: 'Change severity (commander only).' },
  {
    usage: '/incident role <commander|comms|scribe|ops|clinical-safety|dpo> @user',
    summary: 'Assign a role (`dpo`: the data protection officer, who may approve breach notifications).',
  },
  { usage: '/incident note <text>', summary: 'Add a note to the timeline (anyone in the channel).' },
  { usage: '/incident timeline', summary: 'Show the timeline and key durations in your time zone.' },
  { usage: '/incident resolve [summary]', summary: 'Resolve the incident (commander only).' },
  { usage: '/incident close', summary: 'Close a resolved incident (commander only).' },
  { usage: '/incident reopen [reason]', summary: 'Reopen a resolved or closed incident (commander only).' },
  {
    usage: '/incident clinical <on|off>',
    summary: 'Mark clinical impact (needs a clinical safety officer and their sign-off to resolve).',
  },
  {
    usage: '/incident clinical signoff [note]',
    summary: "The clinical safety officer's sign-off of the incident's clinical safety (only the role's holder).",
  },
  {
    usage: '/incident hazard <add|update|remove> <HAZ-ID> [title] [before:<likelihood>/<severity>] [after:…]',
    summary: 'Link a hazard-log entry with its risk before and after (commander or clinical safety officer).',
  },
  {
    usage:
      '/incident breach <on [--aware=YYYY-MM-DDTHH:MM]|assess|off <reason>|notified [ico|individuals|hhs|hhs-log|media|dspt] [reference]>',
    summary:
      "A personal data breach: starts the regulators' clocks (anyone); `assess` opens the assessment (the decision: commander or DPO); `notified` records a notification made (commander or DPO).",
  },
  {
    usage: NOTIFICATION_USAGE,
    summary:
      'Breach notifications: `draft` one for a recipient the regimes require (anyone); `approve` it, `withdraw` it with a reason, record it `sent` (the commander or the data protection officer).',
  },
  {
    usage: '/incident page <service> [-- message]  or  /incident page @user [message]',
    summary: 'Page a PagerDuty service or person, linked to this incident.',
  },
  { usage: '/incident oncall [service or schedule]', summary: 'Who is on call now and next in PagerDuty (anywhere).' },
  {
    usage: '/incident freeze [on <service|all> <reason> | off [<service|all>] | override <service> <reason>]',
    summary:
      'Change freezes from this incident: alone, what it freezes; `on`/`off` freeze or unfreeze a service or all (commander); `override` lets one deployment through (commander). Pipelines ask `GET /api/freeze`.',
  },
  { usage: '/incident review', summary: 'Post the post-incident review here and open the form to fill it in.' },
  {
    usage: '/incident evidence',
    summary:
      "The incident's record and audit trail as JSON and Markdown files, sent to you privately (in its channel).",
  },
  {
    usage: '/incident action add <what to do> [@owner] [due:YYYY-MM-DD] [category] [priority:high|medium|low]',
    summary: 'Add an action item to this incident (owner defaults to you, due date to 30 days).',
  },
  {
    usage: '/incident action done ACT-12  or  /incident action reopen ACT-12',
    summary:
      'Mark an action item done, or open a done one again (its owner, whoever added it, or the commander; anywhere).',
  },
  {
    usage: '/incident actions [mine|team|overdue|all] [in:github|in:jira|in:slack|pending]',
    summary:
      'The action item backlog, with buttons to complete, reassign, snooze or reopen (anywhere); optionally only the items in GitHub, in Jira, only in Slack, or whose tracker issue is being created.',
  },
  {
    usage: '/incident guardrails [90d]',
    summary: 'Contributing factors, recurring services and the state of the backlog (anywhere).',
  },
  {
    usage: '/incident load [schedule or team] [30d]',
    summary:
      'On-call load per responder from PagerDuty: hours, pages, nights, incidents; charts and CSV by direct message.',
  },
  {
    usage: '/incident allowances [month] [schedule or team]',
    summary:
      'On-call allowances for a month (the last full month unless named, e.g. `2026-11` or `november`): standby, callouts and time off per person; leads get every row and a payroll CSV by direct message, everyone else their own row.',
  },
  {
    usage: '/incident service <name>',
    summary:
      'A service from the catalog: its owner, criticality, runbooks, who is on call, its incidents, open action items and latest changes (anywhere).',
  },
  { usage: '/incident help', summary: 'Show this list.' },
];

export const DECLARE_USAGE =
  'Write it as `/incident declare <sev1-4> <title> [--private] [--clinical] [--breach [--aware=YYYY-MM-DDTHH:MM]] [--service=<name>]`, ' +
  'e.g. `/incident declare sev2 Payments API returning 500s`, or type `/incident` alone to use the form.';

export function helpText(): string {
  return ['*Incident bot commands*', ...SUBCOMMANDS.map((s) => `• \`${s.usage}\`: ${s.summary}`)].join('\n');
}

/** Parses the text after `/incident`. Throws AppError with a message fit for the user. */
export function parseIncidentCommand(text: string): IncidentCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub, ...rest] = words;
  /** The text after the first `n` words, as typed (line breaks kept). */
  const after = (n: number) => freeText(textAfter(text, n));
  if (!sub) return { kind: 'open-declare-modal' };
  switch (sub.toLowerCase()) {
    case 'help':
      return { kind: 'help' };
    case 'declare':
      return parseDeclare(rest);
    case 'status': {
      const status = STATUS_WORDS[(rest[0] ?? '').toLowerCase()];
      if (!status) throw usage('status', '<investigating|identified|monitoring|resolved> [message]', rest[0]);
      return { kind: 'status', status, message: after(2) };
    }
    case 'update': {
      const message = after(1);
      if (!message) throw usage('update', '<message>');
      return { kind: 'update', message };
    }
    case 'sev':
    case 'severity': {
      const severity = parseSeverity(rest[0] ?? '');
      if (!severity) throw usage('sev', '<1-4> [reason]', rest[0]);
      return { kind: 'severity', severity, reason: after(2) };
    }
    case 'role': {
      const role = ROLE_WORDS[(rest[0] ?? '').toLowerCase()];
      const userId = mentionedUser(rest[1]);
      if (!role || !userId || rest.length > 2) {
        throw usage(
          'role',
          '<commander|comms|scribe|ops|clinical-safety|dpo> @user',
          rest[0],
          'Mention the person with @ so Slack links them.',
        );
      }
      return { kind: 'role', role, userId };
    }
    case 'note': {
      const text = after(1);
      if (!text) throw usage('note', '<text>');
      return { kind: 'note', text };
    }
    case 'timeline':
      return { kind: 'timeline' };
    case 'oncall':
      return { kind: 'oncall', query: after(1) };
    case 'page': {
      const first = rest[0] ?? '';
      const mention = mentionedUser(first);
      if (mention) return { kind: 'page', target: { kind: 'user', slackUserId: mention }, message: after(2) };
      // Service names may have spaces, so a message follows ` -- `: `page EHR API -- wards cannot log in`.
      const query = after(1);
      if (!query) throw usage('page', '<service> [-- message]` or `/incident page @user [message]');
      const [service, ...msg] = query.split(/\s+--\s+/);
      return {
        kind: 'page',
        target: { kind: 'service', query: service!.trim() },
        message: msg.join(' -- ').trim() || null,
      };
    }
    case 'resolve':
      return { kind: 'resolve', summary: after(1) };
    case 'close':
      return { kind: 'close' };
    case 'reopen':
      return { kind: 'reopen', reason: after(1) };
    case 'review':
      if (rest.length) throw usage('review', '', undefined, 'It takes nothing after it: the form opens for the rest.');
      return { kind: 'review' };
    case 'evidence':
      if (rest.length) throw usage('evidence', '', undefined, 'It takes nothing after it.');
      return { kind: 'evidence' };
    case 'action': {
      const verb = (rest[0] ?? '').toLowerCase();
      if (verb === 'done' || verb === 'reopen') {
        if (rest.length !== 2) throw usage('action', `${verb} ACT-12`, rest[2], 'Name one action item.');
        return { kind: verb === 'done' ? 'action-done' : 'action-reopen', number: parseActionRef(rest[1]) };
      }
      if (verb !== 'add') {
        throw usage(
          'action',
          'add <what to do> [@owner] [due:YYYY-MM-DD] [category] [priority:high|medium|low]',
          rest[0],
          'Or `/incident action done ACT-12`, `/incident action reopen ACT-12`.',
        );
      }
      return { kind: 'action-add', request: parseActionAdd(textAfter(text, 2)) };
    }
    case 'actions':
      if (rest.length > 2) throw usage('actions', '[mine|team|overdue|all] [in:github|in:jira|in:slack|pending]');
      return { kind: 'actions', ...parseActionsArgs(rest) };
    case 'guardrails':
      if (rest.length > 1) throw usage('guardrails', '[period, e.g. 90d]');
      return { kind: 'guardrails', periodDays: parsePeriod(rest[0], GUARDRAIL_PERIOD_DAYS) };
    case 'load': {
      // The period, if given, is the last word: `load Platform Primary 12w`.
      const last = rest.at(-1);
      const hasPeriod = last !== undefined && /^\d+[a-z]$/i.test(last);
      const periodDays = parsePeriod(hasPeriod ? last : undefined, LOAD_PERIOD_DAYS);
      const query = (hasPeriod ? rest.slice(0, -1) : rest).join(' ').trim();
      return { kind: 'load', query: query || null, periodDays };
    }
    case 'allowances': {
      // The month, if given, is the first word (or two: `november 2026`); the rest names the scope.
      const month = parseMonthWords(rest);
      const query = rest
        .slice(month?.words ?? 0)
        .join(' ')
        .trim();
      if (query.length > SERVICE_QUERY_MAX)
        throw new AppError(`That name is too long (at most ${SERVICE_QUERY_MAX} characters).`);
      return { kind: 'allowances', month: month?.month ?? null, query: query || null };
    }
    case 'service': {
      const name = after(1);
      if (!name) throw usage('service', '<name>', undefined, 'Give the service name from the catalog, e.g. `ehr-api`.');
      if (name.length > SERVICE_QUERY_MAX) {
        throw new AppError(`That service name is too long (at most ${SERVICE_QUERY_MAX} characters).`, 'invalid_input');
      }
      return { kind: 'service', name: name.replace(/\s+/g, ' ') };
    }
    case 'hazard':
    case 'hazards':
      return { kind: 'hazard', command: parseHazardCommand(rest) };
    case 'clinical': {
      const word = (rest[0] ?? '').toLowerCase();
      if (word === 'signoff' || word === 'sign-off')
        return { kind: 'clinical-signoff', note: parseSignoffNote(textAfter(text, 2)) };
      if (word !== 'on' && word !== 'off') throw usage('clinical', '<on|off|signoff [note]>', rest[0]);
      return { kind: 'clinical', on: word === 'on' };
    }
    case 'breach':
      return parseBreach(rest, text);
    case 'freeze':
      return parseFreezeCommand(rest, (n) => textAfter(text, n + 1));
    default:
      throw new AppError(
        `I don't know \`/incident ${sub}\`. These are the commands:\n${SUBCOMMANDS.map((s) => `• \`${s.usage}\``).join('\n')}`,
        'unknown_subcommand',
      );
  }
}

/** The text after the first `n` words, as typed (line breaks kept). */
function textAfter(text: string, n: number): string {
  let remainder = text.trim();
  for (let i = 0; i < n; i++) remainder = remainder.replace(/^\S+\s*/, '');
  return remainder;
}

/** The user ID in a Slack mention as a command receives it (`<@U123|name>` or `<@U123>`). */
function mentionedUser(word: string | undefined): string | undefined {
  return /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word ?? '')?.[1];
}

/** A month as typed: `2026-11` (year given), `november` / `nov` (year null: the latest such month begun), `november 2026`. */
export interface MonthWord {
  year: number | null;
  /** 1-12. */
  month: number;
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthOfName(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  const i = MONTH_NAMES.findIndex((m) => m === w || (m.startsWith(w) && (w.length === 3 || w === 'sept')));
  return i < 0 ? null : i + 1;
}

/** The month at the start of `words` and how many words it took; null when the first word is not a month. */
export function parseMonthWords(words: readonly string[]): { month: MonthWord; words: number } | null {
  const first = words[0];
  if (!first) return null;
  const iso = /^(\d{4})-(\d{1,2})$/.exec(first);
  if (iso) {
    const year = Number(iso[1]);
    const month = Number(iso[2]);
    if (month < 1 || month > 12 || year < 1970 || year > 9998)
      throw new AppError(
        `\`${first}\` is not a month: write it as YYYY-MM, e.g. \`/incident allowances 2026-11\`, or a month's name.`,
        'invalid_input',
      );
    return { month: { year, month }, words: 1 };
  }
  const month = monthOfName(first);
  if (month === null) return null;
  const second = words[1];
  if (second && /^\d{4}$/.test(second)) {
    const year = Number(second);
    if (year < 1970 || year > 9998) throw new AppError(`\`${second}\` is not a year I can report on.`, 'invalid_input');
    return { month: { year, month }, words: 2 };
  }
  return { month: { year: null, month }, words: 1 };
}

function usage(sub: string, args: string, got?: string, hint = ''): AppError {
  const what = got ? `\`${got}\` is not right here. ` : '';
  return new AppError(`${what}Write it as \`/incident ${sub} ${args}\`.${hint ? ` ${hint}` : ''}`, 'invalid_input');
}

function freeText(raw: string): string | null {
  const text = raw.trim();
  if (text.length > MESSAGE_MAX) throw new AppError(`That text is too long (at most ${MESSAGE_MAX} characters).`);
  return text || null;
}

const BREACH_USAGE =
  'on [--aware=YYYY-MM-DDTHH:MM]|assess|off <reason>|notified [ico|individuals|hhs|hhs-log|media|dspt] [reference]';

function parseBreach(rest: string[], text: string): IncidentCommand {
  const word = (rest[0] ?? '').toLowerCase();
  switch (word) {
    case 'on': {
      let aware: AwarenessSpec | null = null;
      for (const w of rest.slice(1)) {
        const flag = w.toLowerCase();
        if (flag.startsWith('--aware=')) aware = parseAwareness(w.slice('--aware='.length));
        else throw usage('breach', BREACH_USAGE, w, 'After `on`, only `--aware=<when you became aware>` may follow.');
      }
      return { kind: 'breach-on', aware };
    }
    case 'off':
      return { kind: 'breach-off', reason: freeText(textAfter(text, 2)) };
    case 'assess':
      if (rest.length > 1) throw usage('breach', BREACH_USAGE, rest[1], 'Nothing follows `assess`: it opens the form.');
      return { kind: 'breach-assess' };
    case 'notified': {
      const obligation = obligationWord(rest[1] ?? '');
      const reference = freeText(textAfter(text, obligation ? 3 : 2));
      if (reference && reference.length > BREACH_REFERENCE_MAX) {
        throw new AppError(
          `The reference is too long (at most ${BREACH_REFERENCE_MAX} characters): give the regulator's case number or a link.`,
        );
      }
      return { kind: 'breach-notified', reference, obligation };
    }
    default: {
      const step = NOTIFICATION_STEPS.find((s) => s === word);
      if (step) return parseNotificationCommand(step, rest.slice(1), (n) => textAfter(text, n + 2));
      throw usage('breach', BREACH_USAGE, rest[0]);
    }
  }
}

const DRILL_USAGE =
  'Write it as `/incident declare drill <sev1-4> <title>` (the same options as a declaration), e.g. `/incident declare drill sev2 Tabletop: EHR API down`.';

function parseDeclare(all: string[]): Extract<IncidentCommand, { kind: 'declare' }> {
  // `drill` before the severity declares an exercise (domain/drill.ts): one form only.
  const drill = all[0]?.toLowerCase() === DRILL_WORD;
  const words = drill ? all.slice(1) : all;
  const [sevWord, ...rest] = words;
  if (!sevWord)
    throw new AppError(
      drill
        ? `Say how severe the exercise is and what it rehearses. ${DRILL_USAGE}`
        : `Say how severe it is and what is broken. ${DECLARE_USAGE}`,
    );
  // A near miss has no severity of its own: it is recorded as the lowest.
  const nearMiss = /^near[-_]?miss$/i.test(sevWord);
  if (drill && nearMiss) throw new AppError(DRILL_NEAR_MISS);
  if (drill && sevWord.toLowerCase() === DRILL_WORD) throw new AppError(`Say \`drill\` once. ${DRILL_USAGE}`);
  const severity = nearMiss ? 'SEV4' : parseSeverity(sevWord);
  if (!severity) {
    throw new AppError(
      drill
        ? `\`${sevWord}\` is not a severity: after \`drill\`, use sev1, sev2, sev3 or sev4. ${DRILL_USAGE}`
        : `\`${sevWord}\` is not a severity: use sev1, sev2, sev3, sev4 or near-miss (or \`drill\` first for an exercise). ${DECLARE_USAGE}`,
    );
  }
  let isPrivate = false;
  let clinicalImpact = false;
  let affectedService: string | null = null;
  let dataBreach = false;
  let breachAware: AwarenessSpec | undefined;
  let serviceWords: ServiceWords | undefined;
  const titleWords: string[] = [];
  // Options count wherever they stand: `--private` at the end of a title must not leave a private
  // incident public. Any word starting with -- is an option, whatever quotes surround it (it is
  // never swallowed by a quoted service); one not known is refused rather than guessed at.
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (!isOptionWord(w)) {
      titleWords.push(w);
      continue;
    }
    const flag = withoutQuotes(w).toLowerCase();
    const raw = w.toLowerCase();
    if (flag === '--private') {
      isPrivate = true;
    } else if (flag === '--clinical') {
      clinicalImpact = true;
    } else if (flag === '--breach') {
      dataBreach = true;
    } else if (raw.startsWith('--aware=')) {
      // An awareness time says it is a breach: it is never dropped.
      dataBreach = true;
      breachAware = parseAwareness(w.slice('--aware='.length));
    } else if (raw.startsWith('--service=') || raw === '--service') {
      // `--service=ehr-api`: one word, or quoted (`--service="EHR API"`). An unquoted word's
      // following words stay the title's; the use case may join them to it by the catalog.
      const first = raw === '--service' ? rest[i + 1] : w.slice('--service='.length);
      if (raw === '--service') {
        if (first === undefined) throw new AppError(`Give the service's name after \`--service\`. ${DECLARE_USAGE}`);
        i++;
      }
      if (first && isOptionWord(first)) {
        throw new AppError(
          `\`${withoutQuotes(first).slice(0, 40)}\` is an option, not a service: give the service's name after \`--service=\`. ${DECLARE_USAGE}`,
        );
      }
      const quoted = quotedValue([first!, ...rest.slice(i + 1)]);
      if (quoted) {
        i += quoted.words - 1;
        affectedService = quoted.value;
        serviceWords = undefined;
      } else {
        affectedService = first!;
        const following: string[] = [];
        for (let j = i + 1; j < rest.length && !isOptionWord(rest[j]!) && following.length < SERVICE_WORDS_MAX; j++)
          following.push(rest[j]!);
        serviceWords = following.length ? { following, at: titleWords.length } : undefined;
      }
      if (!affectedService) throw new AppError(`Give the service's name after \`--service=\`. ${DECLARE_USAGE}`);
    } else if (flag === '--drill') {
      throw new AppError(`An exercise is declared with \`drill\` before the severity, not \`--drill\`. ${DRILL_USAGE}`);
    } else {
      throw new AppError(`\`${w}\` is not an option of declare. ${DECLARE_USAGE}`);
    }
  }
  const declaration: DeclarationInput = {
    severity,
    title: titleWords.join(' '),
    isPrivate,
    clinicalImpact,
    affectedService,
    nearMiss,
  };
  if (drill) declaration.drill = true;
  if (dataBreach) declaration.dataBreach = true;
  return {
    kind: 'declare',
    declaration,
    ...(breachAware ? { breachAware } : {}),
    ...(serviceWords && affectedService ? { serviceWords } : {}),
  };
}
