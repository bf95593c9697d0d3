// Node's test runner runs this once before the test files (scripts/test.ts passes
// --test-global-setup): the migrated database templates are made here, once, rather than by the
// first files to start side by side (test/support/templates.ts). A file run on its own makes them
// itself when they are missing.
import { emptyEmbeddedTemplate, embeddedTemplate, pruneEmbeddedTemplates, serverTemplate } from './templates.ts';

export async function globalSetup(): Promise<void> {
  pruneEmbeddedTemplates();
  const server = process.env.TEST_DATABASE_URL;
  await Promise.all([embeddedTemplate(), emptyEmbeddedTemplate(), server ? serverTemplate(server) : null]);
}
