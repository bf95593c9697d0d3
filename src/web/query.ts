// Query parameters of a page, checked with a zod object: an unknown parameter, one given twice, or
// a bad value is a 400 page naming each problem (nothing is guessed).
import { z } from 'zod';
import { WebError } from './context.ts';

/** The heading of every 400 page about what a person gave (the address's parameters or a form's fields). */
export const PARAMETERS_PROBLEM = 'Some of the parameters are not right:';

/**
 * The query of `url` parsed by `shape` (each parameter a zod schema over its text; absent ones are
 * undefined, so give defaults in the schema). Throws WebError 400 listing every problem.
 */
export function parseQuery<S extends z.ZodRawShape>(url: URL, shape: S): z.output<z.ZodObject<S>> {
  return parseParams(url.searchParams, shape);
}

/** Control characters (C0, DEL, C1): no parameter has a use for one, and PostgreSQL refuses NUL in text. */
const CONTROL = /\p{Cc}/u;

/** parseQuery over any parameters: a form's fields (POST) as well as an address's query. */
export function parseParams<S extends z.ZodRawShape>(params: URLSearchParams, shape: S): z.output<z.ZodObject<S>> {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!Object.hasOwn(shape, name))
      problems.push(`Unknown parameter "${name.slice(0, 40).replace(/\p{Cc}/gu, '?')}".`);
    else if (Object.hasOwn(values, name)) problems.push(`"${name}" is given more than once.`);
    else if (CONTROL.test(value)) problems.push(`"${name}" must not contain control characters.`);
    else values[name] = value;
  }
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      // A parameter already named (given twice, or with a control character) is not named again as missing.
      if (!problems.some((p) => p.startsWith(`"${name}" `))) problems.push(`"${name}" ${issue.message}.`);
    }
  if (problems.length) throw new WebError(400, PARAMETERS_PROBLEM, problems);
  return parsed.data!;
}

/** An optional query value: blank is unset. */
export const optionalParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
