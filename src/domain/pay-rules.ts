// The on-call pay rules file (`ONCALL_PAY_RULES`, YAML): what a person is owed for standby, for being
// called out and in time off after an interrupted night. Parsed here and checked with zod; a bad
// file is one line naming the place in the file and what is wrong, e.g.
// `teams.platform.standby.weekday must be a non-negative amount`. docs/on-call-allowances.md has
// the full description. The shape:
//
//   currency: GBP                 # ISO 4217; amounts below are in its major unit (pounds)
//   rounding: nearest-penny       # nearest-penny | up-to-penny | nearest-pound (penny/pound: the
//                                 # currency's minor/major unit), applied to each line of a breakdown
//   region: england-and-wales     # public holidays: england-and-wales | scotland | northern-ireland
//                                 # | a country code (ISO 3166), optionally with a state: US, DE-BY
//   companyHolidays: [2027-12-24] # extra days paid as public holidays (YYYY-MM-DD)
//   defaults:                     # every section is optional; a missing one pays nothing
//     standby:
//       per: shift                # shift | hour
//       minimumHours: 12          # per shift only: a shift (up to a day from its handover) this long at least
//       weekday: 25.00
//       weekend: 40.00
//       publicHoliday: 60.00
//     callout:
//       per: page                 # page (each out-of-hours page) | incident (each incident worked)
//       amount: 30.00
//       minimumMinutes: 30        # per incident only: worked at least this long
//     timeOffInLieu:
//       hoursPerInterruptedNight: 2
//   teams:                        # by team name (case-insensitive, like the load report's scopes)
//     Platform:
//       standby: { per: hour, weekday: 1.50, weekend: 2.50, publicHoliday: 3.00 }
//   schedules:                    # by schedule name (a schedule's report: its rules, else the defaults)
//     Pharmacy primary:
//       callout: { per: incident, amount: 50, minimumMinutes: 15 }
//
// An override replaces whole sections: a team that gives `standby` gets exactly that standby and the
// defaults' callout and time off. Money is kept in integer minor units (pence) from here on.

import Holidays from 'date-holidays';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { teamKey } from './working-hours.ts';

export const ROUNDING_RULES = ['nearest-penny', 'up-to-penny', 'nearest-pound'] as const;
export type RoundingRule = (typeof ROUNDING_RULES)[number];

/** The three kinds of day, decided on the responder's local calendar date. */
export const DAY_KINDS = ['weekday', 'weekend', 'publicHoliday'] as const;
export type DayKind = (typeof DAY_KINDS)[number];

export type StandbyRule =
  | { per: 'shift'; minimumHours: number; rates: Record<DayKind, number> }
  | { per: 'hour'; rates: Record<DayKind, number> };

export type CalloutRule = { per: 'page'; amount: number } | { per: 'incident'; amount: number; minimumMinutes: number };

/** One set of rules, amounts in minor units. A missing section pays (or earns) nothing. */
export interface PayRuleSet {
  standby: StandbyRule | null;
  callout: CalloutRule | null;
  timeOffInLieu: { hoursPerInterruptedNight: number } | null;
}

export type HolidayRegion = { country: string; state: string | null; name: string };

export interface PayRules {
  currency: string;
  /** Digits of the minor unit (GBP 2, JPY 0). */
  minorDigits: number;
  rounding: RoundingRule;
  region: HolidayRegion;
  /** YYYY-MM-DD. */
  companyHolidays: readonly string[];
  defaults: PayRuleSet;
  /** By teamKey(name). */
  teams: ReadonlyMap<string, PayRuleSet>;
  /** By teamKey(name). */
  schedules: ReadonlyMap<string, PayRuleSet>;
}

/** The named regions people say; anything else is a country code with an optional state. */
const NAMED_REGIONS: Record<string, { country: string; state: string }> = {
  // England and Wales share their bank holidays; date-holidays keeps them as GB-ENG and GB-WLS.
  'england-and-wales': { country: 'GB', state: 'ENG' },
  scotland: { country: 'GB', state: 'SCT' },
  'northern-ireland': { country: 'GB', state: 'NIR' },
};

