// Runs `prisma generate` without the native schema engine, which cannot be downloaded here:
// generate never calls the engine, but the CLI insists on finding one, so a stub stands in for it.
// The CLI is a development dependency: a production install (`npm ci --omit=dev`) keeps the client
// already generated in src/generated, and without one says how to get it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!fs.existsSync(cli)) {
  if (fs.existsSync(path.join(root, 'src', 'generated', 'prisma', 'client.ts'))) {
    console.error('prisma-generate: the Prisma CLI (a development dependency) is not installed; the client in src/generated is kept.');
    process.exit(0);
  }
  console.error(
    'prisma-generate: the Prisma CLI (a development dependency) is not installed and src/generated has no client: ' +
      'run `npm ci` with development dependencies to generate it (then `npm prune --omit=dev`), or build the Docker image.',
  );
  process.exit(1);
}
const stub = path.join(os.tmpdir(), 'incident-bot-schema-engine-stub');
fs.writeFileSync(stub, '#!/bin/sh\necho "schema engine stub: use npm run db:migrate" >&2\nexit 1\n', { mode: 0o755 });
execFileSync(process.execPath, [cli, 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
});
