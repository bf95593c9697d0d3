// Checkpoint files in AUDIT_CHECKPOINT_DIR: each a new read-only file that appears complete, never
// written over an existing file or through a symlink planted at its name.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeCheckpointFile } from '../../src/jobs/checkpoint-folder.ts';

test('a checkpoint file is new, complete and read-only; nothing existing is overwritten or followed', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-folder-'));
  try {
    const dir = path.join(tmp, 'nested', 'checkpoints');
    const first = await writeCheckpointFile(dir, 'cp.json', '{"a":1}\n');
    assert.equal(first, path.join(dir, 'cp.json'));
    assert.equal(fs.readFileSync(first, 'utf8'), '{"a":1}\n');
    assert.equal(fs.statSync(first).mode & 0o777, 0o444);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700, "a folder it creates is the bot's alone");
    // The same checkpoint again (a retry whose answer was lost): already written.
    assert.equal(await writeCheckpointFile(dir, 'cp.json', '{"a":1}\n'), first);
    // Another content under a taken name: a new name, the old file untouched.
    const second = await writeCheckpointFile(dir, 'cp.json', '{"a":2}\n');
    assert.equal(second, path.join(dir, 'cp-2.json'));
    assert.equal(fs.readFileSync(first, 'utf8'), '{"a":1}\n');
    // A symlink planted at the name is not written through.
    const target = path.join(tmp, 'elsewhere.txt');
    fs.writeFileSync(target, 'precious');
    fs.symlinkSync(target, path.join(dir, 'planted.json'));
    const third = await writeCheckpointFile(dir, 'planted.json', '{"a":3}\n');
    assert.equal(third, path.join(dir, 'planted-2.json'));
    assert.equal(fs.readFileSync(target, 'utf8'), 'precious');
    // No temporary files are left behind.
    assert.deepEqual(fs.readdirSync(dir).sort(), ['cp-2.json', 'cp.json', 'planted-2.json', 'planted.json']);
    // A folder that cannot be made fails (the job retries), writing nothing.
    const blocked = path.join(tmp, 'blocked');
    fs.writeFileSync(blocked, 'a file in the way');
    await assert.rejects(writeCheckpointFile(blocked, 'cp.json', '{}'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