// ---------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------

const AMOUNT = 'must be a non-negative amount, e.g. 25.00';
/** An amount as written: a number, or a decimal in quotes. Converted to minor units once the currency is known. */
const amount = z
  .union([z.number(), z.string()], { error: AMOUNT })
  .refine((v) => (typeof v === 'number' ? Number.isFinite(v) && v >= 0 : /^\d+(\.\d+)?$/.test(v.trim())), {
    error: AMOUNT,
  });

const standby = z.discriminatedUnion(
  'per',
  [
    z.strictObject({
      per: z.literal('shift'),
      minimumHours: z
        .number({ error: 'must be a number of hours from 0 to 24' })
        .gt(0, { error: 'must be more than 0 hours' })
        .lte(24, { error: 'must be at most 24 hours' })
        .default(12),
      weekday: amount,
      weekend: amount,
      publicHoliday: amount,
    }),
    z.strictObject({ per: z.literal('hour'), weekday: amount, weekend: amount, publicHoliday: amount }),
  ],
  { error: 'must say `per: shift` or `per: hour`' },
);

const callout = z.discriminatedUnion(
  'per',
  [
    z.strictObject({ per: z.literal('page'), amount }),
    z.strictObject({
      per: z.literal('incident'),
      amount,
      minimumMinutes: z
        .number({ error: 'must be a whole number of minutes' })
        .int({ error: 'must be a whole number of minutes' })
        .nonnegative({ error: 'must be a whole number of minutes' })
        .default(0),
    }),
  ],
  { error: 'must say `per: page` or `per: incident`' },
);

const ruleSet = z.strictObject(
  {
    standby: standby.optional(),
    callout: callout.optional(),
    timeOffInLieu: z
      .strictObject({
        hoursPerInterruptedNight: z
          .number({ error: 'must be a non-negative number of hours' })
          .nonnegative({ error: 'must be a non-negative number of hours' })
          .lte(24, { error: 'must be at most 24 hours' }),
      })
      .optional(),
  },
  { error: 'must be a mapping of standby, callout and timeOffInLieu' },
);

const named = z.record(z.string().trim().min(1, { error: 'must not be empty' }), ruleSet, {
  error: 'must be a mapping from names to rules',
});

const isoDate = z.union([z.string(), z.date()], { error: 'must be a date written YYYY-MM-DD' }).transform((v, ctx) => {
  // YAML 1.1 readers turn dates into timestamps; the yaml package (1.2 core) keeps them as text.
  const text = typeof v === 'string' ? v.trim() : Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== text) {
    ctx.addIssue({ code: 'custom', message: 'must be a date written YYYY-MM-DD' });
    return z.NEVER;
  }
  return text;
});

const fileSchema = z.strictObject(
  {
    currency: z.string({ error: 'must be an ISO 4217 currency code, e.g. GBP' }),
    rounding: z.enum(ROUNDING_RULES, { error: `must be one of ${ROUNDING_RULES.join(', ')}` }).default('nearest-penny'),
    region: z.string({ error: 'must be a region, e.g. england-and-wales, scotland, US or DE-BY' }),
    companyHolidays: z.array(isoDate, { error: 'must be a list of dates written YYYY-MM-DD' }).default([]),
    defaults: ruleSet.default({}),
    teams: named.default({}),
    schedules: named.default({}),
  },
  { error: 'must be a mapping with currency, region and the rules' },
);

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** `teams.platform.standby.weekday`, `companyHolidays[2]`. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** The value at `path` in the parsed YAML (undefined when absent). */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The one line a zod issue becomes. */
function issueLine(issue: z.core.$ZodIssue, doc: unknown): string {
  const where = pathText(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (where ? `${where}.${k}` : k));
    return `${keys.join(', ')} ${keys.length === 1 ? 'is not a setting' : 'are not settings'} of the pay rules: see docs/on-call-allowances.md`;
  }
  if (where && valueAt(doc, issue.path) === undefined) return `${where} is missing`;
  return where ? `${where} ${issue.message}` : `the file ${issue.message}`;
}

