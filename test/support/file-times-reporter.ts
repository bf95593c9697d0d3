// A reporter for Node's test runner (`node --test --test-reporter=./test/support/file-times-reporter.ts`):
// one line per test FILE as it finishes (its time, its number of tests, and whether it failed),
// every failure in full (the test's path of names, the error, its stack, and what the file wrote),
// and at the end the totals and the slowest files. scripts/test.ts (`npm test`) uses it.
import path from 'node:path';
import { inspect } from 'node:util';

/** The part of a test runner event this reporter reads (node:test's TestEvent, loosely). */
interface Event {
  type: string;
  data: {
    name?: string;
    nesting?: number;
    file?: string;
    message?: string;
    duration_ms?: number;
    details?: { duration_ms?: number; error?: unknown; type?: 'suite' | 'test' };
    counts?: { tests: number; failed: number; passed: number; cancelled: number; skipped: number; todo: number };
    skip?: string | boolean;
    todo?: string | boolean;
  };
}

interface FileResult {
  file: string;
  ms: number;
  tests: number;
  failed: number;
  skipped: number;
  /** The file's process failed on its own (a syntax error, an exception outside any test, a hang). */
  crashed: boolean;
  /** Its time is in (the file's completion); all its results are in (its summary); its line is written. */
  timed: boolean;
  ended: boolean;
  shown: boolean;
}

/** The runner's entry for a whole file: nesting 0, named after the file (its path as given). */
const isFileEntry = (data: Event['data']) =>
  data.nesting === 0 && !!data.file && !!data.name && data.file.endsWith(data.name) && /\.[cm]?[jt]s$/.test(data.name);

const TOP = Number(process.env.TEST_SLOWEST ?? 10);
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const red = (s: string) => paint(31, s);
const green = (s: string) => paint(32, s);
const dim = (s: string) => paint(2, s);

const rel = (file: string) => path.relative(process.cwd(), file) || file;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The error a failed test reports, with its cause, as the spec reporter would show it. */
function describeError(error: unknown): string {
  // The runner wraps what the test threw in an ERR_TEST_FAILURE whose `cause` is the real error.
  const e = error as { code?: string; cause?: unknown; failureType?: string } | undefined;
  const inner = e && e.code === 'ERR_TEST_FAILURE' && e.cause !== undefined ? e.cause : error;
  const text = inspect(inner, { depth: 6, colors: color });
  return e?.failureType && e.failureType !== 'testCodeFailure' ? `(${e.failureType}) ${text}` : text;
}

const indent = (s: string, by = '    ') => s.replace(/^/gm, by);

