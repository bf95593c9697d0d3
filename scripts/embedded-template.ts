// Makes the ready-made embedded database (src/db/embedded-template.ts) that a first start on an
// empty data folder loads instead of running initdb and the migrations. Run by `npm install`
// (postinstall) and by the image's build. It never fails the install: without a template the
// first start makes its database as before, only slower.
import '../src/wasm-baseline.mjs';
import { embeddedTemplateFile, makeEmbeddedTemplate } from '../src/db/embedded-template.ts';

try {
  const started = Date.now();
  const existed = (await import('node:fs')).existsSync(embeddedTemplateFile());
  const file = await makeEmbeddedTemplate();
  if (!existed) console.log(`embedded database template made in ${Date.now() - started} ms: ${file}`);
} catch (err) {
  console.warn(
    `The embedded database template could not be made (${err instanceof Error ? err.message : String(err)}); a first start will run initdb and the migrations instead.`,
  );
}
process.exit(0);
