import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDurableBuffer, type DurableBuffer } from '../../../../infra/local/buffer/durable-buffer.ts';
import { DELIVERY_NICENESS, KEEPING_UP_AUTOGROUP_NICENESS, ownAutogroupApplies, statFields } from '../../../../infra/local/buffer/background-priority.ts';
import type { BufferLogger } from '../../../../infra/local/buffer/logger.ts';
import { Spool } from '../../../../infra/local/buffer/spool.ts';
import { DELIVERY_PROCESS_ENTRY, processDelivery } from '../../../../infra/local/buffer/process-delivery.ts';
import { readingsRule as rule } from '../../../../pipeline/rule/readings-rule.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';
import { fleetPublishes, waitFor } from '../../../helpers/publishes.ts';

// One day of 5-minute readings from 6 meters on 2 sites, in batches of up to 12: 1,728 readings.
const fleet = fleetPublishes({
  devices: 6, sites: 2, start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z',
  cadenceMs: 300_000, batchSize: 12, seed: 11, tsFormat: 'mixed',
});
const HINTS = { sizeMb: 64, intervalSeconds: 600 };

/** One field of /proc/<pid>/task/<tid>/stat, counted as statFields does, for every thread of process `pid` (Linux). */
const threadStatField = (pid: number | 'self', index: number): number[] => readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
  try {
    return [Number(statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'))[index])];
  } catch {
    return []; // the thread ended meanwhile
  }
});
/** Nice values of the threads of process `pid` (field 19 of the stat line). */
const threadNiceness = (pid: number | 'self'): number[] => threadStatField(pid, 16);
/** Scheduling policies of the threads of process `pid` (field 41: 0 SCHED_OTHER, 5 SCHED_IDLE). */
const threadPolicies = (pid: number | 'self'): number[] => threadStatField(pid, 38);
const SCHED_IDLE = 5;
/** Whether util-linux's chrt, which runProcessAsIdle uses, is on the PATH. */
const hasChrt = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'chrt')));

/** The autogroup of process `pid` and its nice value (Linux with autogroup scheduling: "/autogroup-711 nice 10"). */
function autogroup(pid: number | 'self'): { id: string; nice: number } {
  const [id = '', , nice = ''] = readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().split(' ');
  return { id, nice: Number(nice) };
}

/** PIDs of the delivery processes whose parent is `ppid` (Linux). */
function deliveryProcesses(ppid: number): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const parent = Number(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]);
      return parent === ppid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(DELIVERY_PROCESS_ENTRY);
    } catch {
      return false;
    }
  });
}

/** Starts a delivery process on $LAKE, says "ready" once it has answered a request, then waits to be killed. */
const BROKER_SCRIPT = `
import { processDelivery } from './infra/local/buffer/process-delivery.ts';
import { silentLogger } from './infra/local/buffer/logger.ts';
const delivery = processDelivery({ lake: process.env.LAKE, logger: silentLogger });
await delivery.deliver({ id: 1, file: '/nonexistent/000001.log' }).catch(() => undefined);
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`;

interface LogLine { level: keyof BufferLogger; object: object; message: string }
const recordingLogger = (lines: LogLine[]): BufferLogger => ({
  debug: (object, message) => lines.push({ level: 'debug', object, message }),
  info: (object, message) => lines.push({ level: 'info', object, message }),
  warn: (object, message) => lines.push({ level: 'warn', object, message }),
  error: (object, message) => lines.push({ level: 'error', object, message }),
});

