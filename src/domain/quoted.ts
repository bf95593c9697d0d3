// A quoted value in a command's words: a service name with spaces (`--service="EHR API"`).
import { AppError } from './errors.ts';

/** Opening quotes and the closing quotes each accepts (Slack turns "…" into “…” as you type). */
const QUOTES: Record<string, string> = { '"': '"”“', '“': '”"“', '„': '“”"', "'": "'’‘", '‘': "’'‘" };

/** Every quote character a value may open or close with. */
const QUOTE_CHARS = `"”“„'’‘`;

/** `word` without the quotes around it (`"--private"` → `--private`). */
export function withoutQuotes(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && QUOTE_CHARS.includes(word[start]!)) start++;
  while (end > start && QUOTE_CHARS.includes(word[end - 1]!)) end--;
  return word.slice(start, end);
}

/**
 * Whether `word` is an option (`--private`, `--service=x`), whatever quotes surround it: an option
 * is never part of a quoted value, so `--service="EHR --private"` cannot hide `--private`.
 */
export function isOptionWord(word: string): boolean {
  return withoutQuotes(word).startsWith('--');
}

/**
 * A quoted value at the start of `words` (`"EHR`, `API"` → `EHR API`, over 2 words), or null when
 * the first word does not open a quote. Throws AppError for a quote never closed, and for an option
 * word (isOptionWord) inside the quotes: options are read first and never swallowed by a value.
 */
export function quotedValue(words: readonly string[]): { value: string; words: number } | null {
  const first = words[0] ?? '';
  const closers = QUOTES[first[0] ?? ''];
  if (!closers) return null;
  const parts: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const word = k === 0 ? first.slice(1) : words[k]!;
    if (isOptionWord(word)) {
      throw new AppError(
        `A service name cannot hold \`${withoutQuotes(word).slice(0, 40)}\`: write options outside the quotes, e.g. \`--service="EHR API" --private\`.`,
        'invalid_input',
      );
    }
    const last = word.at(-1);
    if (last !== undefined && closers.includes(last) && (k > 0 || word.length > 0)) {
      parts.push(word.slice(0, -1));
      return { value: parts.join(' ').trim(), words: k + 1 };
    }
    parts.push(word);
  }
  throw new AppError(
    `The quote before \`${first.slice(0, 40)}\` is not closed: write a service with spaces as \`"EHR API"\`.`,
    'invalid_input',
  );
}
