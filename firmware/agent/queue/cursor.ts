// The queue's checkpoint: the first id not yet delivered (everything below it was PUBACKed or
// evicted) and the loss counters, replaced atomically (write, fsync, rename, fsync the folder)
// so that a crash leaves the previous checkpoint or the new one, never a torn one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileAtomic } from '../../../pipeline/storage/durable-file.ts';

export interface Cursor {
  /** First id not yet acknowledged or evicted. */
  head: number;
  /** Messages and readings dropped because the queue was full, since the queue was created. */
  evictedMessages: number;
  evictedReadings: number;
}

export const CURSOR_FILE = 'cursor.json';
export const EMPTY_CURSOR: Cursor = { head: 0, evictedMessages: 0, evictedReadings: 0 };

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export async function readCursor(dir: string): Promise<Cursor> {
  let text: string;
  try {
    text = await readFile(path.join(dir, CURSOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY_CURSOR };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Cursor>;
  if (!isCount(parsed.head) || !isCount(parsed.evictedMessages) || !isCount(parsed.evictedReadings)) {
    throw new Error(`queue cursor ${path.join(dir, CURSOR_FILE)} is not a valid cursor: ${text.slice(0, 200)}`);
  }
  return { head: parsed.head, evictedMessages: parsed.evictedMessages, evictedReadings: parsed.evictedReadings };
}

export async function writeCursor(dir: string, cursor: Cursor): Promise<void> {
  await writeFileAtomic(path.join(dir, CURSOR_FILE), `${JSON.stringify(cursor)}\n`, 0o600);
  await syncDir(dir);
}
