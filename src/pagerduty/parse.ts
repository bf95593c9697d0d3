// Parsing PagerDuty's answers: anything unexpected becomes OnCallUnavailable, so callers carry on without it.
import { z } from 'zod';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';

export type Named = { id: string; name?: string | null; summary?: string | null };
/** A reference's name (PagerDuty gives `summary` where it has no `name`), else its id. */
export const nameOf = (r: Named): string => r.name ?? r.summary ?? r.id;

export function parseAll<T>(schema: z.ZodType<T>, items: unknown[], what: string): T[] {
  const parsed = z.array(schema).safeParse(items);
  if (!parsed.success) {
    throw new OnCallUnavailable(`PagerDuty answered unexpected ${what}: ${z.prettifyError(parsed.error)}`, parsed.error);
  }
  return parsed.data;
}

export function parseOne<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new OnCallUnavailable(`PagerDuty answered an unexpected ${what}: ${z.prettifyError(parsed.error)}`, parsed.error);
  }
  return parsed.data;
}
