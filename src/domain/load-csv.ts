// The on-call load report as CSV, for leads who want it in a spreadsheet.

import type { LoadChange, LoadDelta, LoadReport, ResponderLoad } from './on-call-load.ts';

const HEADER = [
  'Responder',
  'Time zone',
  'On-call hours',
  'Pages',
  'Out-of-hours pages',
  'Night pages',
  'Nights interrupted',
  'Incidents worked',
  'Roles held',
  'Incident hours',
  'Load',
];
const CHANGE_HEADER = ['Pages change', 'Out-of-hours pages change', 'Night pages change', 'On-call hours change'];

/**
 * Up to `decimals` decimals (one by default; halves away from zero), no trailing zeros, no `-0`:
 * 12 → `12`, 12.345 → `12.3`, -2.25 → `-2.3`, -0.04 → `0`; with two, 12.345 → `12.35`.
 */
export function csvNumber(n: number, decimals = 1): string {
  const scale = 10 ** decimals;
  const r = (Math.sign(n) * Math.round(Math.abs(n) * scale)) / scale; // half away from zero, symmetric
  return r === 0 ? '0' : String(r);
}

/**
 * One text field: a leading = + - @ (or tab or carriage return) gets a `'` in front so that a
 * spreadsheet does not run it as a formula; then quoted (inner quotes doubled) when it holds a
 * comma, quote, CR or LF.
 */
export function csvText(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

/** `commander:2 scribe:1`: role names lower case, alphabetical; roles held in no incident left out. */
function rolesText(roles: Record<string, number>): string {
  const counts = new Map<string, number>();
  for (const [role, n] of Object.entries(roles)) {
    const key = role.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + n);
  }
  return [...counts]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([role, n]) => `${role}:${n}`)
    .join(' ');
}

function changeFields(d: LoadDelta | undefined): string[] {
  if (!d) return ['', '', '', ''];
  return [d.pages, d.outOfHoursPages, d.nightPages, d.onCallHours].map((n) => csvNumber(n));
}

/**
 * RFC 4180 CSV of the report (CRLF line ends, including after the last row; quoted where needed; numbers with up to one
 * decimal; a header row): one row per responder in the report's order, then a TOTAL row (its roles
 * held and load are summed over responders; incidents worked counts distinct incidents). With
 * `change`, four more columns: pages, out-of-hours pages, night pages and on-call hours, current
 * minus previous period. Numbers are written as plain numbers (a negative change stays `-3`); text
 * fields starting with = + - @ get a `'` to defuse spreadsheet formulas.
 */
export function loadReportCsv(report: LoadReport, change?: LoadChange | null): string {
  const rows: string[][] = [change ? [...HEADER, ...CHANGE_HEADER] : HEADER];
  const row = (
    r: Pick<ResponderLoad, Exclude<keyof ResponderLoad, 'personId' | 'name' | 'timeZone'>>,
    name: string,
    zone: string,
  ) => [
    csvText(name),
    csvText(zone),
    csvNumber(r.onCallHours),
    csvNumber(r.pages),
    csvNumber(r.outOfHoursPages),
    csvNumber(r.nightPages),
    csvNumber(r.nightsInterrupted),
    csvNumber(r.incidentsWorked),
    csvText(rolesText(r.rolesHeld)),
    csvNumber(r.incidentHours),
    csvNumber(r.load),
  ];
  const roles: Record<string, number> = {};
  let load = 0;
  for (const r of report.responders) {
    rows.push([
      ...row(r, r.name, r.timeZone),
      ...(change ? changeFields(change.responders.get(r.personId)?.delta) : []),
    ]);
    for (const [role, n] of Object.entries(r.rolesHeld)) roles[role] = (roles[role] ?? 0) + n;
    load += r.load;
  }
  rows.push([
    ...row({ ...report.totals, rolesHeld: roles, load }, 'TOTAL', ''),
    ...(change ? changeFields(change.totals) : []),
  ]);
  return rows.map((r) => `${r.join(',')}\r\n`).join('');
}
