/**
 * The text the PHI guard matches against: what a reader sees, not how it is encoded. An NHS number
 * typed in fullwidth or Arabic-Indic digits, with zero-width spaces between the digits, or an email
 * written `name [at] nhs.net`, reads as the identifier it is, so it must match as one.
 *
 * A view is built code point by code point, and every UTF-16 unit of it remembers which original
 * characters it came from, so a match in the view is redacted on the original text (the text around
 * it is kept exactly as written). The view:
 * - is NFKC (fullwidth forms, mathematical letters and digits, `＠`, `﹫`, `．`, ligatures, superscript
 *   and circled digits become their plain forms), taken per base character and its combining marks;
 *   enclosed digits lose their enclosure (`⑼`, `⒐`, `🄉` and the dingbat `❾` `➒` read as 9);
 * - has every combining mark removed (`9\u0301` reads as 9, keycap digits as their digit);
 * - has invisible characters removed: every format character (Cf: zero-width space and joiners, soft
 *   hyphen, word joiner, BOM, bidi controls, invisible operators, tag characters, U+180E…), every
 *   default-ignorable code point (variation selectors, Hangul fillers, CGJ, reserved ones) and
 *   control characters other than tab and line breaks;
 * - reads every Unicode decimal digit (\p{Nd}: Arabic-Indic, Devanagari, Bengali, Thai, NKo…) as
 *   the ASCII digit of its value, and the ideographic full stops `。` `｡` as `.`;
 * - reads bracketed obfuscations as what they stand for: `[at]`, `(at)`, `{at}`, `<at>`, `[@]`
 *   (any opening and closing bracket, any case, spaces around) as `@`, and `[dot]`, `(.)`… as `.`.
 *   A bare ` at ` or ` dot ` is prose and is left alone.
 *
 * A right-to-left override (U+202E) shows what follows it reversed, so `\u202e9195674349` is seen as
 * 9434765919: where there is one, the text is also matched in the order it is shown.
 *
 * Removing an invisible character joins what was on either side of it, which is what hides digits
 * (`943\u200b476…`), but it would also glue a number to the word before it (`Patient\u200b943…`,
 * which then reads as one word). So when an invisible character sits between a digit and a
 * non-digit a second view is built in which it reads as a space; the guard matches both.
 */

export interface MatchView {
  /** The normalised text. */
  text: string;
  /**
   * For each UTF-16 unit of `text`, the original offset where its source starts and where it ends;
   * null when the view is the original text unchanged.
   */
  from: Int32Array | null;
  to: Int32Array | null;
}

/** Tab, line feed, vertical tab, form feed, carriage return: control characters that show as space. */
const isSpaceControl = (c: number) => c === 9 || c === 10 || c === 11 || c === 12 || c === 13;

/** An ASCII character that needs no normalising: printable, or tab and line breaks. */
const isPlainAscii = (c: number) => (c >= 0x20 && c < 0x7f) || isSpaceControl(c);

const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]$/u;
const MARK = /^\p{M}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

function isInvisible(cp: number): boolean {
  if (cp < 0x80) return !isPlainAscii(cp);
  if (cp <= 0x9f) return cp !== 0x85; // C1 controls; NEL is a line break
  return INVISIBLE.test(String.fromCodePoint(cp));
}

/** The ASCII digit of a non-ASCII decimal digit, or null. */
function asciiDigit(cp: number): string | null {
  if (!DECIMAL_DIGIT.test(String.fromCodePoint(cp))) return null;
  // Unicode encodes each set of decimal digits as ten consecutive code points from zero (a
  // stability guarantee), and sets that touch (the five mathematical ones) are whole sets, so the
  // value is the distance from the start of the run, mod 10.
  let start = cp;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return String((cp - start) % 10);
}

/** Full stops NFKC leaves alone but a reader takes for `.` (UTS #46 maps them for domain names). */
const FULL_STOPS = new Set([0x3002, 0xff61]);

/**
 * Digits drawn in a circle that NFKC leaves alone (dingbat, negative and double circled): their
 * value. (Circled ①, parenthesised ⑴ and ⒈-style digits are handled through NFKC.)
 */
