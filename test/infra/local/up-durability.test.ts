// Durability of `wattlake up` as users run it: a child process on a state folder and a lake,
// killed with SIGKILL at random moments while a device publishes QoS 1 readings, restarted on
// the same folders each time, finally stopped with Ctrl-C, SIGINT to its process group (which delivers what is spooled).
// Whatever the broker acknowledged must be queryable exactly once; nothing else may be counted twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ENV } from '../../../infra/local/state.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { connectTwinDevice, publishAcked } from '../../helpers/twin-device.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../helpers/cli.ts';

const DEVICE = 'meter-0001';
const TOPIC = `dt/energy/site-01/${DEVICE}/readings`;
const KILL_ROUNDS = 4;
/** Publishes the device keeps unacknowledged at a time. */
const IN_FLIGHT = 32;
/** Ids of round r start at r × ROUND_IDS. */
const ROUND_IDS = 1_000_000;
/** Two days ago, on the hour: every reading's ts (10 ms apart, so under 14 h in all) is in the past. */
const FIRST_TS = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000;

/** Message `id` carries one reading with a (device, ts) and an energy value (at the lake's 1 Wh resolution) that no other message has. */
const readingOf = (id: number) => ({ ts: FIRST_TS + id * 10, energy_import_kwh: (10_000_000 + id) / 1000, seq: id });
const payloadOf = (id: number): string => {
  const { ts, energy_import_kwh, seq } = readingOf(id);
  return JSON.stringify({ device_id: DEVICE, seq, readings: [{ ts, energy_import_kwh, power_w: 812.5 }] });
};

interface RunningUp { child: ChildProcess; port: number; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> }

