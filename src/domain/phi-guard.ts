/**
 * A guard for text that is about to leave an incident channel (broadcasts, reviews, exports): finds
 * patient-identifying data (NHS numbers, email addresses, UK phone numbers, postcodes and marked
 * dates of birth) and replaces it with `[redacted <label>]`.
 *
 * The patterns run on the text as it reads (phi-normalise.ts: NFKC, invisible characters removed,
 * any script's digits read as ASCII, `[at]` read as `@`), and each match is mapped back onto the
 * original text, so `９４３​４７６​５９１９` is found, and replaced, as written. Digit groups (NHS
 * 3-3-4, phone groups, numeric dates) may be joined by any run of up to 16 characters that are not
 * letters or digits (spaces, `-`, `.`, `/`, `_`, brackets, dashes, emoji…).
 *
 * Every pass is a single left-to-right regex scan whose patterns are anchored by look-behinds, so a
 * start position inside a word or digit run is rejected at once, and separator runs are bounded and
 * disjoint from digits, so the work stays linear in the length of the text (a 5,000-entry timeline
 * takes milliseconds). It is a pattern matcher, not a classifier: names, addresses without a
 * postcode, hospital numbers and free-text clinical details are not found.
 */

import { matchViews, originalRange, type MatchView } from './phi-normalise.ts';

export type PhiKind = 'nhs-number' | 'email' | 'uk-phone' | 'postcode' | 'date-of-birth';

export interface PhiFinding {
  kind: PhiKind;
  /** Offset of the first character (UTF-16 code units, as `String.prototype.slice`). */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** the matched text */
  text: string;
}

/** What `[redacted <label>]` and the warning call each kind. */
export const PHI_LABELS: Readonly<Record<PhiKind, string>> = {
  'nhs-number': 'NHS number',
  email: 'email address',
  'uk-phone': 'phone number',
  postcode: 'postcode',
  'date-of-birth': 'date of birth',
};

/** Warning order, and which kind wins when two findings cover exactly the same text. */
const KIND_ORDER: readonly PhiKind[] = ['nhs-number', 'email', 'uk-phone', 'date-of-birth', 'postcode'];
const PRIORITY = new Map(KIND_ORDER.map((k, i) => [k, i]));

const PLURALS: Readonly<Record<PhiKind, string>> = {
  'nhs-number': 'NHS numbers',
  email: 'email addresses',
  'uk-phone': 'phone numbers',
  postcode: 'postcodes',
  'date-of-birth': 'dates of birth',
};

const ARTICLES: Readonly<Record<PhiKind, string>> = {
  'nhs-number': 'an',
  email: 'an',
  'uk-phone': 'a',
  postcode: 'a',
  'date-of-birth': 'a',
};

/** A match in a view: `[start, end)` of the view's text. */
interface Match {
  kind: PhiKind;
  start: number;
  end: number;
}

/** One character that is not a letter, digit or mark: what may stand between digit groups. */
const SEP = String.raw`[^\p{L}\p{N}\p{M}]`;
/** A run of separators between two digit groups: at most 16, so a match stays bounded. */
const GAP = `${SEP}{1,16}`;

// ---------------------------------------------------------------------------------------------------
// NHS numbers

/**
 * Ten digits, bare or as 3-3-4 joined by any separator runs (`943 476 5919`, `943.476.5919`,
 * `943 / 476 / 5919`). Not inside a word or a longer number: no word character or `+` before, none
 * after, and no digit joined by `-` `.` `:` `/` on either side (so Slack timestamps, versions and
 * dashed ids are not read as NHS numbers).
 */
const NHS_RE = new RegExp(String.raw`(?<![\w+]|\d[-.:/])\d{3}(?:${GAP})?\d{3}(?:${GAP})?\d{4}(?!\w|[-.:/]\d)`, 'gu');

/** Modulus 11 with weights 10..2 on the first nine digits; a remainder giving 10 is never valid. */
function nhsCheckDigitValid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

