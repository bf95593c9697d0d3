/**
 * Text the database cannot store, removed where input is parsed: PostgreSQL refuses U+0000 in
 * `text` ("invalid byte sequence") and `\u0000` in `jsonb`, and refuses a lone surrogate escape in
 * `jsonb`; in `text` the driver would silently turn a lone surrogate into U+FFFD, so what the bot
 * hashed (the audit trail) and what it stored would differ. Such a request could never succeed, so
 * it is cleaned once, as it comes in, instead of failing later with "try again".
 */

/** U+0000, or a surrogate half without its other half. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what PostgreSQL cannot store in text, so it is what this finds.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Nesting deeper than any payload Slack or PagerDuty sends: refused rather than walked. */
export const MAX_DEPTH = 64;

export class TooDeeplyNested extends Error {
  constructor() {
    super(`nested more than ${MAX_DEPTH} levels deep`);
    this.name = 'TooDeeplyNested';
  }
}

/** `text` without U+0000 (removed) and with each lone surrogate replaced by U+FFFD. */
export function storableText(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return text.replace(UNSTORABLE_ALL, (c) => (c === '\u0000' ? '' : '\uFFFD'));
}

export interface Cleaned<T> {
  value: T;
  /** Where something was cleaned: `view.state.values.b.a.value`, `text`… (paths, never the text). */
  paths: string[];
}

/**
 * Every string (and object key) in parsed JSON or form data made storable. Returns the same value
 * when nothing needed cleaning, else a copy (the input is not changed). Objects are rebuilt with
 * own data properties only, so a `__proto__` key stays a plain key. Throws TooDeeplyNested beyond
 * MAX_DEPTH levels.
 */
export function cleanUnstorable<T>(value: T): Cleaned<T> {
  const paths: string[] = [];
  const walk = (v: unknown, path: string, depth: number): unknown => {
    if (typeof v === 'string') {
      const s = storableText(v);
      if (s !== v) paths.push(path || '(value)');
      return s;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth >= MAX_DEPTH) throw new TooDeeplyNested();
    if (Array.isArray(v)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const item = walk(v[i], `${path}[${i}]`, depth + 1);
        if (item !== v[i]) {
          copy ??= v.slice();
          copy[i] = item;
        }
      }
      return copy ?? v;
    }
    let changed = false;
    const entries = Object.entries(v).map(([key, item]) => {
      const k = storableText(key);
      const at = path ? `${path}.${k}` : k;
      if (k !== key) {
        changed = true;
        paths.push(`${at} (key)`);
      }
      const cleaned = walk(item, at, depth + 1);
      if (cleaned !== item) changed = true;
      return [k, cleaned] as const;
    });
    return changed ? Object.fromEntries(entries) : v;
  };
  return { value: walk(value, '', 0) as T, paths };
}

/** True when `value` nests arrays or objects more than `max` levels deep (checked without recursion). */
export function nestedDeeperThan(value: unknown, max = MAX_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const item of Array.isArray(v) ? v : Object.values(v))
      if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
  }
  return false;
}