function fail(line: string): never {
  throw new AppError(`ONCALL_PAY_RULES: ${line}.`);
}

/** Minor-unit digits of a currency Intl knows; null when `code` is not one. */
function minorDigitsOf(code: string): number | null {
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code)) return null;
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** An amount as written → integer minor units; fails naming `where` when it has more decimals than the currency. */
function toMinor(value: number | string, digits: number, currency: string, where: string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  // Numbers print as plain decimals unless tiny or huge; those are refused rather than guessed at.
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) fail(`${where} ${AMOUNT}`);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    fail(`${where} has more decimals than ${currency} has (${digits}): write e.g. ${(1.5).toFixed(digits)}`);
  }
  const minor = Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor) || minor > 1e12) fail(`${where} is too large an amount`);
  return minor;
}

type RuleSetInput = z.infer<typeof ruleSet>;

function convertRuleSet(input: RuleSetInput, digits: number, currency: string, where: string): PayRuleSet {
  const minor = (v: number | string, key: string) => toMinor(v, digits, currency, `${where}.${key}`);
  let standbyRule: StandbyRule | null = null;
  if (input.standby) {
    const s = input.standby;
    const rates = {
      weekday: minor(s.weekday, 'standby.weekday'),
      weekend: minor(s.weekend, 'standby.weekend'),
      publicHoliday: minor(s.publicHoliday, 'standby.publicHoliday'),
    };
    standbyRule = s.per === 'shift' ? { per: 'shift', minimumHours: s.minimumHours, rates } : { per: 'hour', rates };
  }
  let calloutRule: CalloutRule | null = null;
  if (input.callout) {
    const c = input.callout;
    const a = minor(c.amount, 'callout.amount');
    calloutRule =
      c.per === 'page' ? { per: 'page', amount: a } : { per: 'incident', amount: a, minimumMinutes: c.minimumMinutes };
  }
  return {
    standby: standbyRule,
    callout: calloutRule,
    timeOffInLieu: input.timeOffInLieu ?? null,
  };
}

/** `england-and-wales`, `scotland`, `northern-ireland`, `FR`, `US-CA`, `DE-BY` → a region date-holidays knows; null otherwise. */
export function holidayRegion(text: string): HolidayRegion | null {
  const name = text.trim();
  const named = NAMED_REGIONS[name.toLowerCase()];
  if (named) return { ...named, name: name.toLowerCase() };
  const m = /^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,3}))?$/.exec(name);
  if (!m) return null;
  const country = m[1]!.toUpperCase();
  const state = m[2]?.toUpperCase() ?? null;
  const hd = new Holidays();
  if (!Object.hasOwn(hd.getCountries() ?? {}, country)) return null;
  if (state !== null && !Object.hasOwn(hd.getStates(country) ?? {}, state)) return null;
  return { country, state, name: state ? `${country}-${state}` : country };
}

function mapOf(
  entries: Record<string, RuleSetInput>,
  digits: number,
  currency: string,
  section: 'teams' | 'schedules',
): Map<string, PayRuleSet> {
  const out = new Map<string, PayRuleSet>();
  for (const [name, rules] of Object.entries(entries)) {
    const key = teamKey(name);
    if (out.has(key)) fail(`${section}.${name} is given twice (names are matched without regard to case)`);
    out.set(key, convertRuleSet(rules, digits, currency, `${section}.${name}`));
  }
  return out;
}

