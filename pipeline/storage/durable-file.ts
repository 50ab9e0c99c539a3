// Local files that survive kill -9 and power loss: write-fsync-rename (a reader sees the old
// file or the new one, never half of one) and directory fsync (so renames and unlinks persist).
// Used by the folder store, the twin's registry and PKI, the buffer's spool and the agent's queue.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Atomically replaces `file`; `mode` is set on the temp file before any byte (e.g. of a key) is written. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Temp names start with `.` and end in `.tmp-…`: never a lake key, never the object's extension.
  const temp = path.join(dir, `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // open's mode is filtered by the umask
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** fsyncs a directory, so that entries just renamed, created or unlinked in it persist. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems cannot fsync a directory; renames and unlinks are still atomic there.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` (a write may be short, e.g. near a full disk), at `position` or at the current offset. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position?: number): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, position === undefined ? undefined : position + offset);
    offset += bytesWritten;
  }
}

/** Cuts `file` to `length` bytes (a torn tail found on recovery) and fsyncs the new size. */
export async function truncateDurably(file: string, length: number): Promise<void> {
  await truncate(file, length);
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
