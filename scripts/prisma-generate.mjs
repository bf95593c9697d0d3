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
    console.error(
      'prisma-generate: the Prisma CLI (a development dependency) is not installed; the client in src/generated is kept.',
    );
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

// The generated client carries Prisma's query compiler as a 2.3 MB base64 string in a JavaScript
// module, which stays in the bot's heap for good (the module's source and the string: about 5 MB)
// and is parsed and decoded at each start. The same bytes are written beside the client as a
// .wasm file, and the client reads them from there. Should a Prisma version generate the loader
// differently, the client is left as generated (it works either way) and this says so.
const generated = path.join(root, 'src', 'generated', 'prisma', 'internal');
const classFile = path.join(generated, 'class.ts');
const loader =
  /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/query_compiler_[a-z]+_bg\.postgresql\.wasm-base64\.mjs)"\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
const source = fs.readFileSync(classFile, 'utf8');
const found = source.match(loader);
if (!found) {
  console.error(
    'prisma-generate: the query compiler loader in src/generated/prisma/internal/class.ts is not the expected one: left as generated.',
  );
} else {
  const base64Module = path.join(
    root,
    'node_modules',
    found[1].replace(/^@prisma\/client\/runtime\//, '@prisma/client/runtime/'),
  );
  const base64 = fs.readFileSync(base64Module, 'utf8').match(/const wasm = "([A-Za-z0-9+/=]+)"/)?.[1];
  if (!base64) {
    console.error(`prisma-generate: no base64 WebAssembly in ${base64Module}: the client is left as generated.`);
  } else {
    fs.writeFileSync(path.join(generated, 'query_compiler.wasm'), Buffer.from(base64, 'base64'));
    fs.writeFileSync(
      classFile,
      source.replace(
        loader,
        `const { readFile } = await import("node:fs/promises")\n$2return new WebAssembly.Module(await readFile(new URL("./query_compiler.wasm", import.meta.url)))`,
      ),
    );
  }
}
