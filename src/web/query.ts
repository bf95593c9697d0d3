// Query parameters of a page, checked with a zod object: an unknown parameter, one given twice, or
// a bad value is a 400 page naming each problem (nothing is guessed).
import { z } from 'zod';
import { WebError } from './context.ts';

/**
 * The query of `url` parsed by `shape` (each parameter a zod schema over its text; absent ones are
 * undefined, so give defaults in the schema). Throws WebError 400 listing every problem.
 */
export function parseQuery<S extends z.ZodRawShape>(url: URL, shape: S): z.output<z.ZodObject<S>> {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!Object.hasOwn(shape, name)) problems.push(`Unknown parameter "${name.slice(0, 40)}".`);
    else if (Object.hasOwn(values, name)) problems.push(`"${name}" is given more than once.`);
    else values[name] = value;
  }
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success)
    for (const issue of parsed.error.issues) problems.push(`"${String(issue.path[0] ?? '')}" ${issue.message}.`);
  if (problems.length) throw new WebError(400, 'Some of the parameters in the address are not right:', problems);
  return parsed.data!;
}

/** An optional query value: blank is unset. */
export const optionalParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
