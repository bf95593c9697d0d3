/**
 * A guard for text that is about to leave an incident channel (broadcasts, reviews, exports): finds
 * patient-identifying data (NHS numbers, email addresses, UK phone numbers, postcodes and marked
 * dates of birth) and replaces it with `[redacted <label>]`.
 *
 * Every pass is a single left-to-right regex scan whose patterns are anchored by look-behinds, so a
 * start position inside a word or digit run is rejected at once and the work stays linear in the
 * length of the text (a 5,000-entry timeline takes milliseconds). It is a pattern matcher, not a
 * classifier: names, addresses without a postcode, hospital numbers and free-text clinical details
 * are not found.
 */

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

// ---------------------------------------------------------------------------------------------------
// NHS numbers

/**
 * Ten digits, bare or as 3-3-4 separated by single spaces or dashes. Not inside a word or a
 * longer number: no word character or `+` before, none after, and no digit joined by `-` `.` `:` `/`
 * on either side (so Slack timestamps, versions and dashed ids are not read as NHS numbers).
 */
const NHS_RE = /(?<![\w+]|\d[-.:/])\d{3}[ -]?\d{3}[ -]?\d{4}(?!\w|[-.:/]\d)/g;

/** Modulus 11 with weights 10..2 on the first nine digits; a remainder giving 10 is never valid. */
function nhsCheckDigitValid(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

function findNhsNumbers(text: string, out: PhiFinding[]): void {
  NHS_RE.lastIndex = 0;
  for (let m = NHS_RE.exec(text); m; m = NHS_RE.exec(text)) {
    if (nhsCheckDigitValid(m[0].replace(/\D/g, ''))) {
      out.push({ kind: 'nhs-number', start: m.index, end: m.index + m[0].length, text: m[0] });
    } else {
      NHS_RE.lastIndex = m.index + 1;
    }
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

function findEmails(text: string, out: PhiFinding[]): void {
  for (const m of text.matchAll(EMAIL_RE)) {
    out.push({ kind: 'email', start: m.index, end: m.index + m[0].length, text: m[0] });
  }
}

// ---------------------------------------------------------------------------------------------------
// UK phone numbers

/**
 * A candidate: `+44` / `0044` (optionally then `(0)`), or `0` / `(0`, then digit groups joined by
 * spaces, dashes or brackets; the first group has at least two digits after the 0 or +44, and every
 * other group at least two, so lists like `0 1 2 3` or `01 02 03 04 05` are not read as a number.
 * At most six groups, so the scan stays linear. Not inside a word, nor after `@ / .`, a word
 * character and `-` (dates, `INC-0123…`), or a digit and `:` (which keeps IP addresses, versions and
 * timestamps out); `tel:07700900123` is still found.
 * The candidate is then validated (and trimmed at a group boundary if a longer run follows).
 */
const PHONE_RE =
  /(?<![\w+@/.]|\w-|\d:)(?:(?:\+|00)44[ \-]?(?:\(0\)[ \-]?)?|\(?0)\d{2,12}(?:[ \-()]{1,3}\d{2,12}){0,5}(?!\w|[-.:/]\d)/g;

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

function isUkPhone(candidate: string): boolean {
  let digits = candidate.replace(/\D/g, '');
  if (candidate.startsWith('+44')) digits = digits.slice(2);
  else if (candidate.startsWith('0044')) digits = digits.slice(4);
  else if (!digits.startsWith('0')) return false;
  if (digits.startsWith('0')) digits = digits.slice(1);
  return isUkNationalNumber(digits);
}

/** The longest prefix of a candidate, ending at a group boundary, that is a valid number; 0 if none. */
function validPhoneLength(candidate: string): number {
  const ends: number[] = [];
  let digits = 0;
  for (let i = 0; i < candidate.length && digits <= PHONE_MAX_DIGITS; i++) {
    const c = candidate.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    digits++;
    const next = candidate.charCodeAt(i + 1);
    if (!(next >= 48 && next <= 57) && digits <= PHONE_MAX_DIGITS) ends.push(i + 1);
  }
  for (let k = ends.length - 1; k >= 0; k--) {
    const end = ends[k] as number;
    if (isUkPhone(candidate.slice(0, end))) return end;
  }
  return 0;
}

function findPhones(text: string, out: PhiFinding[]): void {
  PHONE_RE.lastIndex = 0;
  for (let m = PHONE_RE.exec(text); m; m = PHONE_RE.exec(text)) {
    const length = validPhoneLength(m[0]);
    if (length === 0) {
      PHONE_RE.lastIndex = m.index + 1;
      continue;
    }
    let start = m.index;
    let matched = m[0].slice(0, length);
    // `(0161 496 0000)`: leave an unbalanced opening bracket in the text, not in the finding.
    if (matched.startsWith('(') && !matched.includes(')')) {
      start += 1;
      matched = matched.slice(1);
    }
    out.push({ kind: 'uk-phone', start, end: m.index + length, text: matched });
    // Continue right after the number: a trimmed candidate may run into the next number.
    PHONE_RE.lastIndex = m.index + length;
  }
}

// ---------------------------------------------------------------------------------------------------
// Postcodes

/**
 * Outward code (A9, A99, A9A, AA9, AA99, AA9A with the Royal Mail letter rules per position), an
 * optional single space, and the inward code (digit + two letters, never C I K M O V); or GIR 0AA.
 * Case-insensitive. Not touching a word, nor `- / . @ #` (ids, paths, domains, channel names).
 */
const POSTCODE_RE =
  /(?<![\w\-/.@#])(?:GIR[ \u00a0]?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]?|\d\d|[A-HK-Y]\d[ABEHMNPRV-Y]?|[A-HK-Y]\d\d)[ \u00a0]?\d[ABD-HJLNP-UW-Z]{2})(?!\w|[-/.@]\w)/gi;

/** `S3 5xx`, `EC2 4XX` (HTTP status classes) and `EC2 8GB`, `M1 1TB` (sizes) are not inward codes. */
const NOT_AN_INWARD_CODE = /(?:[1-5]xx|\d[GT]B)$/i;

function findPostcodes(text: string, out: PhiFinding[]): void {
  for (const m of text.matchAll(POSTCODE_RE)) {
    if (NOT_AN_INWARD_CODE.test(m[0])) continue;
    out.push({ kind: 'postcode', start: m.index, end: m.index + m[0].length, text: m[0] });
  }
}

// ---------------------------------------------------------------------------------------------------
// Dates of birth

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const ORDINAL = String.raw`(?:st|nd|rd|th)?`;
const DATE = [
  String.raw`\d{1,2}(?<sep1>[/.\-])\d{1,2}\k<sep1>(?:\d{4}|\d{2})`, // 12/03/1984, 12-03-1984, 12.03.84
  String.raw`\d{4}(?<sep2>[/.\-])\d{1,2}\k<sep2>\d{1,2}`, // 1984-03-12
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
  'gi',
);

function findDatesOfBirth(text: string, out: PhiFinding[]): void {
  for (const m of text.matchAll(DOB_RE)) {
    const date = m.groups?.['date'];
    if (!date) continue;
    const end = m.index + m[0].length;
    out.push({ kind: 'date-of-birth', start: end - date.length, end, text: date });
  }
}

// ---------------------------------------------------------------------------------------------------
// API

/** Every finding, in order, non-overlapping (on overlap keep the earlier/longer one). */
export function findPhi(text: string): PhiFinding[] {
  const all: PhiFinding[] = [];
  findNhsNumbers(text, all);
  findEmails(text, all);
  findPhones(text, all);
  findPostcodes(text, all);
  findDatesOfBirth(text, all);
  all.sort(
    (a, b) =>
      a.start - b.start ||
      b.end - b.start - (a.end - a.start) ||
      (PRIORITY.get(a.kind) ?? 0) - (PRIORITY.get(b.kind) ?? 0),
  );
  const kept: PhiFinding[] = [];
  let reached = 0;
  for (const f of all) {
    if (f.start < reached) continue;
    kept.push(f);
    reached = f.end;
  }
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
