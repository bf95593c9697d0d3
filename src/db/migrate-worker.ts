// Runs the committed migrations in a worker thread (see applyMigrationsInWorker): the schema
// engine's WebAssembly memory goes away with the worker instead of staying in the bot's process.
import { parentPort, workerData } from 'node:worker_threads';
import { applyMigrations } from './migrate.ts';

try {
  const applied = await applyMigrations((workerData as { url: string }).url);
  parentPort!.postMessage({ ok: true, applied });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
}
