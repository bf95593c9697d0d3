// How a test starts one of the repository's TypeScript entry points (a script) as a Node process of
// its own: the flags Node needs to run it, with the TypeScript loader given by absolute path so the
// process may run in any folder. One place, so a change of runtime is one edit.
export const TS_NODE_ARGS: readonly string[] = ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', import.meta.resolve('tsx')];
