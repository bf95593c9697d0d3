// Parsing PagerDuty's answers: anything unexpected becomes OnCallUnavailable, so callers carry on without it.
import { z } from 'zod';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';

/** PagerDuty's answer with text the database cannot store cleaned (storable-text.ts); too deeply nested is unexpected. */
function storable(data: unknown, what: string): unknown {
  try {
    return cleanUnstorable(data).value;
  } catch (err) {
    throw new OnCallUnavailable(`PagerDuty answered unexpected ${what}: nested too deeply`, err);
  }
}

export type Named = { id: string; name?: string | null; summary?: string | null };
/** A reference's name (PagerDuty gives `summary` where it has no `name`), else its id. */
export const nameOf = (r: Named): string => r.name ?? r.summary ?? r.id;

export function parseAll<T>(schema: z.ZodType<T>, items: unknown[], what: string): T[] {
  const parsed = z.array(schema).safeParse(storable(items, what));
  if (!parsed.success) {
    throw new OnCallUnavailable(
      `PagerDuty answered unexpected ${what}: ${z.prettifyError(parsed.error)}`,
      parsed.error,
    );
  }
  return parsed.data;
}

export function parseOne<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(storable(data, what));
  if (!parsed.success) {
    throw new OnCallUnavailable(
      `PagerDuty answered an unexpected ${what}: ${z.prettifyError(parsed.error)}`,
      parsed.error,
    );
  }
  return parsed.data;
}
