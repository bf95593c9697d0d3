// CATALOG_PATH: one catalog file, or a folder of them (read recursively: *.yaml, *.yml and *.json,
// leaving out dot-folders and node_modules). Each read is whole: the catalog as the files say now.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CatalogProblem } from '../domain/catalog.ts';
import { buildCatalog, CATALOG_LIMITS, parseCatalogText, type CatalogContents, type RawEntity } from './entities.ts';

/** Files read from one folder, at most (a catalog is outside input). */
export const MAX_CATALOG_FILES = 2000;
/** Everything read in one pass, at most, in bytes. */
export const MAX_CATALOG_BYTES = 50 * 1024 * 1024;

const CATALOG_FILE = /\.(ya?ml|json)$/i;

/** A catalog that cannot be read at all (the path is missing or unreadable): the last good one is kept. */
export class CatalogUnreadable extends Error {
  override readonly cause?: unknown;

  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
    this.name = 'CatalogUnreadable';
  }
}

/** The catalog files under `dir`, sorted (so the first of two duplicates is the same every time). */
async function catalogFiles(dir: string, problems: CatalogProblem[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    if (depth > 20) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (err) {
      problems.push({ source: folder, message: `could not read the folder: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (found.length >= MAX_CATALOG_FILES) return;
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = path.join(folder, e.name);
      // Symbolic links are not followed: a link could lead out of the catalog, or round in a loop.
      if (e.isDirectory()) await walk(full, depth + 1);
      else if (e.isFile() && CATALOG_FILE.test(e.name)) found.push(full);
    }
  };
  await walk(dir, 0);
  if (found.length >= MAX_CATALOG_FILES) {
    problems.push({ source: dir, message: `more than ${MAX_CATALOG_FILES} catalog files: the rest were skipped` });
  }
  return found;
}

/**
 * Reads the catalog at `catalogPath` (a file or a folder). Bad files and entities are problems;
 * only a path that cannot be read at all throws (CatalogUnreadable).
 */
export async function readCatalogPath(catalogPath: string): Promise<CatalogContents> {
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(catalogPath);
  } catch (err) {
    throw new CatalogUnreadable(`CATALOG_PATH ${catalogPath} cannot be read: ${(err as Error).message}`, err);
  }
  const problems: CatalogProblem[] = [];
  const base = stat.isDirectory() ? catalogPath : path.dirname(catalogPath);
  const files = stat.isDirectory() ? await catalogFiles(catalogPath, problems) : [catalogPath];
  const entities: RawEntity[] = [];
  let total = 0;
  for (const file of files) {
    // Sources are named relative to the catalog folder: `services/ehr.yaml#2`.
    const name = path.relative(base, file) || path.basename(file);
    let text: string;
    try {
      const size = (await fs.stat(file)).size;
      if (size > CATALOG_LIMITS.fileBytes) {
        problems.push({
          source: name,
          message: `the file is larger than ${CATALOG_LIMITS.fileBytes} bytes: it was skipped`,
        });
        continue;
      }
      if (total + size > MAX_CATALOG_BYTES) {
        problems.push({
          source: name,
          message: `the catalog is larger than ${MAX_CATALOG_BYTES} bytes: the rest was skipped`,
        });
        break;
      }
      total += size;
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (!stat.isDirectory()) {
        throw new CatalogUnreadable(`CATALOG_PATH ${catalogPath} cannot be read: ${(err as Error).message}`, err);
      }
      problems.push({ source: name, message: `could not be read: ${(err as Error).message}` });
      continue;
    }
    const parsed = await parseCatalogText(text, name, /\.json$/i.test(file) ? 'json' : 'yaml');
    entities.push(...parsed.entities);
    problems.push(...parsed.problems);
    if (entities.length > CATALOG_LIMITS.entities) break;
  }
  return buildCatalog(entities, problems);
}
