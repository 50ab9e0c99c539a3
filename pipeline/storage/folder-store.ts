// The local twin's S3: a folder holding exactly the S3 key layout, so that DuckDB and the
// converter can read real files and `aws s3 sync` maps one-to-one onto a bucket.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileAtomic } from './durable-file.ts';
import { assertSafeKey, InvalidKeyError } from './keys.ts';
import { assertSafePrefix } from './list-prefix.ts';
import { ObjectNotFoundError, type ObjectStore } from './object-store.ts';

/** Temp files start with `.` (no key segment can) and end in `.tmp-…`, never in the object's extension. */
const isHidden = (name: string): boolean => name.startsWith('.');

export class FolderStore implements ObjectStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The absolute file of `key`; throws `InvalidKeyError` for a key that is unsafe or would land outside the root. */
  pathOf(key: string): string {
    assertSafeKey(key);
    return this.inside(key, path.resolve(this.root, ...key.split('/')));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const firstCreated = await mkdir(dir, { recursive: true });
    await writeFileAtomic(file, body);
    // Make the rename, and any folders just created for it, survive a power cut.
    await syncDir(dir);
    if (firstCreated !== undefined) {
      const stop = path.dirname(firstCreated);
      for (let d = dir; d !== stop && d !== path.dirname(d); d = path.dirname(d)) await syncDir(path.dirname(d));
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const file = this.pathOf(key);
    try {
      const bytes = await readFile(file);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      // A "folder" is not an object in S3 either.
      if (hasCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter on the partial name after it.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const start = folder === '' ? this.root : this.inside(prefix, path.resolve(this.root, ...folder.slice(0, -1).split('/')));
    const keys: string[] = [];
    await this.walk(start, folder, keys);
    // Keys are ASCII (see keys.ts), so code-unit order is S3's UTF-8 byte order.
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (!hasCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw error;
    }
  }

  /** Regular files only: temp files, dot-folders and symlinks are not objects. */
  private async walk(dir: string, keyPrefix: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      if (entry.isDirectory()) await this.walk(path.join(dir, entry.name), `${keyPrefix}${entry.name}/`, out);
      else if (entry.isFile()) out.push(`${keyPrefix}${entry.name}`);
    }
  }

  /** Defence in depth behind `assertSafeKey`: the resolved path must stay strictly under the root. */
  private inside(key: string, resolved: string): string {
    const relative = path.relative(this.root, resolved);
    if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new InvalidKeyError(`${JSON.stringify(key)} resolves outside the lake`);
    }
    return resolved;
  }
}


function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}
