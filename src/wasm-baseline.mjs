// V8 runs this process's WebAssembly (PGlite's Postgres, Prisma's query compiler and schema engine)
// with its baseline compiler only: no optimising tier-up in the background. Imported first by every
// entry point (the bot, the scripts, the database's thread and child processes), so it holds however
// the process was started: `npm start`, `npm run review`, a test, a container without the flags.
// Measured on `npm run audit:verify` of an embedded database: 2.8 s and 677 MB resident with tier-up,
// 1.1 s and 206 MB without. These processes run most of that code once or rarely, and the
// optimised code cost more CPU and memory to make than it saved (bench/footprint.ts).
// Plain JavaScript so the database's thread (embedded-worker.mjs) needs no TypeScript loader for it.
import v8 from 'node:v8';

v8.setFlagsFromString('--no-wasm-tier-up');
v8.setFlagsFromString('--no-wasm-dynamic-tiering');