function findNhsNumbers(text: string, out: Match[]): void {
  NHS_RE.lastIndex = 0;
  for (let m = NHS_RE.exec(text); m; m = NHS_RE.exec(text)) {
    if (nhsCheckDigitValid(m[0].replace(/\D/g, ''))) {
      out.push({ kind: 'nhs-number', start: m.index, end: m.index + m[0].length });
    }
    // Candidates may overlap (`12 943 476 5919 0`): each is checked, and findPhi joins overlaps.
    NHS_RE.lastIndex = m.index + 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Email addresses

/**
 * Either a whole Slack mailto link (`<mailto:a@b.com|a@b.com>`, `<mailto:a@b.com>`), so the visible
 * text is not left behind, or a bare `local@domain.tld`. The local part may not start with `.` or `'`
 * and must start a word (an apostrophe inside a word, as in o'brien, does not start a new one), so
 * Slack mentions like `<@U123>` and `<!subteam^S1|@oncall>` never match. Letters and digits are
 * Unicode-aware (`zoë@exämple.com`).
 */
const EMAIL_RE = new RegExp(
  [
    String.raw`<mailto:[^\s|<>@]+@[^\s|<>]+(?:\|[^<>\n]{0,256})?>`,
    String.raw`(?<![\p{L}\p{N}._%+\-]|[\p{L}\p{N}]')[\p{L}\p{N}_%+\-][\p{L}\p{N}._%+'\-]*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}\-])`,
  ].join('|'),
  'giu',
);

function findEmails(text: string, out: Match[]): void {
  for (const m of text.matchAll(EMAIL_RE)) {
    out.push({ kind: 'email', start: m.index, end: m.index + m[0].length });
  }
}

// ---------------------------------------------------------------------------------------------------
// UK phone numbers

/**
 * A candidate: `+44` / `0044` (optionally then `(0)`, `0`…), or `0` / `(0`, then digit groups
 * joined by separator runs (spaces, dashes, dots, slashes, brackets…); the first group has at least
 * two digits after the 0 or +44, and every other group at least two, so lists like `0 1 2 3` or
 * `01 02 03 04 05` are not read as a number. At most six groups, so the scan stays linear. Not inside
 * a word, nor after `@ / .`, a word character and `-` (dates, `INC-0123…`), or a digit and `:` (which
 * keeps IP addresses, versions and timestamps out); `tel:07700900123` is still found.
 * The candidate is then validated (and trimmed at a group boundary if a longer run follows).
 */
const PHONE_RE = new RegExp(
  String.raw`(?<![\w+@/.]|\w-|\d:)(?:(?:\+|00)${SEP}{0,3}44${SEP}{0,16}(?:0${GAP})?|\(?0)\d{2,12}(?:${GAP}\d{2,12}){0,5}(?!\w|[-.:/]\d)`,
  'gu',
);

/** The most digits any valid candidate can have (`0044` + a 10-digit national number + `(0)`). */
const PHONE_MAX_DIGITS = 15;

/**
 * A UK national significant number (no leading 0): mobiles and other 07 (10 digits), geographic
 * 01 / 02 (9 or 10), non-geographic 03 (10), and the non-premium 08 ranges 080 (9 or 10), 084 and 087
 * (10). Premium 09, and 04 / 05 / 06, are not phone numbers here.
 */
function isUkNationalNumber(nsn: string): boolean {
  const n = nsn.length;
  switch (nsn[0]) {
    case '7':
    case '3':
      return n === 10;
    case '1':
    case '2':
      return n === 9 || n === 10;
    case '8':
      if (nsn[1] === '0') return n === 9 || n === 10;
      return (nsn[1] === '4' || nsn[1] === '7') && n === 10;
    default:
      return false;
  }
}

/** The digits of a candidate (`international`: it starts with `+`) make a UK number. */
function isUkPhone(international: boolean, digits: string): boolean {
  if (international) {
    if (!digits.startsWith('44')) return false;
    digits = digits.slice(2);
  } else if (digits.startsWith('0044')) digits = digits.slice(4);
  else if (!digits.startsWith('0')) return false;
  if (digits.startsWith('0')) digits = digits.slice(1);
  return isUkNationalNumber(digits);
}

/** The longest prefix of a candidate, ending at a group boundary, that is a valid number; 0 if none. */
function validPhoneLength(candidate: string): number {
  const ends: number[] = [];
  const counts: number[] = [];
  let digits = '';
  for (let i = 0; i < candidate.length && digits.length <= PHONE_MAX_DIGITS; i++) {
    const c = candidate.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    digits += candidate[i];
    const next = candidate.charCodeAt(i + 1);
    if (!(next >= 48 && next <= 57) && digits.length <= PHONE_MAX_DIGITS) {
      ends.push(i + 1);
      counts.push(digits.length);
    }
  }
  const international = candidate.startsWith('+');
  for (let k = ends.length - 1; k >= 0; k--) {
    if (isUkPhone(international, digits.slice(0, counts[k]))) return ends[k] as number;
  }
  return 0;
}

function findPhones(text: string, out: Match[]): void {
  PHONE_RE.lastIndex = 0;
  for (let m = PHONE_RE.exec(text); m; m = PHONE_RE.exec(text)) {
    const length = validPhoneLength(m[0]);
    if (length === 0) {
      PHONE_RE.lastIndex = m.index + 1;
      continue;
    }
    let start = m.index;
    const matched = m[0].slice(0, length);
    // `(0161 496 0000)`: leave an unbalanced opening bracket in the text, not in the finding.
    if (matched.startsWith('(') && !matched.includes(')')) start += 1;
    out.push({ kind: 'uk-phone', start, end: m.index + length });
    // Continue right after the number: a trimmed candidate may run into the next number.
    PHONE_RE.lastIndex = m.index + length;
  }
}

// ---------------------------------------------------------------------------------------------------
// Postcodes

/**
 * Outward code (A9, A99, A9A, AA9, AA99, AA9A with the Royal Mail letter rules per position), then
 * nothing, up to three spaces, or one of `- _ . /` with up to two spaces either side, and the inward
 * code (digit + two letters, never C I K M O V); or GIR 0AA. Case-insensitive. Not touching a word,
 * nor `- / . @ #` (ids, paths, domains, channel names).
 */
const POSTCODE_GAP = String.raw`(?:\s{1,3}|\s{0,2}[\-_./]\s{0,2})?`;
const POSTCODE_RE = new RegExp(
  String.raw`(?<![\w\-/.@#])(?:GIR${POSTCODE_GAP}0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d\d|[A-HK-Y]\d[ABEHMNPRV-Y]?|[A-HK-Y]\d\d)${POSTCODE_GAP}\d[ABD-HJLNP-UW-Z]{2})(?!\w|[-/.@]\w)`,
  'giu',
);

/** `S3 5xx`, `EC2 4XX` (HTTP status classes) and `EC2 8GB`, `M1 1TB` (sizes) are not inward codes. */
const NOT_AN_INWARD_CODE = /(?:[1-5]xx|\d[GT]B)$/i;

function findPostcodes(text: string, out: Match[]): void {
  for (const m of text.matchAll(POSTCODE_RE)) {
    if (NOT_AN_INWARD_CODE.test(m[0])) continue;
    out.push({ kind: 'postcode', start: m.index, end: m.index + m[0].length });
  }
}

// ---------------------------------------------------------------------------------------------------
// Dates of birth

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const ORDINAL = '(?:st|nd|rd|th)?';
/** Between the numbers of a date: the same run of one to three separators both times. */
const DATE = [
  String.raw`\d{1,2}(?<sep1>${SEP}{1,3})\d{1,2}\k<sep1>(?:\d{4}|\d{2})`, // 12/03/1984, 12-03-1984, 12.03.84, 12 03 1984
  String.raw`\d{4}(?<sep2>${SEP}{1,3})\d{1,2}\k<sep2>\d{1,2}`, // 1984-03-12
  String.raw`\d{1,2}${ORDINAL}(?:[ \t]+of)?[ \t\-]+${MONTH},?[ \t\-]+\d{4}`, // 12 March 1984, 12-Mar-1984
  String.raw`${MONTH}[ \t]+\d{1,2}${ORDINAL},?[ \t]+\d{4}`, // March 12, 1984
].join('|');

/**
 * A marker (DOB, D.O.B., date of birth, birth date, born, born on) then, within a few characters
 * (spaces, `:`, `=`, `-`, `(`, mrkdwn `*` `_`, and "is" / "was" / "the" / "on"), a date. Only the
 * date is redacted; the marker stays so the reader knows what was there.
 */
const DOB_RE = new RegExp(
  String.raw`\b(?:d\.?[ ]?o\.?[ ]?b\b\.?|date[ \-_]of[ \-_]birth|birth[ \-]?date|born)` +
    String.raw`[\s:=(*_~\-–—]{0,4}(?:(?:is|was|the|on)[ \t]+){0,2}` +
    String.raw`(?<date>${DATE})(?!\w|[/.\-]\d)`,
  'giu',
);

function findDatesOfBirth(text: string, out: Match[]): void {
  for (const m of text.matchAll(DOB_RE)) {
    const date = m.groups?.date;
    if (!date) continue;
    const end = m.index + m[0].length;
    out.push({ kind: 'date-of-birth', start: end - date.length, end });
  }
}

// ---------------------------------------------------------------------------------------------------
// API

function findInView(view: MatchView, all: PhiFinding[]): void {
  const matches: Match[] = [];
  findNhsNumbers(view.text, matches);
  findEmails(view.text, matches);
  findPhones(view.text, matches);
  findPostcodes(view.text, matches);
  findDatesOfBirth(view.text, matches);
  for (const m of matches) {
    const [start, end] = originalRange(view, m.start, m.end);
    all.push({ kind: m.kind, start, end, text: '' });
  }
}

/**
 * Every finding, in order, non-overlapping: findings that overlap are joined into one (of the kind
 * of the earlier/longer one), so a stray match can never leave part of a real one in the text.
 * Offsets and text are those of `text` as given, whatever it was matched as.
 */
export function findPhi(text: string): PhiFinding[] {
  const all: PhiFinding[] = [];
  for (const view of matchViews(text)) findInView(view, all);
  all.sort(
    (a, b) =>
      a.start - b.start ||
      b.end - b.start - (a.end - a.start) ||
      (PRIORITY.get(a.kind) ?? 0) - (PRIORITY.get(b.kind) ?? 0),
  );
  const kept: PhiFinding[] = [];
  for (const f of all) {
    const last = kept[kept.length - 1];
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else kept.push({ ...f });
  }
  for (const f of kept) f.text = text.slice(f.start, f.end);
  return kept;
}

/** The text with each finding replaced by `[redacted <label>]` (e.g. `[redacted NHS number]`), and the findings. */
export function redactPhi(text: string): { text: string; findings: PhiFinding[] } {
  const findings = findPhi(text);
  if (findings.length === 0) return { text, findings };
  const parts: string[] = [];
  let at = 0;
  for (const f of findings) {
    parts.push(text.slice(at, f.start), `[redacted ${PHI_LABELS[f.kind]}]`);
    at = f.end;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), findings };
}

/** `a`, `a and b`, `a, b and c`. */
function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A short warning for the author, e.g. "I removed an NHS number and 2 email addresses before posting
 * this outside the incident channel." — null when nothing was found. Kinds are listed in a fixed
 * order (NHS numbers, email addresses, phone numbers, dates of birth, postcodes).
 */
export function phiWarning(findings: readonly Pick<PhiFinding, 'kind'>[]): string | null {
  if (findings.length === 0) return null;
  const counts = new Map<PhiKind, number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const parts = KIND_ORDER.flatMap((kind) => {
    const n = counts.get(kind) ?? 0;
    if (n === 0) return [];
    return [n === 1 ? `${ARTICLES[kind]} ${PHI_LABELS[kind]}` : `${n} ${PLURALS[kind]}`];
  });
  return `I removed ${joinAnd(parts)} before posting this outside the incident channel.`;
}
