// Runs the schema engine (the committed migrations, or a diff) in a child process of its own (see applyMigrationsInWorker): the
// schema engine's WebAssembly memory, and everything it allocated, goes away with the process
// instead of staying in the bot's. The database URL comes over the IPC channel (not argv or the
// environment, where a password would show); the answer goes back the same way.
import '../wasm-baseline.mjs';
import { applyMigrations, diffMigrationsToSchema, type MigrationOp } from './migrate.ts';

const send = (msg: unknown) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));

process.once('message', async (msg: { op?: MigrationOp; url?: unknown }) => {
  try {
    if (typeof msg?.url !== 'string') throw new Error('the migration process was given no database URL');
    if (msg.op !== 'apply' && msg.op !== 'diff')
      throw new Error(`the migration process was asked to ${String(msg.op)}`);
    const result = msg.op === 'apply' ? await applyMigrations(msg.url) : await diffMigrationsToSchema(msg.url);
    await send({ ok: true, result });
  } catch (err) {
    await send({
      ok: false,
      message: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
  // The answer is delivered: done at once (the schema engine's WebAssembly keeps the process alive
  // for seconds otherwise, and the bot waits for the exit).
  process.exit(0);
});
