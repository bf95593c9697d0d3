// Working hours of a team, written the way people say them (`Mon-Fri 09:00-17:30`), applied in each
// responder's own time zone by the on-call load report.

import { AppError } from './errors.ts';

/** Working hours in the responder's own time zone: which ISO weekdays (1 = Monday … 7 = Sunday) and the local start/end minute of the day. */
export interface WorkingHours {
  days: readonly number[];
  /** Minutes after local midnight, 0 … 1439. */
  startMinute: number;
  /** Minutes after local midnight, after startMinute, at most 1440 (`24:00`). Working time is [start, end). */
  endMinute: number;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze({
  days: Object.freeze([1, 2, 3, 4, 5]),
  startMinute: 9 * 60,
  endMinute: 17 * 60 + 30,
});

const EXAMPLE = '`Mon-Fri 09:00-17:30` or `Mon,Wed,Fri 08:00-16:00`';

/** ISO weekday of a day name (`Mon` or `Monday`, any case); null when it is not one. */
function dayNumber(word: string): number | null {
  const w = word.trim().toLowerCase();
  const short = DAY_NAMES.findIndex((d) => d.toLowerCase() === w);
  if (short >= 0) return short + 1;
  const full = FULL_DAY_NAMES.indexOf(w);
  return full >= 0 ? full + 1 : null;
}

/** `09:00` → 540; `24:00` only when allowed (an end). Null when it is not a time. */
function minuteOfDay(word: string, allow24: boolean): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(word.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0 && allow24) return 1440;
  if (h > 23) return null;
  return h * 60 + min;
}

/**
 * Parses `Mon-Fri 09:00-17:30`, `Mon,Wed,Fri 08:00-16:00`, `Mon-Sun 07:00-19:00`, `Mon-Wed,Fri 09:00-17:00`.
 * Day names are Mon … Sun (or in full), any case; a range goes forwards within the week (`Sat-Mon` is
 * refused: write `Mon,Sat,Sun`). Times are 24-hour `HH:MM`; the end may be `24:00` and must be after
 * the start (working hours do not cross midnight). Throws AppError naming the bad part.
 */
export function parseWorkingHours(text: string): WorkingHours {
  const input = text.trim();
  const m = /^(\S+)\s+(\S+)$/.exec(input);
  if (!m) {
    throw new AppError(`\`${input}\` is not working hours: write the days, a space, then the times, e.g. ${EXAMPLE}.`);
  }
  const daysPart = m[1]!;
  const timesPart = m[2]!;

  const days = new Set<number>();
  for (const item of daysPart.split(',')) {
    if (item === '') throw new AppError(`\`${daysPart}\` has an empty day between commas: write e.g. \`Mon,Wed,Fri\`.`);
    const range = item.split('-');
    if (range.length > 2) {
      throw new AppError(`\`${item}\` is not a day or a range of days: write e.g. \`Mon-Fri\` or \`Mon,Wed,Fri\`.`);
    }
    const first = dayNumber(range[0]!);
    const last = range.length === 2 ? dayNumber(range[1]!) : first;
    if (first === null || last === null) {
      const bad = first === null ? range[0]! : range[1]!;
      throw new AppError(`\`${bad || item}\` is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun, e.g. ${EXAMPLE}.`);
    }
    if (last < first) {
      throw new AppError(
        `\`${item}\` goes backwards through the week: a range runs Monday to Sunday, so list the days instead, e.g. \`Mon,Sat,Sun\`.`,
      );
    }
    for (let d = first; d <= last; d++) days.add(d);
  }

  const times = timesPart.split('-');
  if (times.length !== 2) {
    throw new AppError(
      `\`${timesPart}\` is not a time range: write start and end as \`HH:MM-HH:MM\`, e.g. \`09:00-17:30\`.`,
    );
  }
  const startMinute = minuteOfDay(times[0]!, false);
  if (startMinute === null) {
    throw new AppError(
      `\`${times[0]}\` is not a start time: write 24-hour \`HH:MM\` from 00:00 to 23:59, e.g. \`09:00\`.`,
    );
  }
  const endMinute = minuteOfDay(times[1]!, true);
  if (endMinute === null) {
    throw new AppError(`\`${times[1]}\` is not an end time: write 24-hour \`HH:MM\` up to 24:00, e.g. \`17:30\`.`);
  }
  if (endMinute <= startMinute) {
    throw new AppError(
      `\`${timesPart}\`: the end must be after the start (working hours cannot cross midnight), e.g. \`09:00-17:30\`.`,
    );
  }
  return { days: [...days].sort((a, b) => a - b), startMinute, endMinute };
}

/** The key a team's name is stored under in a map from parseTeamWorkingHours: trimmed, lower case. */
export function teamKey(team: string): string {
  return team.trim().toLowerCase();
}

/**
 * `Platform=Mon-Fri 08:00-16:00; Pharmacy=Mon-Sun 07:00-19:00` → team → working hours. Keys are
 * teamKey(name) (trimmed, lower case) so that lookups are case-insensitive: use
 * teamWorkingHours(map, name). Empty text (or only `;`) → empty map. AppError naming the team on a
 * bad entry, a missing `=`, an empty team name or a team given twice.
 */
export function parseTeamWorkingHours(text: string): Map<string, WorkingHours> {
  const result = new Map<string, WorkingHours>();
  for (const raw of text.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      throw new AppError(
        `\`${entry}\` is not team working hours: write \`Team=days times\` separated by \`;\`, e.g. \`Platform=Mon-Fri 08:00-16:00; Pharmacy=Mon-Sun 07:00-19:00\`.`,
      );
    }
    const team = entry.slice(0, eq).trim();
    if (team === '') {
      throw new AppError(`\`${entry}\` has no team name before \`=\`: write e.g. \`Platform=Mon-Fri 08:00-16:00\`.`);
    }
    const key = teamKey(team);
    if (result.has(key)) throw new AppError(`Working hours for team *${team}* are given twice: give them once.`);
    try {
      result.set(key, parseWorkingHours(entry.slice(eq + 1)));
    } catch (e) {
      if (e instanceof AppError) throw new AppError(`Working hours for team *${team}*: ${e.userMessage}`, e.code);
      throw e;
    }
  }
  return result;
}

/** The working hours of a team (case-insensitive) from parseTeamWorkingHours, else the fallback. */
export function teamWorkingHours(
  map: ReadonlyMap<string, WorkingHours>,
  team: string,
  fallback: WorkingHours = DEFAULT_WORKING_HOURS,
): WorkingHours {
  return map.get(teamKey(team)) ?? fallback;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Back to `Mon-Fri 09:00-17:30` form (runs of three or more days as a range, else listed); parseWorkingHours reads it back. */
export function formatWorkingHours(w: WorkingHours): string {
  const days = [...new Set(w.days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    const name = (d: number) => DAY_NAMES[d - 1]!;
    if (j - i >= 2) parts.push(`${name(days[i]!)}-${name(days[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(name(days[k]!));
    i = j + 1;
  }
  return `${parts.join(',')} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)}`;
}
