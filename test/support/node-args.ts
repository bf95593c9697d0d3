// How a test starts one of the repository's TypeScript entry points (a script) as a Node process of
// its own: the flags Node needs to run it (none but quiet warnings: Node strips the types itself).
// One place, so a change of runtime is one edit.
export const TS_NODE_ARGS: readonly string[] = ['--disable-warning=ExperimentalWarning'];

/**
 * The environment a test gives a process it starts, before the settings of its own: only PATH and
 * HOME (and TMPDIR) of the runner's, so nothing else leaks in, and Node's compile cache when the run
 * keeps one (scripts/test.ts sets NODE_COMPILE_CACHE): the child then loads the bot's modules
 * compiled already. The cache changes nothing but the time to start.
 */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  if (process.env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE = process.env.NODE_COMPILE_CACHE;
  return env;
}
