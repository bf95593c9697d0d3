// Unpacks a data-folder tarball (PGlite's dumpDataDir: the embedded database's template) into an
// empty data folder, in this process: a new embedded database on disk is then opened like any
// other. Loading it through PGlite instead (loadDataDir) took a process of its own, a whole Postgres
// start and about 1.5 s of CPU; this is a few tens of milliseconds of file writes.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes the files of the tarball at `tarFile` into `dir` (made if missing): folders 0700, files 0600,
 * as the database keeps them. The whole archive is read and checked before anything is written: a
 * member outside the folder, any entry but files and folders, a size the archive does not hold or
 * no PG_VERSION is refused with nothing written. PG_VERSION, which marks a folder as holding a
 * database, is written last, so a write cut short (a full disk) leaves a folder that the next start
 * still sees as new and unpacks again over the same names.
 */
export function unpackDataDirTarball(tarFile: string, dir: string): void {
  const tar = fs.readFileSync(tarFile);
  const root = path.resolve(dir);
  const folders: string[] = [];
  const files: { target: string; data: Buffer }[] = [];
  let marker: { target: string; data: Buffer } | null = null;
  // PGlite writes a plain ustar archive: 512-byte headers, contents padded to 512.
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, to: number) =>
      header
        .subarray(from, to)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '');
    const name = [field(345, 500), field(0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(124, 136).trim() || '0', 8);
    const type = field(156, 157) || '0';
    if (!Number.isSafeInteger(size) || size < 0 || at + 512 + size > tar.length)
      throw new Error(`${tarFile}: ${name} has a size the archive does not hold`);
    const target = path.resolve(root, `.${path.posix.sep}${name}`);
    if (target !== root && !target.startsWith(root + path.sep))
      throw new Error(`${tarFile}: ${name} is outside the data folder`);
    if (type === '5') folders.push(target);
    else if (type === '0') {
      const data = tar.subarray(at + 512, at + 512 + size);
      if (target === path.join(root, 'PG_VERSION')) marker = { target, data };
      else files.push({ target, data });
    } else throw new Error(`${tarFile}: ${name} is of tar type ${type}, which a data folder does not have`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  if (!marker) throw new Error(`${tarFile} holds no PG_VERSION: it is not a database's data folder`);

  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  // Nothing is written through a symbolic link: a folder on the way must be a folder (checked once
  // each), and a file is opened with O_NOFOLLOW.
  const checked = new Set<string>([root]);
  const folder = (p: string) => {
    if (checked.has(p)) return;
    folder(path.dirname(p));
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p);
    } catch {
      fs.mkdirSync(p, { mode: 0o700 });
    }
    if (st && !st.isDirectory()) throw new Error(`${p} is not a folder (a link, or a file): not written through`);
    checked.add(p);
  };
  const write = (target: string, data: Buffer) => {
    folder(path.dirname(target));
    const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  };
  for (const f of folders) folder(f);
  for (const { target, data } of files) write(target, data);
  const { target, data } = marker as { target: string; data: Buffer };
  write(target, data);
}
