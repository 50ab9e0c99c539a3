// One process per spool: two twins appending to the same segment files would interleave
// records and release each other's segments. The lock is a file next to the spool folder
// (`<stateDir>/spool.lock`, so the folder holds segments only) with its owner's PID, created
// with O_EXCL. A lock whose process is gone (kill -9, power cut) is stale and is taken
// over; so is one naming this very process (a container restarted with the same PID, or a
// buffer reopened in-process after a crash).
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The lock file of spool folder `dir`. */
export const lockFileOf = (dir: string): string => `${path.resolve(dir)}.lock`;

export class SpoolLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the spool in ${dir} is in use by another wattlake process (PID ${pid}); stop it first, or use another state folder (WATTLAKE_STATE). If no such process is running, delete ${lockFileOf(dir)}.`);
    this.name = 'SpoolLockedError';
  }
}

export interface SpoolLock {
  /** Removes the lock (only if it is still ours). */
  release(): Promise<void>;
}

/** True while a process with this PID exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const readOwner = async (file: string): Promise<number | null> => {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
  if (text === null) return null;
  const pid = Number.parseInt(text, 10);
  // An unreadable lock (torn by a crash between create and write) names no one: stale.
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
};

const isStale = (pid: number): boolean => pid === 0 || pid === process.pid || !processAlive(pid);

/** Takes the lock of spool folder `dir`, or throws SpoolLockedError naming the live owner. */
export async function lockSpool(dir: string): Promise<SpoolLock> {
  const file = lockFileOf(dir);
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      return { release: () => releaseIfOurs(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(file);
    if (owner === null) continue; // released meanwhile: try again
    if (!isStale(owner)) throw new SpoolLockedError(dir, owner);
    // Take a stale lock over by renaming it aside: a rename succeeds for one contender only.
    const aside = `${file}.stale-${process.pid}`;
    try {
      await rename(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    // Between our read and our rename another process may have taken the stale lock over and
    // written its own: then it is that process's lock, which goes back.
    const moved = await readOwner(aside);
    if (moved !== null && !isStale(moved)) {
      await rename(aside, file);
      throw new SpoolLockedError(dir, moved);
    }
    await unlink(aside).catch(() => undefined);
  }
  throw new Error(`could not take the spool lock ${file}: it keeps changing hands`);
}

async function releaseIfOurs(file: string): Promise<void> {
  if ((await readOwner(file)) === process.pid) await unlink(file).catch(() => undefined);
}