const CIRCLED_DIGITS = new Map<number, string>();
for (const first of [0x2776, 0x2780, 0x278a, 0x24f5]) {
  for (let v = 1; v <= 10; v++) CIRCLED_DIGITS.set(first + v - 1, String(v));
}
for (let v = 11; v <= 20; v++) CIRCLED_DIGITS.set(0x24eb + v - 11, String(v));
for (const zero of [0x24ff, 0x1f10b, 0x1f10c]) CIRCLED_DIGITS.set(zero, '0');

/** What NFKC makes of `⑴`, `⒈`, `🄁`: a number in brackets or before a stop or comma. */
const ENCLOSED_NUMBER = /^\(?(\d{1,2})[).,]?$/;

/** Stands for an invisible character in a normalised cluster (a real NUL is itself invisible). */
const HIDDEN = '\0';

/**
 * A cluster (a code point and its combining marks) as it reads: NFKC, marks dropped, invisible
 * characters as HIDDEN, decimal digits as ASCII (so are enclosed and circled ones, without their
 * brackets), ideographic full stops as `.`.
 */
function normaliseCluster(cluster: string): string {
  const circled = CIRCLED_DIGITS.get(cluster.codePointAt(0)!);
  if (circled !== undefined) return circled;
  const nfkc = cluster.normalize('NFKC');
  const enclosed = nfkc !== cluster ? ENCLOSED_NUMBER.exec(nfkc) : null;
  if (enclosed) return enclosed[1]!;
  let out = '';
  for (const ch of nfkc) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += isPlainAscii(cp) ? ch : HIDDEN;
    else if (isInvisible(cp)) out += HIDDEN;
    else if (MARK.test(ch)) continue;
    else if (FULL_STOPS.has(cp)) out += '.';
    else out += asciiDigit(cp) ?? ch;
  }
  return out;
}

/** Lone code points are cached (a text repeats the same few); clusters with marks are not. */
const codePointCache = new Map<number, string>();
const CACHE_MAX = 20_000;

function normaliseCodePoint(cp: number): string {
  let out = codePointCache.get(cp);
  if (out === undefined) {
    out = normaliseCluster(String.fromCodePoint(cp));
    if (codePointCache.size < CACHE_MAX) codePointCache.set(cp, out);
  }
  return out;
}

const markCache = new Map<number, boolean>();

/** Whether a combining mark starts at offset `i`. */
function markAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x300) return false;
  const cp = text.codePointAt(i)!;
  let mark = markCache.get(cp);
  if (mark === undefined) {
    mark = MARK.test(String.fromCodePoint(cp));
    if (markCache.size < CACHE_MAX) markCache.set(cp, mark);
  }
  return mark;
}

const isDigitUnit = (c: number) => c >= 48 && c <= 57;

class ViewBuilder {
  private out = '';
  private from: Int32Array;
  private to: Int32Array;
  private n = 0;
  /** Whether the last emitted unit was a digit (null: nothing emitted yet). */
  private lastDigit: boolean | null = null;
  /** The original range of the invisible characters since the last emitted unit. */
  private pendingStart = -1;
  private pendingEnd = -1;
  /** An invisible run sat between a digit and a non-digit. */
  sawDigitEdge = false;

  private readonly spaceAtDigitEdges: boolean;

  constructor(spaceAtDigitEdges: boolean, size: number) {
    this.spaceAtDigitEdges = spaceAtDigitEdges;
    this.from = new Int32Array(size + 16);
    this.to = new Int32Array(size + 16);
  }

  invisible(start: number, end: number) {
    if (this.pendingStart < 0) this.pendingStart = start;
    this.pendingEnd = end;
  }

  private room(k: number) {
    if (this.n + k <= this.from.length) return;
    const size = Math.max(this.n + k, this.from.length * 2);
    const from = new Int32Array(size);
    const to = new Int32Array(size);
    from.set(this.from.subarray(0, this.n));
    to.set(this.to.subarray(0, this.n));
    this.from = from;
    this.to = to;
  }