/** Starts `wattlake up` on ephemeral ports with small buffer hints (kills then also land mid-delivery) and waits for its mqtts port. */
async function startUp(stateDir: string, lakeDir: string): Promise<RunningUp> {
  const child = spawn(process.execPath, [WATTLAKE_BIN, '--lake', lakeDir, 'up', '--port', '0', '--http-port', '0', '--buffer-size-mb', '0.02', '--buffer-interval', '0.2'], {
    env: { ...process.env, [STATE_ENV]: stateDir }, stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the final stop can be a terminal's Ctrl-C
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wattlake up did not print its port in time:\n${stdout}\n${stderr}`)), 30_000);
    const look = (): void => {
      const match = /mqtts:\/\/[\d.]+:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', look);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', look);
    void exited.then(({ code, signal }) => reject(new Error(`wattlake up exited early (${code ?? signal}):\n${stdout}\n${stderr}`)));
  });
  return { child, port, exited };
}

/**
 * Publishes ids from `firstId` on, `IN_FLIGHT` at a time, recording each id whose PUBACK arrived,
 * until the connection drops (the kill) or `stop()` is called; resolves when publishing has ended.
 */
function publishUntilStopped(client: MqttClient, firstId: number, acked: Set<number>, sent: Set<number>): { onFirstAck: Promise<void>; stop: () => void; done: Promise<void> } {
  let next = firstId;
  let stopped = false;
  let firstAck: () => void = () => undefined;
  const onFirstAck = new Promise<void>((resolve) => { firstAck = resolve; });
  // Publishes the dead broker will never acknowledge are given up when the connection closes.
  const closed = new Promise<boolean>((resolve) => client.once('close', () => resolve(false)));
  const lane = async (): Promise<void> => {
    while (!stopped && client.connected) {
      const id = next++;
      sent.add(id);
      const puback = new Promise<boolean>((resolve) => client.publish(TOPIC, payloadOf(id), { qos: 1 }, (error) => resolve(!error)));
      if (!(await Promise.race([puback, closed]))) return;
      acked.add(id);
      firstAck();
    }
  };
  const done = Promise.all(Array.from({ length: IN_FLIGHT }, lane)).then(() => undefined);
  return { onFirstAck, stop: () => { stopped = true; }, done };
}

describe('wattlake up under kill -9', () => {
  let lake: TestLake;
  let stateDir: string;
  let running: RunningUp | undefined;
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-up-kill-'));
    await execFileAsync(process.execPath, [WATTLAKE_BIN, 'devices', 'add', DEVICE, '--site', 'site-01'], { env: { ...process.env, [STATE_ENV]: stateDir } });
  });
  afterEach(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('keeps every PUBACKed reading, exactly once after deduplication, across repeated SIGKILLs and a clean stop', async () => {
    const acked = new Set<number>();
    const sent = new Set<number>();
    const killDelays: number[] = [];
    for (let round = 0; round < KILL_ROUNDS; round++) {
      running = await startUp(stateDir, lake.root);
      const client = await connectTwinDevice(stateDir, DEVICE, running.port);
      client.on('error', () => undefined); // the kill resets the connection
      const publishing = publishUntilStopped(client, round * ROUND_IDS, acked, sent);
      await publishing.onFirstAck;
      const delay = Math.round(50 + Math.random() * 1200);
      killDelays.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running.child.kill('SIGKILL');
      const { signal } = await running.exited;
      expect(signal).toBe('SIGKILL');
      await publishing.done;
      await client.endAsync(true);
    }
    const context = `kill delays ${killDelays.join(', ')} ms; ${acked.size} of ${sent.size} publishes acknowledged`;

    // A last run replays what the kills left in the spool, takes a few more readings, and stops cleanly.
    running = await startUp(stateDir, lake.root);
    const client = await connectTwinDevice(stateDir, DEVICE, running.port);
    const publishing = publishUntilStopped(client, KILL_ROUNDS * ROUND_IDS, acked, sent);
    await publishing.onFirstAck;
    publishing.stop();
    await publishing.done;
    await client.endAsync();
    // Ctrl-C as a terminal sends it: to the whole process group, the delivery process included.
    process.kill(-running.child.pid!, 'SIGINT');
    const stopped = await running.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/SIGINT: delivering buffered readings…\nstopped; \d+ readings delivered in this run/);

    const rows = await lake.query(`SELECT seq::BIGINT AS id, epoch_ms(ts) AS ts, energy_import_kwh FROM readings_unique WHERE device_id = '${DEVICE}'`);
    const stored = new Map<number, number>();
    for (const row of rows) {
      const id = row.id as number;
      stored.set(id, (stored.get(id) ?? 0) + 1);
      // Every stored reading is one this test published, with the values of that publish.
      expect(sent.has(id), context).toBe(true);
      expect({ ts: row.ts, energy_import_kwh: row.energy_import_kwh }, context).toEqual({ ts: readingOf(id).ts, energy_import_kwh: readingOf(id).energy_import_kwh });
    }
    for (let round = 0; round < KILL_ROUNDS; round++) expect([...acked].some((id) => Math.floor(id / ROUND_IDS) === round), context).toBe(true);
    const notExactlyOnce = [...acked].filter((id) => stored.get(id) !== 1);
    expect(notExactlyOnce, context).toEqual([]);
    // Publishes that were never acknowledged may or may not have made it, but never twice.
    const twice = [...stored].filter(([id, n]) => !acked.has(id) && n > 1);
    expect(twice, context).toEqual([]);
    expect(await lake.query('SELECT count(*) AS n FROM readings_unique'), context).toEqual([{ n: rows.length }]);
    expect((await readdir(join(stateDir, 'spool'))).filter((f) => f.endsWith('.log')), context).toEqual([]);
  }, 120_000);

  it('delivers what it acknowledged when Ctrl-C comes at once after start', async () => {
    // The delivery process may still be starting: a Ctrl-C to the terminal's process group must
    // not kill it, as the broker's process needs it to deliver the buffered reading on the way out.
    running = await startUp(stateDir, lake.root);
    const client = await connectTwinDevice(stateDir, DEVICE, running.port);
    await publishAcked(client, TOPIC, payloadOf(7));
    process.kill(-running.child.pid!, 'SIGINT');
    const stopped = await running.exited;
    await client.endAsync(true);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(await lake.query('SELECT seq::BIGINT AS id FROM readings_unique')).toEqual([{ id: 7 }]);
  }, 60_000);
});
