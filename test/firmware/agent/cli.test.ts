// `wattlake-agent` as an operator runs it: a child Node process on bin/wattlake-agent.js.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskQueue } from '../../../firmware/agent/queue/disk-queue.ts';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';
import { execFileAsync } from '../../helpers/cli.ts';
import { DEVICE, rawTestConfig, SITE, stateWithDevice, tempDir } from './fixture.ts';

const AGENT_BIN = fileURLToPath(new URL('../../../bin/wattlake-agent.js', import.meta.url));

let work: string;
beforeEach(async () => { work = await tempDir('cli'); });
afterEach(async () => { await rm(work, { recursive: true, force: true }); });

describe('wattlake-agent', () => {
  it('--help lists the commands', async () => {
    const { stdout } = await execFileAsync(process.execPath, [AGENT_BIN, '--help']);
    expect(stdout).toMatch(/Usage: wattlake-agent/);
    expect(stdout).toMatch(/run \[options\]/);
    expect(stdout).toMatch(/check \[options\]/);
  });

  it('refuses an invalid config at start with every problem named, exit code 78 (EX_CONFIG)', async () => {
    const file = join(work, 'agent.json');
    await writeFile(file, JSON.stringify({
      deviceId: 'meter 1', siteId: 'site-01', meter: { driver: 'modbus-tcp', host: '10.0.0.9', model: 'sdm999' },
      sampling: { intervalMs: 7000 }, mqtt: { url: 'mqtt://broker:1883', ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' }, queue: { dir: 'q' },
    }));
    const failure = await execFileAsync(process.execPath, [AGENT_BIN, 'run', '--config', file]).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(78);
    expect(failure?.stderr).toMatch(/deviceId: deviceId must be 1-64 characters/);
    expect(failure?.stderr).toMatch(/meter\.model: Invalid option/);
    expect(failure?.stderr).toMatch(/sampling\.intervalMs: intervalMs must divide a day/);
    expect(failure?.stderr).toMatch(/mqtt\.url: url must be mqtts:/);
    expect(failure?.stderr).not.toMatch(/ at /); // no stack trace for a config error
  });

  it('check prints the config with defaults and absolute paths', async () => {
    const file = join(work, 'agent.json');
    await writeFile(file, JSON.stringify({
      deviceId: DEVICE, siteId: SITE, meter: { driver: 'modbus-rtu', path: '/dev/ttyUSB0', model: 'sdm120' },
      mqtt: { url: 'mqtts://a1b2c3-ats.iot.eu-north-1.amazonaws.com', ca: 'certs/AmazonRootCA1.pem', cert: 'certs/cert.pem', key: 'certs/key.pem' }, queue: { dir: 'queue' },
    }));
    const { stdout } = await execFileAsync(process.execPath, [AGENT_BIN, 'check', '-c', file]);
    expect(JSON.parse(stdout)).toMatchObject({
      meter: { driver: 'modbus-rtu', baudRate: 9600, parity: 'none', unitId: 1 },
      sampling: { intervalMs: 15_000 }, batch: { maxReadings: 20, maxAgeMs: 60_000 },
      queue: { dir: join(work, 'queue'), maxBytes: 64 * 1024 * 1024 },
      mqtt: { protocolVersion: 5, cert: join(work, 'certs/cert.pem') },
    });
  });
});

/** A port nothing listens on: the agent keeps everything in its queue. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('kill -9 of the agent process mid-run, three times: every message logged as on disk is recovered intact', async () => {
  const stateDir = await stateWithDevice();
  const queueDir = join(work, 'queue');
  const file = join(work, 'agent.json');
  await writeFile(file, JSON.stringify(rawTestConfig({ stateDir, queueDir, port: await closedPort(), intervalMs: 100, maxReadings: 1, maxAgeMs: 1000 })));
  const logged: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [AGENT_BIN, 'run', '-c', file, '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, signal) => resolve(signal)));
      const enqueued = (): number[] => out.split('\n').filter((l) => l.includes('"msg":"enqueued"')).map((l) => (JSON.parse(l) as { seq: number }).seq);
      const deadline = Date.now() + 30_000;
      while (enqueued().length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const seqs = enqueued();
      expect(seqs.length).toBeGreaterThanOrEqual(5);
      if (logged.length > 0) expect(seqs[0]).toBeGreaterThan(logged.at(-1) as number);
      logged.push(...seqs);
    }
    const queue = await DiskQueue.open({ dir: queueDir, maxBytes: 64 << 20, segmentBytes: 1 << 20 });
    try {
      const kept = new Map<number, Record<string, unknown>>();
      for (let entry = queue.next(-1); entry; entry = queue.next(entry.id)) kept.set(entry.id, JSON.parse((await queue.payload(entry.id))!.toString()) as Record<string, unknown>);
      for (const seq of logged) expect(kept.has(seq), `seq ${seq}`).toBe(true);
      for (const [seq, payload] of kept) {
        expect(payload).toMatchObject({ device_id: DEVICE, seq });
        const decoded = decodeMessage(payload, { siteId: SITE, topicDeviceId: DEVICE, receivedAt: Date.now() });
        expect(decoded.rejected).toEqual([]);
        expect(decoded.accepted).toHaveLength(1);
      }
    } finally {
      await queue.close();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
