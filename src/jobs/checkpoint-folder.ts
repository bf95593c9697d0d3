import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PackCheckpoint } from '../domain/evidence-pack.ts';
import type { CheckpointArchive } from '../ports/evidence-records.ts';

/** Writes `content` to a new file (exclusive create, so never over an existing file or through a symlink planted at its name), read-only and flushed. */
async function writeNew(file: string, content: string): Promise<void> {
  const handle = await fs.open(file, 'wx', 0o444);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(0o444);
    await handle.sync();
    await handle.close();
  } catch (err) {
    // Ours and incomplete: removed, so a retry starts clean (nothing anyone else wrote is touched).
    await handle.close().catch(() => {});
    await fs.unlink(file).catch(() => {});
    throw err;
  }
}

/**
 * Writes a checkpoint file into `dir` (AUDIT_CHECKPOINT_DIR), never overwriting anything: the text
 * goes to a hidden temporary file first, which is then hard-linked to its name (link() refuses an
 * existing name), so the file appears complete, read-only (0444) and flushed to disk, or not at
 * all. On a file system without hard links it is written in place, created exclusively. A name
 * already taken by the same content counts as written (a retry after a lost answer); by other
 * content, the next free `-2`, `-3`… name is used. Returns the path written.
 */
export async function writeCheckpointFile(dir: string, filename: string, content: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${filename}.${randomBytes(6).toString('hex')}.tmp`);
  let linkable = true;
  await writeNew(temp, content);
  try {
    const ext = path.extname(filename);
    const stem = filename.slice(0, filename.length - ext.length);
    for (let n = 1; n <= 100; n++) {
      const file = path.join(dir, n === 1 ? filename : `${stem}-${n}${ext}`);
      try {
        if (linkable) await fs.link(temp, file);
        else await writeNew(file, content);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (linkable && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) {
          linkable = false;
          n--;
          continue;
        }
        if (code !== 'EEXIST') throw err;
        if ((await fs.readFile(file, 'utf8').catch(() => null)) === content) return file;
        continue;
      }
      // The new name itself made durable too (best effort: not every file system syncs directories).
      await fs
        .open(dir, 'r')
        .then((d) => d.sync().finally(() => d.close()))
        .catch(() => {});
      return file;
    }
    throw new Error(`no free file name for ${filename} in ${dir}`);
  } finally {
    await fs.unlink(temp).catch(() => {});
  }
}

/** `audit-checkpoint-20261205T130000Z-schedule.json` (and `-2`… when a name was taken): when it was taken. */
const CHECKPOINT_NAME = /^audit-checkpoint-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[a-z0-9-]+\.json$/;

/** The folder the checkpoints are written to, read back (evidence packs include those of their period). */
export class CheckpointFolder implements CheckpointArchive {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async checkpointsBetween(from: Date, to: Date, limit: number): Promise<{ files: PackCheckpoint[]; more: number }> {
    const names = (await fs.readdir(this.dir))
      .flatMap((name) => {
        const m = CHECKPOINT_NAME.exec(name);
        if (!m) return [];
        const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
        return at >= from.getTime() && at < to.getTime() ? [{ name, at }] : [];
      })
      .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
    const chosen = names.slice(Math.max(0, names.length - limit));
    const files: PackCheckpoint[] = [];
    for (const c of chosen) files.push({ name: c.name, text: await fs.readFile(path.join(this.dir, c.name), 'utf8') });
    return { files, more: names.length - chosen.length };
  }
}
