// Runs `prisma generate` without the native schema engine, which cannot be downloaded here:
// generate never calls the engine, but the CLI insists on finding one, so a stub stands in for it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const stub = path.join(os.tmpdir(), 'incident-bot-schema-engine-stub');
fs.writeFileSync(stub, '#!/bin/sh\necho "schema engine stub: use npm run db:migrate" >&2\nexit 1\n', { mode: 0o755 });
const cli = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'node_modules', 'prisma', 'build', 'index.js');
execFileSync(process.execPath, [cli, 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
});
