// The durable-file helpers shared by the spool and the agent's queue: positional and appending
// writes of a whole buffer, and cutting a torn tail off a file.
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { truncateDurably, writeAll } from '../../../pipeline/storage/durable-file.ts';

describe('durable file helpers', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-durable-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes a whole buffer at a position, and appends at the current offset without one', async () => {
    const file = join(dir, 'segment');
    const handle = await open(file, 'w+');
    try {
      await writeAll(handle, Buffer.from('MAGIC---'), 0);
      await writeAll(handle, Buffer.from('record-1'), 8);
      await writeAll(handle, Buffer.from('MAGIC'), 0);
    } finally {
      await handle.close();
    }
    expect(await readFile(file, 'latin1')).toBe('MAGIC---record-1');
    const appender = await open(file, 'a');
    try {
      await writeAll(appender, Buffer.from('|tail'));
    } finally {
      await appender.close();
    }
    expect(await readFile(file, 'latin1')).toBe('MAGIC---record-1|tail');
  });

  it('cuts a file to the given length, keeping what precedes it', async () => {
    const file = join(dir, 'torn');
    await writeFile(file, 'intact-records|half-writ');
    await truncateDurably(file, 'intact-records'.length);
    expect((await stat(file)).size).toBe(14);
    expect(await readFile(file, 'latin1')).toBe('intact-records');
  });
});
