// Reads the ONCALL_PAY_RULES file at start: its problems are one line of the configuration check.

import { readFileSync, statSync } from 'node:fs';
import { AppError } from './domain/errors.ts';
import { parsePayRules, type PayRules } from './domain/pay-rules.ts';

/** A rules file is a page of YAML; anything far bigger is the wrong file. */
const MAX_BYTES = 1024 * 1024;

/**
 * The pay rules in the file at `path`. Throws AppError with one line (without the setting's name,
 * which the configuration check puts in front): the file cannot be read, or where and what is wrong.
 */
export function readPayRulesFile(path: string): PayRules {
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new AppError(`${path} is not a file`);
    if (stat.size > MAX_BYTES) throw new AppError(`${path} is larger than 1 MiB: is it the pay rules file?`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'may not be read by the bot'
          : `cannot be read (${code ?? String(err)})`;
    throw new AppError(`${path} ${why}`);
  }
  try {
    return parsePayRules(text);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // `ONCALL_PAY_RULES: <line>.`: the configuration check names the setting itself.
    throw new AppError(`in ${path}: ${err.userMessage.replace(/^ONCALL_PAY_RULES: /, '').replace(/\.$/, '')}`);
  }
}
