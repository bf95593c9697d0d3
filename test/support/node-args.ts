// How a test starts one of the repository's TypeScript entry points (a script) as a Node process of
// its own: the flags Node needs to run it (none but quiet warnings: Node strips the types itself).
// One place, so a change of runtime is one edit.
export const TS_NODE_ARGS: readonly string[] = ['--disable-warning=ExperimentalWarning'];
