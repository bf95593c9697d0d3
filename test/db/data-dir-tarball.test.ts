// A new embedded database on disk is the template's files written into its folder
// (src/db/data-dir-tarball.ts): private modes, PG_VERSION last, and nothing written outside the
// folder or of another kind than files and folders, whatever the tarball says.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { unpackDataDirTarball } from '../../src/db/data-dir-tarball.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { embeddedTemplate } from '../support/templates.ts';

/** A ustar archive of the given entries (type '0' file, '5' folder, '2' symbolic link). */
function tarOf(entries: { name: string; type?: string; data?: string; size?: number }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write(`${(e.size ?? data.length).toString(8).padStart(11, '0')}\0`, 124);
    h.write(e.type ?? '0', 156);
    h.write('ustar\0', 257);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function withTar(entries: Parameters<typeof tarOf>[0], fn: (tar: string, dir: string) => void) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-tarball-'));
  try {
    const tar = path.join(tmp, 'template.tar');
    fs.writeFileSync(tar, tarOf(entries));
    fn(tar, path.join(tmp, 'data'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

test("the template's files are written with owner-only modes, PG_VERSION among them", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-tarball-'));
  try {
    const dir = path.join(tmp, 'data');
    unpackDataDirTarball(await embeddedTemplate(), dir);
    assert.match(fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8'), /^\d+\n$/);
    const walk = (p: string): string[] => {
      const st = fs.statSync(p);
      const mode = st.mode & 0o777;
      const bad = st.isDirectory() ? mode !== 0o700 : mode !== 0o600;
      return [
        ...(bad ? [`${path.relative(dir, p)} ${mode.toString(8)}`] : []),
        ...(st.isDirectory() ? fs.readdirSync(p).flatMap((e) => walk(path.join(p, e))) : []),
      ];
    };
    assert.deepEqual(walk(dir), []);
    assert.ok(fs.existsSync(path.join(dir, 'base')) && fs.existsSync(path.join(dir, 'global', 'pg_control')));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('an archive with anything wrong in it writes nothing, PG_VERSION least of all', () => {
  withTar(
    [
      { name: '/PG_VERSION', data: '17\n' },
      { name: '/base/1/1255', data: 'x' },
      { name: '/base/1/link', type: '2' },
    ],
    (tar, dir) => {
      assert.throws(() => unpackDataDirTarball(tar, dir), /link is of tar type 2/);
      assert.equal(fs.existsSync(dir), false, 'nothing written');
    },
  );
});

test('a member outside the folder, a size past the end and an archive without PG_VERSION are refused', () => {
  withTar([{ name: '../escaped', data: 'x' }], (tar, dir) => {
    assert.throws(() => unpackDataDirTarball(tar, dir), /is outside the data folder/);
    assert.equal(fs.existsSync(path.join(path.dirname(dir), 'escaped')), false);
  });
  withTar([{ name: '/PG_VERSION', data: '17\n', size: 1 << 20 }], (tar, dir) =>
    assert.throws(() => unpackDataDirTarball(tar, dir), /has a size the archive does not hold/),
  );
  withTar([{ name: '/base', type: '5' }], (tar, dir) =>
    assert.throws(() => unpackDataDirTarball(tar, dir), /holds no PG_VERSION/),
  );
});

test('nothing is written through a symbolic link already in the folder, to a folder or to a file', () => {
  for (const linked of ['base', 'base/1/1255']) {
    withTar(
      [
        { name: '/PG_VERSION', data: '17\n' },
        { name: '/base/1/1255', data: 'catalog' },
      ],
      (tar, dir) => {
        const outside = path.join(path.dirname(dir), 'outside');
        fs.mkdirSync(outside);
        fs.mkdirSync(path.join(dir, 'base', '1'), { recursive: true });
        const target = linked === 'base' ? outside : path.join(outside, 'victim');
        if (linked === 'base') fs.rmSync(path.join(dir, 'base'), { recursive: true });
        else fs.writeFileSync(target, "not the bot's");
        fs.symlinkSync(target, path.join(dir, linked));
        assert.throws(() => unpackDataDirTarball(tar, dir), linked === 'base' ? /is not a folder/ : /ELOOP/);
        assert.deepEqual(
          fs.readdirSync(outside).map((f) => [f, fs.readFileSync(path.join(outside, f), 'utf8')]),
          linked === 'base' ? [] : [['victim', "not the bot's"]],
          'nothing written outside',
        );
        assert.equal(fs.existsSync(path.join(dir, 'PG_VERSION')), false);
      },
    );
  }
});

test('a start from a broken template fails with one clear line, leaves no database behind and frees the folder', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-tarball-'));
  try {
    const bad = path.join(tmp, 'template.tar');
    fs.writeFileSync(bad, tarOf([{ name: '/base/1/1255', data: 'x' }]));
    const dir = path.join(tmp, 'data');
    await assert.rejects(
      startEmbeddedPostgres(dir, { template: bad }),
      /^Error: The ready-made database .*template\.tar could not be written into .*data: .*holds no PG_VERSION.*run npm install again to remake it/,
    );
    assert.equal(fs.existsSync(path.join(dir, 'PG_VERSION')), false);
    // The folder is free again: a start from the good template works.
    const db = await startEmbeddedPostgres(dir, { template: await embeddedTemplate() });
    await db.stop();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