  /** Before emitting a unit: an invisible run between a digit and a non-digit may read as a space. */
  private settle(digit: boolean) {
    if (this.pendingStart < 0) return;
    if (this.lastDigit !== null && this.lastDigit !== digit) {
      this.sawDigitEdge = true;
      if (this.spaceAtDigitEdges) {
        this.room(1);
        this.out += ' ';
        this.from[this.n] = this.pendingStart;
        this.to[this.n++] = this.pendingEnd;
      }
    }
    this.pendingStart = -1;
  }

  /** Units `[i, j)` of the original, unchanged. */
  copy(text: string, i: number, j: number) {
    this.settle(isDigitUnit(text.charCodeAt(i)));
    this.room(j - i);
    this.out += text.slice(i, j);
    for (let k = i; k < j; k++) {
      this.from[this.n] = k;
      this.to[this.n++] = k + 1;
    }
    this.lastDigit = isDigitUnit(text.charCodeAt(j - 1));
  }

  /** A normalised cluster standing for the original `[start, end)`. */
  cluster(norm: string, start: number, end: number) {
    this.room(norm.length);
    for (let k = 0; k < norm.length; k++) {
      const c = norm.charCodeAt(k);
      if (c === 0) {
        this.invisible(start, end);
        continue;
      }
      const digit = isDigitUnit(c);
      this.settle(digit);
      this.room(1);
      this.out += norm[k]!;
      this.from[this.n] = start;
      this.to[this.n++] = end;
      this.lastDigit = digit;
    }
  }

  view(): MatchView {
    return { text: this.out, from: this.from.subarray(0, this.n), to: this.to.subarray(0, this.n) };
  }
}

function buildView(text: string, spaceAtDigitEdges: boolean): { view: MatchView; sawDigitEdge: boolean } {
  const b = new ViewBuilder(spaceAtDigitEdges, text.length);
  const len = text.length;
  let i = 0;
  while (i < len) {
    // A run of plain ASCII, less its last character if a combining mark follows that.
    let j = i;
    while (j < len && isPlainAscii(text.charCodeAt(j))) j++;
    if (j < len && j > i && markAt(text, j)) j--;
    if (j > i) {
      b.copy(text, i, j);
      i = j;
      continue;
    }
    // One cluster: a code point and the combining marks after it.
    const cp = text.codePointAt(i)!;
    const first = cp > 0xffff ? 2 : 1;
    let end = i + first;
    while (end < len && markAt(text, end)) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
    const norm = end - i === first ? normaliseCodePoint(cp) : normaliseCluster(text.slice(i, end));
    b.cluster(norm, i, end);
    i = end;
  }
  return { view: b.view(), sawDigitEdge: b.sawDigitEdge };
}

/** Characters that never need normalising: printable ASCII, tab and line breaks. */
const PLAIN = /^[\t\n\v\f\r\x20-\x7e]*$/;

/** `[at]`, `( AT )`, `{@}`, `[dot]`, `(.)`: group 1 is set for an `@`. Bounded spaces: linear. */
const OBFUSCATION = /[ \t]{0,3}[\p{Ps}<][ \t]{0,3}(?:(at|@)|dot|\.)[ \t]{0,3}[\p{Pe}>][ \t]{0,3}/giu;

/** The view with each bracketed obfuscation read as `@` or `.`. */
function readObfuscations(view: MatchView): MatchView {
  OBFUSCATION.lastIndex = 0;
  const found = [...view.text.matchAll(OBFUSCATION)];
  if (found.length === 0) return view;
  const fromOf = (i: number) => (view.from ? view.from[i]! : i);
  const toOf = (i: number) => (view.to ? view.to[i]! : i + 1);
  const parts: string[] = [];
  const from = new Int32Array(view.text.length);
  const to = new Int32Array(view.text.length);
  let n = 0;
  const copy = (a: number, b: number) => {
    parts.push(view.text.slice(a, b));
    for (let i = a; i < b; i++) {
      from[n] = fromOf(i);
      to[n++] = toOf(i);
    }
  };
  let at = 0;
  for (const m of found) {
    copy(at, m.index);
    parts.push(m[1] ? '@' : '.');
    from[n] = fromOf(m.index);
    to[n++] = toOf(m.index + m[0].length - 1);
    at = m.index + m[0].length;
  }
  copy(at, view.text.length);
  return { text: parts.join(''), from: from.subarray(0, n), to: to.subarray(0, n) };
}