/** Reads the pay rules file's text. Throws AppError with one line naming the place and the fault. */
export function parsePayRules(text: string): PayRules {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // The yaml package's first line says what and where: `… at line 2, column 10:`.
    const reason = e instanceof Error ? e.message.split('\n')[0]!.replace(/[.:]\s*$/, '') : String(e);
    fail(`the file is not valid YAML: ${reason}`);
  }
  const parsed = fileSchema.safeParse(doc ?? undefined);
  if (!parsed.success) fail(issueLine(parsed.error.issues[0]!, doc));
  const file = parsed.data;

  const currency = file.currency.trim().toUpperCase();
  const digits = minorDigitsOf(currency);
  if (digits === null) fail(`currency \`${file.currency}\` is not an ISO 4217 currency code, e.g. GBP`);
  const region = holidayRegion(file.region);
  if (!region) {
    fail(
      `region \`${file.region}\` is not a region: use england-and-wales, scotland, northern-ireland or a country code with an optional state, e.g. FR or US-CA`,
    );
  }
  return {
    currency,
    minorDigits: digits,
    rounding: file.rounding,
    region,
    companyHolidays: [...new Set(file.companyHolidays)].sort(),
    defaults: convertRuleSet(file.defaults, digits, currency, 'defaults'),
    teams: mapOf(file.teams, digits, currency, 'teams'),
    schedules: mapOf(file.schedules, digits, currency, 'schedules'),
  };
}

/**
 * The rules for a report's scope, by name like the load report (case-insensitive): a schedule's
 * rules, else a team's, else the defaults. Sections the override leaves out come from the defaults.
 */
export function payRulesFor(rules: PayRules, scope: { schedule?: string | null; team?: string | null }): PayRuleSet {
  const override =
    (scope.schedule ? rules.schedules.get(teamKey(scope.schedule)) : undefined) ??
    (scope.team ? rules.teams.get(teamKey(scope.team)) : undefined);
  if (!override) return rules.defaults;
  return {
    standby: override.standby ?? rules.defaults.standby,
    callout: override.callout ?? rules.defaults.callout,
    timeOffInLieu: override.timeOffInLieu ?? rules.defaults.timeOffInLieu,
  };
}

/**
 * The public holidays of the region in the given years plus the company's, as YYYY-MM-DD. Only
 * date-holidays' type `public` counts (not bank, observance, optional or school days); a holiday on
 * a weekend brings its substitute weekday (`substitute: true`), which counts like the holiday.
 */
export function holidayDates(
  rules: Pick<PayRules, 'region' | 'companyHolidays'>,
  years: readonly number[],
): Set<string> {
  const hd = rules.region.state
    ? new Holidays(rules.region.country, rules.region.state)
    : new Holidays(rules.region.country);
  const out = new Set<string>(rules.companyHolidays);
  for (const year of years) {
    for (const h of hd.getHolidays(year) || []) {
      if (h.type === 'public') out.add(h.date.slice(0, 10));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/**
 * numerator ÷ denominator minor units, rounded by the rule (non-negative integers; exact integer
 * arithmetic, no floats). nearest-penny and nearest-pound round a half up; up-to-penny rounds any
 * fraction of a minor unit up. nearest-pound rounds to the currency's major unit.
 */
export function roundMinor(numerator: number, denominator: number, rule: RoundingRule, minorDigits: number): number {
  const step = rule === 'nearest-pound' ? denominator * 10 ** minorDigits : denominator;
  const q = Math.floor(numerator / step);
  const r = numerator - q * step;
  const units = rule === 'up-to-penny' ? (r > 0 ? q + 1 : q) : 2 * r >= step ? q + 1 : q;
  return rule === 'nearest-pound' ? units * 10 ** minorDigits : units;
}

/** Integer minor units as a plain decimal in the major unit, from integers only: 123456 (2 digits) → `1234.56`, 5 (0) → `5`, -7 (2) → `-0.07`. */
export function minorDecimal(minor: number, minorDigits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (minorDigits === 0) return `${sign}${abs}`;
  const unit = 10 ** minorDigits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(minorDigits, '0')}`;
}

/** 123456 minor GBP → `GBP 1234.56`. */
export function formatMinor(minor: number, currency: string, minorDigits: number): string {
  return `${currency} ${minorDecimal(minor, minorDigits)}`;
}
