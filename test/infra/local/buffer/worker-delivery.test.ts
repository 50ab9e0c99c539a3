import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDurableBuffer, type DurableBuffer } from '../../../../infra/local/buffer/durable-buffer.ts';
import { DELIVERY_NICENESS } from '../../../../infra/local/buffer/background-priority.ts';
import type { BufferLogger } from '../../../../infra/local/buffer/logger.ts';
import { Spool } from '../../../../infra/local/buffer/spool.ts';
import { workerDelivery } from '../../../../infra/local/buffer/worker-delivery.ts';
import { compileRule } from '../../../../pipeline/rule/evaluate.ts';
import { READINGS_RULE_SQL } from '../../../../pipeline/rule/readings-rule.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';
import { fleetPublishes } from '../../../helpers/publishes.ts';

// One day of 5-minute readings from 6 meters on 2 sites, in batches of up to 12: 1,728 readings.
const fleet = fleetPublishes({
  devices: 6, sites: 2, start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z',
  cadenceMs: 300_000, batchSize: 12, seed: 11, tsFormat: 'mixed',
});
const HINTS = { sizeMb: 64, intervalSeconds: 600 };

/** Nice value of each thread of this process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
const threadNiceness = (): number[] => readdirSync('/proc/self/task').flatMap((tid) => {
  try {
    return [Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16])];
  } catch {
    return []; // the thread ended meanwhile
  }
});

interface LogLine { level: keyof BufferLogger; object: object; message: string }
const recordingLogger = (lines: LogLine[]): BufferLogger => ({
  debug: (object, message) => lines.push({ level: 'debug', object, message }),
  info: (object, message) => lines.push({ level: 'info', object, message }),
  warn: (object, message) => lines.push({ level: 'warn', object, message }),
  error: (object, message) => lines.push({ level: 'error', object, message }),
});

describe('segment delivery in a worker thread', () => {
  let lake: TestLake;
  let stateDir: string;
  let buffer: DurableBuffer | undefined;
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-worker-'));
  });
  afterEach(async () => {
    await buffer?.close().catch(() => undefined);
    buffer = undefined;
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged publish into curated Parquet once, with the worker\'s stats and logs on the main thread', async () => {
    const logs: LogLine[] = [];
    const logger = recordingLogger(logs);
    buffer = await openDurableBuffer({ stateDir, delivery: workerDelivery({ lake: lake.root, logger }), bufferHints: HINTS, logger });
    await Promise.all(fleet.publishes.map((p) => buffer!.sink(p)));
    await buffer.flush();
    const [counts] = await lake.query('SELECT (SELECT count(*) FROM readings)::INT AS stored, (SELECT count(*) FROM readings_unique)::INT AS "unique"');
    expect(counts).toEqual({ stored: fleet.readings, unique: fleet.readings });
    expect(buffer.stats).toMatchObject({ records: fleet.publishes.length, accepted: fleet.readings, segmentsDelivered: 1, segmentsPending: 0 });
    expect(buffer.stats.curatedFiles).toBeGreaterThanOrEqual(1);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'buffer: delivered segment' }));
  });

  it.runIf(process.platform === 'linux' && getPriority() < DELIVERY_NICENESS)('runs the delivery thread below the broker\'s priority', async () => {
    const before = threadNiceness().filter((n) => n === DELIVERY_NICENESS).length;
    buffer = await openDurableBuffer({ stateDir, delivery: workerDelivery({ lake: lake.root, logger: recordingLogger([]) }), bufferHints: HINTS });
    await Promise.all(fleet.publishes.map((p) => buffer!.sink(p)));
    await buffer.flush(); // the worker has started and delivered
    expect(threadNiceness().filter((n) => n === DELIVERY_NICENESS).length - before).toBe(1);
    expect(getPriority()).toBeLessThan(DELIVERY_NICENESS); // this thread, the broker's
  });

  it('transforms and converts while the main thread is busy', async () => {
    // A sealed segment, handed to the worker; then this thread blocks until Parquet shows up on
    // disk, which can only happen if something other than this thread does the work.
    const spool = await Spool.open({ dir: join(stateDir, 'spool') });
    const rule = compileRule(READINGS_RULE_SQL);
    for (const p of fleet.publishes) await spool.append({ kind: 'rule-output', receivedAt: p.receivedAt, data: rule.evaluate(p)! });
    const sealed = (await spool.roll())!;
    const delivery = workerDelivery({ lake: lake.root, logger: recordingLogger([]) });
    try {
      const delivered = delivery.deliver({ id: sealed.id, file: spool.segmentFile(sealed.id) });
      const curated = join(lake.root, 'curated', 'readings');
      const deadline = Date.now() + 30_000;
      let parquetWhileBlocked = false;
      while (!parquetWhileBlocked && Date.now() < deadline) {
        parquetWhileBlocked = existsSync(curated) && readdirSync(curated, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
      }
      expect(parquetWhileBlocked).toBe(true);
      const result = await delivered;
      expect(result.firehose).toMatchObject({ accepted: fleet.readings, failedRecords: {} });
    } finally {
      await delivery.close();
      await spool.close();
    }
  });

  it('retries in the worker, then moves the records to the error output, holding PUBACKs meanwhile', async () => {
    // raw/ cannot be created (a file is in the way), errors/ can: every attempt fails the same way.
    await writeFile(join(lake.root, 'raw'), 'not a folder');
    const logs: LogLine[] = [];
    const logger = recordingLogger(logs);
    const retry = { attempts: 3, baseDelayMs: 100 };
    buffer = await openDurableBuffer({
      stateDir, delivery: workerDelivery({ lake: lake.root, retry, logger }), logger,
      bufferHints: { sizeMb: 0.02, intervalSeconds: 600 }, maxUndeliveredMb: 0.04,
    });
    let acked = 0;
    const all = fleet.publishes.map((p) => buffer!.sink(p).then(() => { acked++; }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // inside the first segment's retry back-off
    expect(buffer.stats.backpressureWaits).toBeGreaterThan(0);
    expect(acked).toBeLessThan(fleet.publishes.length);
    await Promise.all(all);
    await buffer.flush();

    const { segmentsDelivered, segmentsFailed, deliveryRetries, segmentsPending } = buffer.stats;
    expect({ segmentsDelivered, segmentsPending }).toEqual({ segmentsDelivered: 0, segmentsPending: 0 });
    expect(segmentsFailed).toBeGreaterThanOrEqual(2);
    expect(deliveryRetries).toBe(2 * segmentsFailed);
    expect(logs.filter((l) => l.message === 'buffer: segment delivery failed')).toHaveLength(3 * segmentsFailed);
    expect(await lake.store.list('errors/readings/')).toHaveLength(segmentsFailed);
    expect(await lake.query('SELECT count(*)::INT AS n FROM readings')).toEqual([{ n: 0 }]);
  });
});
