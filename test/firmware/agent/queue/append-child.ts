// Child process for the queue's kill -9 test: appends numbered batch payloads to a DiskQueue as
// fast as it can, printing each seq only after its append resolved (fsynced). It never stops by
// itself; the parent kills it with SIGKILL, mostly in the middle of a write or an fsync.
//   node --import tsx test/firmware/agent/queue/append-child.ts <queueDir>
import { DiskQueue } from '../../../../firmware/agent/queue/disk-queue.ts';
import { crashPayload } from './crash-payload.ts';

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: append-child.ts <queueDir>');
// Small segments and a small bound: kills also land in rolls and evictions.
const queue = await DiskQueue.open({ dir, maxBytes: 256 * 1024, segmentBytes: 16 * 1024 });
process.stdout.write('ready\n');
for (;;) {
  const seq = await queue.append(8, (id) => crashPayload(id));
  // Synchronous on a pipe (Linux): once written, the parent has it even if we die next.
  process.stdout.write(`${seq}\n`);
}