export default async function* fileTimesReporter(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const started = Date.now();
  const files = new Map<string, FileResult>();
  const result = (file: string) =>
    files.get(file) ??
    files
      .set(file, {
        file,
        ms: 0,
        tests: 0,
        failed: 0,
        skipped: 0,
        crashed: false,
        timed: false,
        ended: false,
        shown: false,
      })
      .get(file)!;
  /** What each file wrote (stdout, stderr), shown when the file fails. */
  const output = new Map<string, string[]>();
  /** The names of the suites and tests open in each file, by nesting, for a failure's path. */
  const open = new Map<string, string[]>();
  const failures: string[] = [];
  let total: Event['data']['counts'] | undefined;

  // With files side by side, the runner reports each test's completion as it happens but its result
  // (pass or fail) in the file's order, and a file's results may come after the file's own
  // completion: a file's line is written once both its time and its last result are in.
  function* line(r: FileResult): Generator<string> {
    if (r.shown || !r.timed || !r.ended) return;
    r.shown = true;
    const bad = r.failed > 0 || r.crashed;
    const extra = [
      `${r.tests} tests`,
      r.failed ? red(`${r.failed} failed`) : '',
      r.crashed && !r.failed ? red('its process failed') : '',
      r.skipped ? `${r.skipped} skipped or todo` : '',
    ]
      .filter(Boolean)
      .join(', ');
    yield `${bad ? red('✖') : green('✔')} ${seconds(r.ms).padStart(6)}  ${r.file} ${dim(`(${extra})`)}\n`;
    if (bad && output.get(r.file)?.length) yield `${dim(indent(output.get(r.file)!.join('').trimEnd(), '  │ '))}\n`;
    output.delete(r.file);
  }

  for await (const event of source) {
    const { data } = event;
    const file = data.file ? rel(data.file) : '(no file)';
    switch (event.type) {
      case 'test:start': {
        const stack = open.get(file) ?? [];
        stack.length = data.nesting ?? 0;
        stack.push(data.name ?? '');
        open.set(file, stack);
        break;
      }
      case 'test:stdout':
      case 'test:stderr':
        if (data.message) (output.get(file) ?? output.set(file, []).get(file)!).push(data.message);
        break;
      case 'test:pass':
      case 'test:fail': {
        const r = result(file);
        if (isFileEntry(data)) {
          // The file's own result comes only when its process failed or passed on its own.
          r.ended = true;
          if (event.type === 'test:fail') {
            r.crashed = true;
            failures.push(
              `${red('✖')} ${file}\n  the file's process failed (what it wrote is under its line above)\n${indent(describeError(data.details?.error))}`,
            );
          }
          yield* line(r);
          break;
        }
        if (data.details?.type === 'suite') {
          // A suite fails on its own only in its hooks (before, after); a failing test in it is reported already.
          const err = data.details?.error as { failureType?: string } | undefined;
          if (event.type === 'test:fail' && err?.failureType !== 'subtestsFailed') {
            r.failed++;
            failures.push(failure(file, data));
          }
          break;
        }
        r.tests++;
        if (data.skip !== undefined || data.todo !== undefined) r.skipped++;
        else if (event.type === 'test:fail') {
          r.failed++;
          failures.push(failure(file, data));
        }
        break;
      }
      case 'test:summary': {
        // One per file after its last result, then one for the whole run (no file).
        if (!data.file) {
          total = data.counts;
          break;
        }
        const r = result(file);
        r.ended = true;
        yield* line(r);
        break;
      }
      case 'test:complete': {
        // The file's own entry, timed from its process's spawn to its end.
        if (!isFileEntry(data)) break;
        const r = result(file);
        r.ms = data.details?.duration_ms ?? 0;
        r.timed = true;
        yield* line(r);
        break;
      }
    }
  }
  for (const r of files.values()) {
    r.timed = r.ended = true;
    yield* line(r);
  }

  function failure(file: string, data: Event['data']): string {
    const names = (open.get(file) ?? []).slice(0, (data.nesting ?? 0) + 1);
    names[data.nesting ?? 0] = data.name ?? '';
    return `${red('✖')} ${file}\n  ${names.join(' › ')}\n${indent(describeError(data.details?.error))}`;
  }

  if (failures.length) {
    yield `\n${red(`Failures (${failures.length})`)}\n\n${failures.join('\n\n')}\n`;
  }
  const list = [...files.values()].sort((a, b) => b.ms - a.ms);
  if (list.length > 1) {
    yield `\nSlowest ${Math.min(TOP, list.length)} of ${list.length} files:\n`;
    for (const r of list.slice(0, TOP)) yield `  ${seconds(r.ms).padStart(6)}  ${r.file}\n`;
    const sum = list.reduce((s, r) => s + r.ms, 0);
    yield dim(`  (sum of file times ${seconds(sum)}; the files run side by side)\n`);
  }
  const t = total;
  const failed = (t?.failed ?? 0) + (t?.cancelled ?? 0);
  const counts = t
    ? `${t.tests} tests in ${list.length} files: ${t.passed} passed, ${failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}${t.todo ? `, ${t.todo} todo` : ''}`
    : `${list.length} files`;
  yield `\n${failed ? red(counts) : green(counts)} — ${seconds(Date.now() - started)}\n`;
}
