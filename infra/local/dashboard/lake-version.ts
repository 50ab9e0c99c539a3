// A cheap fingerprint of what the dashboard's queries read, so that the page reloads its data
// only when something landed. Every lake write is a rename into a partition or table folder
// (pipeline/storage/durable-file.ts), and adding, replacing or deleting a file changes its
// folder's mtime: stat-ing the folders (one per UTC day) is enough, however many files a day
// holds before compaction.
import { createHash, type Hash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LAKE_PREFIXES } from '../../../pipeline/storage/keys.ts';

/** Prefixes the queries read: curated Parquet and the reference tables. */
const WATCHED = [LAKE_PREFIXES.curated, LAKE_PREFIXES.rejected, LAKE_PREFIXES.reference];

async function addFolder(hash: Hash, dir: string, depth: number): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    hash.update(`${dir}:absent\n`);
    return;
  }
  hash.update(`${dir}:${info.mtimeMs}\n`);
  if (depth === 0) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) await addFolder(hash, join(dir, entry.name), depth - 1);
  }
}

/** Changes whenever a curated file or a reference table is added, replaced or removed. */
export async function lakeVersion(lakeRoot: string): Promise<string> {
  const hash = createHash('sha256');
  // The prefix folder itself (new partitions) and each partition or table folder (files in it).
  for (const prefix of WATCHED) await addFolder(hash, join(resolve(lakeRoot), ...prefix.split('/').filter(Boolean)), 1);
  return hash.digest('hex').slice(0, 16);
}
