import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { InvalidKeyError } from '../../../pipeline/storage/keys.ts';
import { ObjectNotFoundError } from '../../../pipeline/storage/object-store.ts';

const RAW_KEY = 'raw/readings/dt=2026-11-21/wattlake-readings-1-2026-11-21-10-15-00-4f1c9a2e.gz';
const line = (seq: number): Uint8Array =>
  new TextEncoder().encode(
    `{"site_id":"site-stockholm-01","device_id":"meter-0001","ts":1795256100000,"energy_import_kwh":1532.25,"seq":${seq}}\n`,
  );

// The lake is a subfolder of a fresh temp folder, so a write that escaped it would show up in `parent`.
let parent: string;
let root: string;
let store: FolderStore;

beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'wattlake-folder-store-'));
  root = path.join(parent, 'lake');
  await mkdir(root);
  store = new FolderStore(root);
});

afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('FolderStore', () => {
  it('returns what was put', async () => {
    await store.put(RAW_KEY, line(1));
    expect(await store.get(RAW_KEY)).toEqual(line(1));
  });

  it('stores a key at the same path under the root as in the bucket', async () => {
    await store.put(RAW_KEY, line(1));
    const file = path.join(root, 'raw', 'readings', 'dt=2026-11-21', 'wattlake-readings-1-2026-11-21-10-15-00-4f1c9a2e.gz');
    expect(store.pathOf(RAW_KEY)).toBe(file);
    expect(new Uint8Array(await readFile(file))).toEqual(line(1));
  });

  it('gives absolute paths even for a relative root', () => {
    const relative = new FolderStore(path.relative(process.cwd(), root));
    expect(relative.pathOf(RAW_KEY)).toBe(store.pathOf(RAW_KEY));
    expect(path.isAbsolute(relative.pathOf(RAW_KEY))).toBe(true);
  });

  it('overwrites an existing object', async () => {
    await store.put(RAW_KEY, line(1));
    await store.put(RAW_KEY, line(2));
    expect(await store.get(RAW_KEY)).toEqual(line(2));
  });

  it('stores an empty object', async () => {
    await store.put(RAW_KEY, new Uint8Array());
    expect(await store.get(RAW_KEY)).toEqual(new Uint8Array());
  });

  it('leaves no temp file behind after a put', async () => {
    await store.put(RAW_KEY, line(1));
    await store.put(RAW_KEY, line(2));
    expect(await filesUnder(root)).toEqual([path.join('raw', 'readings', 'dt=2026-11-21', path.basename(RAW_KEY))]);
  });

  it('cleans up its temp file when the rename fails', async () => {
    // The key already exists as a folder, so the final rename cannot replace it.
    await store.put('reference/sites/sites.csv', line(1));
    await expect(store.put('reference/sites', line(2))).rejects.toThrow();
    expect(await filesUnder(root)).toEqual([path.join('reference', 'sites', 'sites.csv')]);
  });

  it('rejects a missing key with ObjectNotFoundError naming the key', async () => {
    await expect(store.get(RAW_KEY)).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get(RAW_KEY)).rejects.toMatchObject({ key: RAW_KEY });
  });

  it('treats a folder as a missing object, as S3 does', async () => {
    await store.put(RAW_KEY, line(1));
    await expect(store.get('raw/readings')).rejects.toThrow(ObjectNotFoundError);
  });

  it('treats a key below a file as a missing object', async () => {
    await store.put('reference/sites.csv', line(1));
    await expect(store.get('reference/sites.csv/x')).rejects.toThrow(ObjectNotFoundError);
  });

  it('deletes an object', async () => {
    await store.put(RAW_KEY, line(1));
    await store.delete(RAW_KEY);
    await expect(store.get(RAW_KEY)).rejects.toThrow(ObjectNotFoundError);
  });

  it('deletes a missing key without error', async () => {
    await store.put(RAW_KEY, line(1));
    await store.delete(RAW_KEY);
    await expect(store.delete(RAW_KEY)).resolves.toBeUndefined();
    await expect(store.delete('errors/readings/never-written.json')).resolves.toBeUndefined();
  });

  describe('list', () => {
    const keys = [
      'raw/readings/dt=2026-11-21/b.gz',
      'raw/readings/dt=2026-11-21/a.gz',
      'raw/readings/dt=2026-11-03/c.gz',
      'raw/readings/dt=2026-11-29/d.gz',
      'curated/readings/dt=2026-11-21/part-1.parquet',
      'errors/readings/e.json',
    ];

    beforeEach(async () => {
      for (const key of keys) await store.put(key, line(1));
    });

    it('returns every key in the lake, sorted, for an empty prefix', async () => {
      expect(await store.list('')).toEqual([...keys].sort());
    });

    it('returns the keys under a folder recursively, sorted', async () => {
      expect(await store.list('raw/')).toEqual([
        'raw/readings/dt=2026-11-03/c.gz',
        'raw/readings/dt=2026-11-21/a.gz',
        'raw/readings/dt=2026-11-21/b.gz',
        'raw/readings/dt=2026-11-29/d.gz',
      ]);
    });

    it('sorts whole keys as S3 does, so `sites-archive/` comes before `sites/`', async () => {
      // A folder-by-folder walk would give sites/ first; S3 orders by the full key, and '-' < '/'.
      await store.put('reference/sites/sites.csv', line(1));
      await store.put('reference/sites-archive/2025.csv', line(1));
      expect(await store.list('reference/')).toEqual(['reference/sites-archive/2025.csv', 'reference/sites/sites.csv']);
    });

    it('filters on a prefix that ends inside a name', async () => {
      expect(await store.list('raw/readings/dt=2026-11-2')).toEqual([
        'raw/readings/dt=2026-11-21/a.gz',
        'raw/readings/dt=2026-11-21/b.gz',
        'raw/readings/dt=2026-11-29/d.gz',
      ]);
    });

    it('matches a whole key as a prefix', async () => {
      expect(await store.list('errors/readings/e.json')).toEqual(['errors/readings/e.json']);
    });

    it('returns nothing for a folder that does not exist', async () => {
      expect(await store.list('curated/rejected_readings/')).toEqual([]);
      expect(await store.list('exports/daily-energy/dt=2026-11-21/')).toEqual([]);
    });

    it('returns nothing when the prefix runs through a file', async () => {
      expect(await store.list('errors/readings/e.json/')).toEqual([]);
    });

    it('returns nothing for a lake folder that does not exist yet', async () => {
      expect(await new FolderStore(path.join(parent, 'not-yet')).list('')).toEqual([]);
    });

    it('does not show temp files or hidden folders', async () => {
      const dir = path.join(root, 'raw', 'readings', 'dt=2026-11-21');
      await writeFile(path.join(dir, '.a.gz.tmp-4f1c9a2e0b7d'), 'half-written');
      await mkdir(path.join(dir, '.staging'));
      await writeFile(path.join(dir, '.staging', 'x.gz'), 'hidden');
      expect(await store.list('raw/readings/dt=2026-11-21/')).toEqual(['raw/readings/dt=2026-11-21/a.gz', 'raw/readings/dt=2026-11-21/b.gz']);
    });

    it('does not list a deleted key', async () => {
      await store.delete('raw/readings/dt=2026-11-21/a.gz');
      expect(await store.list('raw/readings/dt=2026-11-21/')).toEqual(['raw/readings/dt=2026-11-21/b.gz']);
    });

    it.each(['../', '/', '/raw/', 'raw//', 'raw/../../'])('rejects the prefix %j', async (prefix) => {
      await expect(store.list(prefix)).rejects.toThrow(InvalidKeyError);
    });
  });

  describe('unsafe keys', () => {
    const unsafe = ['../x.gz', '../lake-evil/x.gz', 'a/../../x.gz', '/abs/x.gz', 'raw//x.gz', 'raw/x\0.gz', 'raw/mätare.gz', '', 'raw/', './x.gz', '.x.gz.tmp-1'];

    it.each(unsafe)('put rejects %j and writes nothing anywhere', async (key) => {
      await expect(store.put(key, line(1))).rejects.toThrow(InvalidKeyError);
      expect(await readdir(parent)).toEqual(['lake']);
      expect(await readdir(root)).toEqual([]);
    });

    it.each(unsafe)('get, delete and pathOf reject %j', async (key) => {
      await expect(store.get(key)).rejects.toThrow(InvalidKeyError);
      await expect(store.delete(key)).rejects.toThrow(InvalidKeyError);
      expect(() => store.pathOf(key)).toThrow(InvalidKeyError);
    });

    it('does not delete a file outside the root', async () => {
      await writeFile(path.join(parent, 'x.gz'), 'not part of the lake');
      await expect(store.delete('../x.gz')).rejects.toThrow(InvalidKeyError);
      expect(await readFile(path.join(parent, 'x.gz'), 'utf8')).toBe('not part of the lake');
    });
  });
});
