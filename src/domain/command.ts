import { AppError } from './errors.ts';
import { parseSeverity } from './severity.ts';
import type { DeclarationInput } from './declaration.ts';

/** What `/incident <text>` asks for. */
export type IncidentCommand =
  | { kind: 'open-declare-modal' }
  | { kind: 'help' }
  | { kind: 'declare'; declaration: DeclarationInput };

export const SUBCOMMANDS: { usage: string; summary: string }[] = [
  { usage: '/incident', summary: 'Open the form to declare an incident.' },
  {
    usage: '/incident declare <sev1-4> <title> [--private] [--clinical] [--service=<name>]',
    summary: 'Declare at once, e.g. `/incident declare sev2 Payments API returning 500s`.',
  },
  { usage: '/incident help', summary: 'Show this list.' },
];

export const DECLARE_USAGE =
  'Write it as `/incident declare <sev1-4> <title> [--private] [--clinical] [--service=<name>]`, ' +
  'e.g. `/incident declare sev2 Payments API returning 500s`, or type `/incident` alone to use the form.';

export function helpText(): string {
  return ['*Incident bot commands*', ...SUBCOMMANDS.map((s) => `• \`${s.usage}\`: ${s.summary}`)].join('\n');
}

/** Parses the text after `/incident`. Throws AppError with a message fit for the user. */
export function parseIncidentCommand(text: string): IncidentCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub, ...rest] = words;
  if (!sub) return { kind: 'open-declare-modal' };
  switch (sub.toLowerCase()) {
    case 'help':
      return { kind: 'help' };
    case 'declare':
      return { kind: 'declare', declaration: parseDeclare(rest) };
    default:
      throw new AppError(
        `I don't know \`/incident ${sub}\`. These are the commands:\n${SUBCOMMANDS.map((s) => `• \`${s.usage}\``).join('\n')}`,
        'unknown_subcommand',
      );
  }
}

function parseDeclare(words: string[]): DeclarationInput {
  const [sevWord, ...rest] = words;
  if (!sevWord) throw new AppError(`Say how severe it is and what is broken. ${DECLARE_USAGE}`);
  const severity = parseSeverity(sevWord);
  if (!severity) {
    throw new AppError(`\`${sevWord}\` is not a severity: use sev1, sev2, sev3 or sev4. ${DECLARE_USAGE}`);
  }
  let isPrivate = false;
  let clinicalImpact = false;
  let affectedService: string | null = null;
  const titleWords: string[] = [];
  // Options count wherever they stand: `--private` at the end of a title must not leave a private
  // incident public. Any other word starting with -- is refused rather than guessed at.
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const flag = w.toLowerCase();
    if (!flag.startsWith('--')) {
      titleWords.push(w);
    } else if (flag === '--private') {
      isPrivate = true;
    } else if (flag === '--clinical') {
      clinicalImpact = true;
    } else if (flag.startsWith('--service=')) {
      affectedService = w.slice('--service='.length);
    } else if (flag === '--service' && rest[i + 1]) {
      affectedService = rest[++i]!;
    } else {
      throw new AppError(`\`${w}\` is not an option of declare. ${DECLARE_USAGE}`);
    }
  }
  return { severity, title: titleWords.join(' '), isPrivate, clinicalImpact, affectedService };
}
