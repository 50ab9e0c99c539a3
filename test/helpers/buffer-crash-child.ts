// Child process for the kill -9 durability test: opens the durable buffer on a state folder and
// a lake folder, then pushes numbered single-reading publishes through the sink, 64 at a time,
// printing a publish's id only after the sink resolved (the moment the broker would PUBACK).
// It never stops by itself; the parent kills it with SIGKILL.
//   node --import tsx test/helpers/buffer-crash-child.ts <stateDir> <lakeDir> <firstId>
import { openDurableBuffer } from '../../infra/local/buffer/durable-buffer.ts';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { crashTestPublish } from './crash-test-publish.ts';

const [stateDir, lakeDir, firstIdText] = process.argv.slice(2);
if (stateDir === undefined || lakeDir === undefined || firstIdText === undefined) throw new Error('usage: buffer-crash-child.ts <stateDir> <lakeDir> <firstId>');

const duckdb = await openDuckDb({ threads: 1 });
// Small hints, so that kills also land during deliveries and between delivery and release.
const buffer = await openDurableBuffer({ stateDir, store: new FolderStore(lakeDir), duckdb, bufferHints: { sizeMb: 0.05, intervalSeconds: 0.2 } });
process.stdout.write('ready\n');

let next = Number(firstIdText);
const sendOne = async (): Promise<void> => {
  for (;;) {
    const id = next++;
    await buffer.sink(crashTestPublish(id));
    // Synchronous on a pipe (Linux): once written, the parent has it even if we die next.
    process.stdout.write(`${id}\n`);
  }
};
await Promise.all(Array.from({ length: 64 }, sendOne));
