// A ready-made embedded database: a tarball of a migrated PGlite data folder (PGlite's
// dumpDataDir), made once at install (`npm install` runs scripts/embedded-template.ts; the image
// makes it at build) so that a first start on an empty data folder is its files written in (data-dir-tarball.ts) instead of running
// initdb and every migration (measured: about 9 s of WebAssembly on a 2-core machine, most of it
// initdb). It is named by a hash of the committed migrations and PGlite's version: when either
// changes (a checkout without a new install), no template matches and the start runs initdb as
// before, so a wrong template is never loaded. The migrations insert no random or time-dependent
// rows, so a database loaded from it is the one initdb and the migrations would have made.
import '../wasm-baseline.mjs';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOCKET_NAME, socketUrl } from './embedded.ts';
import { applyMigrationsInWorker, readMigrations } from './migrate.ts';
import { applyPendingMigrations } from './roles.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the bot looks for its template (beside the dependencies it was made with). */
export const EMBEDDED_TEMPLATE_DIR = path.join(ROOT, 'node_modules', '.cache', 'incident-bot');
export const EMBEDDED_TEMPLATE_PREFIX = 'pglite-migrated-';

/** The installed PGlite's version (its package.json is not among its exports: found through the module's own path). */
export function pgliteVersion(): string {
  const pglite = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = path.join(pglite.slice(0, pglite.lastIndexOf(`${path.sep}dist${path.sep}`)), 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** What a template depends on: the committed migrations, byte for byte, and the PGlite that wrote it. */
export function embeddedTemplateKey(): string {
  const h = createHash('sha256');
  h.update(`pglite ${pgliteVersion()}\n`);
  const m = readMigrations();
  h.update(m.lockfile.content ?? '');
  for (const d of m.migrationDirectories) {
    const c = d.migrationFile.content;
    h.update(`\0${d.path}\0${c.tag === 'ok' ? c.value : ''}`);
  }
  return h.digest('hex').slice(0, 16);
}

/** The template's file in `dir` for today's migrations. */
export function embeddedTemplateFile(dir = EMBEDDED_TEMPLATE_DIR): string {
  return path.join(dir, `${EMBEDDED_TEMPLATE_PREFIX}${embeddedTemplateKey()}.tar`);
}

/** The bot's template for today's migrations when one was made, else null (a first start then runs initdb). */
export function installedEmbeddedTemplate(): string | null {
  try {
    const file = embeddedTemplateFile();
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Makes the template in `dir` when missing (in this process: run it where its memory is given back). */
export function makeEmbeddedTemplate(dir = EMBEDDED_TEMPLATE_DIR): Promise<string> {
  // The migrations run as the bot runs them, by the schema engine in a child process.
  return makeDataDirTarball(embeddedTemplateFile(dir), (url) =>
    applyPendingMigrations(url, applyMigrationsInWorker).then(() => {}),
  );
}

/**
 * Makes `file` when missing: a tarball (PGlite's dumpDataDir) of a new in-memory PGlite, after
 * `prepare` has run on it (given its URL: PGlite is served on a socket in a private folder beside
 * `file` meanwhile); without `prepare`, of initdb's empty database. Written beside its final name
 * and renamed: a reader sees all of it or none, and processes making it side by side never see half.
 */
export async function makeDataDirTarball(file: string, prepare?: (url: string) => Promise<void>): Promise<string> {
  if (fs.existsSync(file)) return file;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(undefined, { postgresqlconf: ['shared_buffers = 16MB'] });
  try {
    if (prepare) {
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const socketDir = fs.mkdtempSync(path.join(dir, 'socket-'));
      try {
        const server = new PGLiteSocketServer({ db, path: path.join(socketDir, SOCKET_NAME) });
        await server.start();
        try {
          await prepare(socketUrl(socketDir));
        } finally {
          await server.stop();
        }
      } finally {
        fs.rmSync(socketDir, { recursive: true, force: true });
      }
    }
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
    fs.writeFileSync(partial, Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()), { mode: 0o600 });
    fs.renameSync(partial, file);
  } finally {
    await db.close();
  }
  return file;
}