/** Right-to-left override: what follows shows in reverse order, up to a pop or the end of the line. */
const RLO = '\u202e';
const RLO_SCOPE = /\u202e([^\u202c\n\r\u2029]*)/g;

/**
 * `text` in the order it is shown where a right-to-left override reverses it (`\u202e9195674349`
 * shows as 9434765919), and for each UTF-16 unit of that, where it is in `text`; null when there is
 * no override. Clusters (a character and its marks) are reversed as wholes.
 */
function shownOrder(text: string): { text: string; at: Int32Array } | null {
  if (!text.includes(RLO)) return null;
  const at = new Int32Array(text.length);
  let n = 0;
  let done = 0;
  const starts: number[] = [];
  for (const m of text.matchAll(RLO_SCOPE)) {
    const scopeStart = m.index + 1;
    const scopeEnd = scopeStart + m[1]!.length;
    while (done < scopeStart) at[n++] = done++;
    starts.length = 0;
    for (let i = scopeStart; i < scopeEnd; ) {
      starts.push(i);
      i += text.codePointAt(i)! > 0xffff ? 2 : 1;
      while (i < scopeEnd && markAt(text, i)) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    }
    for (let k = starts.length - 1; k >= 0; k--) {
      const end = k + 1 < starts.length ? starts[k + 1]! : scopeEnd;
      for (let i = starts[k]!; i < end; i++) at[n++] = i;
    }
    done = scopeEnd;
  }
  while (done < text.length) at[n++] = done++;
  const units = new Uint16Array(text.length);
  for (let i = 0; i < units.length; i++) units[i] = text.charCodeAt(at[i]!);
  const chunks: string[] = [];
  for (let i = 0; i < units.length; i += 8192) chunks.push(String.fromCharCode(...units.subarray(i, i + 8192)));
  return { text: chunks.join(''), at };
}

/** A view of the shown order, with its offsets taken back to the original text. */
function backToOriginal(view: MatchView, at: Int32Array): MatchView {
  const n = view.text.length;
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = view.from ? view.from[i]! : i;
    const b = (view.to ? view.to[i]! : i + 1) - 1;
    from[i] = Math.min(at[a]!, at[b]!);
    to[i] = Math.max(at[a]!, at[b]!) + 1;
  }
  return { text: view.text, from, to };
}

/**
 * The views of `text` the guard matches against: one; a second when invisible characters sit next
 * to digits; and the same again in the order shown when a right-to-left override reverses part of
 * the text. Plain ASCII text without bracketed obfuscations is its own view, with no maps.
 */
export function matchViews(text: string): MatchView[] {
  if (PLAIN.test(text)) return [readObfuscations({ text, from: null, to: null })];
  const views: MatchView[] = [];
  const shown = shownOrder(text);
  for (const [source, back] of shown
    ? ([
        [text, null],
        [shown.text, shown.at],
      ] as const)
    : ([[text, null]] as const)) {
    const first = buildView(source, false);
    const found = [first.view];
    if (first.sawDigitEdge) found.push(buildView(source, true).view);
    for (const v of found) {
      const view = back ? backToOriginal(v, back) : v;
      views.push(readObfuscations(view));
    }
  }
  return views;
}

/**
 * The original range of `[start, end)` of a view (end > start): from the first original character
 * any of its units came from to the last (in a reversed part the first unit comes from the end).
 */
export function originalRange(view: MatchView, start: number, end: number): [number, number] {
  if (!view.from || !view.to) return [start, end];
  let lo = view.from[start]!;
  let hi = view.to[end - 1]!;
  for (let i = start; i < end; i++) {
    if (view.from[i]! < lo) lo = view.from[i]!;
    if (view.to[i]! > hi) hi = view.to[i]!;
  }
  return [lo, hi];
}