describe('segment delivery in a child process', () => {
  let lake: TestLake;
  let stateDir: string;
  let buffer: DurableBuffer | undefined;
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-delivery-'));
  });
  afterEach(async () => {
    await buffer?.close().catch(() => undefined);
    buffer = undefined;
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged publish into curated Parquet once, with the delivery process\'s stats and logs in the broker\'s', async () => {
    const logs: LogLine[] = [];
    const logger = recordingLogger(logs);
    buffer = await openDurableBuffer({ stateDir, delivery: processDelivery({ lake: lake.root, logger }), bufferHints: HINTS, logger });
    await Promise.all(fleet.publishes.map((p) => buffer!.sink(p)));
    await buffer.flush();
    const [counts] = await lake.query('SELECT (SELECT count(*) FROM readings)::INT AS stored, (SELECT count(*) FROM readings_unique)::INT AS "unique"');
    expect(counts).toEqual({ stored: fleet.readings, unique: fleet.readings });
    expect(buffer.stats).toMatchObject({ records: fleet.publishes.length, accepted: fleet.readings, segmentsDelivered: 1, segmentsPending: 0 });
    expect(buffer.stats.curatedFiles).toBeGreaterThanOrEqual(1);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'buffer: delivered segment' }));
  });

  /** Delivers the fleet through a delivery process, which has then started, opened DuckDB and converted; its PID. */
  async function deliveredThroughProcess(): Promise<number> {
    buffer = await openDurableBuffer({ stateDir, delivery: processDelivery({ lake: lake.root, logger: recordingLogger([]) }), bufferHints: HINTS });
    await Promise.all(fleet.publishes.map((p) => buffer!.sink(p)));
    await buffer.flush();
    const [child] = deliveryProcesses(process.pid);
    expect(child).toBeDefined();
    return child!;
  }

  it.runIf(process.platform === 'linux' && getPriority() < DELIVERY_NICENESS)('runs every thread of the delivery process below the broker\'s priority', async () => {
    const niceBefore = threadNiceness('self');
    const childNiceness = threadNiceness(await deliveredThroughProcess());
    expect(childNiceness.length).toBeGreaterThan(3); // V8's, libuv's pool and DuckDB's threads too
    expect(new Set(childNiceness)).toEqual(new Set([DELIVERY_NICENESS]));
    expect(Math.max(...threadNiceness('self'))).toBe(Math.max(...niceBefore)); // the broker's process is untouched
  });

  it.runIf(ownAutogroupApplies() && hasChrt)('runs every thread of the delivery process under SCHED_IDLE where its autogroup weighs, so that the broker\'s threads take the CPU from it as they wake', async () => {
    const policies = threadPolicies(await deliveredThroughProcess());
    expect(policies.length).toBeGreaterThan(3); // the threads started after the change (libuv's pool, DuckDB's) too
    expect(new Set(policies)).toEqual(new Set([SCHED_IDLE]));
    expect(threadPolicies('self')).not.toContain(SCHED_IDLE); // the broker's process is untouched
  });

  it.runIf(existsSync('/proc/self/autogroup') && autogroup('self').nice < KEEPING_UP_AUTOGROUP_NICENESS)('lowers the delivery process\'s autogroup (its own session) while delivery keeps up, and restores it while delivery is behind', async () => {
    // With autogroup scheduling the kernel shares the CPU between sessions before it looks at thread nice values.
    const brokerBefore = autogroup('self');
    const delivery = processDelivery({ lake: lake.root, logger: recordingLogger([]) });
    try {
      await delivery.deliver({ id: 1, file: join(stateDir, 'missing.log') }).catch(() => undefined); // the process is up
      const [child] = deliveryProcesses(process.pid);
      expect(child).toBeDefined();
      expect(autogroup(child!).id).not.toBe(brokerBefore.id);
      expect(autogroup(child!).nice).toBe(KEEPING_UP_AUTOGROUP_NICENESS);
      delivery.setBehind!(true);
      await waitFor(() => autogroup(child!).nice === 0);
      delivery.setBehind!(false);
      await waitFor(() => autogroup(child!).nice === KEEPING_UP_AUTOGROUP_NICENESS);
      expect(autogroup('self')).toEqual(brokerBefore);
    } finally {
      await delivery.close();
    }
  });

  it.runIf(process.platform === 'linux')('exits when the broker\'s process is killed', async () => {
    // A broker process of its own (this one cannot be kill -9ed), with a delivery process.
    const broker = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', BROKER_SCRIPT], {
      cwd: fileURLToPath(new URL('../../../../', import.meta.url)), env: { ...process.env, LAKE: lake.root }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<string>((resolve, reject) => {
      broker.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
      broker.once('exit', (code) => reject(new Error(`broker script exited (${code})`)));
    });
    expect(ready).toContain('ready');
    const [child] = deliveryProcesses(broker.pid!);
    expect(child).toBeDefined();
    broker.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (existsSync(`/proc/${child}`) && statFields(readFileSync(`/proc/${child}/stat`, 'utf8'))[0] !== 'Z' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(existsSync(`/proc/${child}`) && statFields(readFileSync(`/proc/${child}/stat`, 'utf8'))[0] !== 'Z').toBe(false);
  });

  it('transforms and converts while the main thread is busy', async () => {
    // A sealed segment, handed to the delivery process; then this thread blocks until Parquet shows up on
    // disk, which can only happen if something other than this thread does the work.
    const spool = await Spool.open({ dir: join(stateDir, 'spool') });
    for (const p of fleet.publishes) await spool.append({ kind: 'rule-output', receivedAt: p.receivedAt, data: rule.evaluate(p)! });
    const sealed = (await spool.roll())!;
    const delivery = processDelivery({ lake: lake.root, logger: recordingLogger([]) });
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

  it('retries in the delivery process, then moves the records to the error output, holding PUBACKs meanwhile', async () => {
    // raw/ cannot be created (a file is in the way), errors/ can: every attempt fails the same way.
    await writeFile(join(lake.root, 'raw'), 'not a folder');
    const logs: LogLine[] = [];
    const logger = recordingLogger(logs);
    const retry = { attempts: 3, baseDelayMs: 100 };
    buffer = await openDurableBuffer({
      stateDir, delivery: processDelivery({ lake: lake.root, retry, logger }), logger,
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
