import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a checkpoint file into `dir` (AUDIT_CHECKPOINT_DIR): created exclusively (never over an
 * existing file, nor through a symlink planted at its name), read-only (0444), flushed to disk.
 * A name already taken by the same content counts as written (a retry after a lost answer); by
 * other content, the next free `-2`, `-3`… name is used. Returns the path written.
 */
export async function writeCheckpointFile(dir: string, filename: string, content: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const ext = path.extname(filename);
  const stem = filename.slice(0, filename.length - ext.length);
  for (let n = 1; n <= 100; n++) {
    const file = path.join(dir, n === 1 ? filename : `${stem}-${n}${ext}`);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'wx', 0o444);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const existing = await fs.readFile(file, 'utf8').catch(() => null);
      if (existing === content) return file;
      continue;
    }
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
    // The new name itself made durable too (best effort: not every file system syncs directories).
    await fs.open(dir, 'r').then((d) => d.sync().finally(() => d.close())).catch(() => {});
    return file;
  }
  throw new Error(`no free file name for ${filename} in ${dir}`);
}
