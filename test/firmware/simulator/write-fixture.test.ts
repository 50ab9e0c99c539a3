import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';
import { LIMITS } from '../../../pipeline/schema/readings.ts';
import { generateFleetMessages } from '../../../firmware/simulator/fleet.ts';
import { ingestLine } from '../../../firmware/simulator/write-fixture.ts';

const FIXTURES = 'test/fixtures/ingest';
const SCRIPT = 'firmware/simulator/write-fixture.ts';
const scratch = mkdtempSync(join(tmpdir(), 'wattlake-fixture-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The regeneration commands documented in the fixtures README, as argument lists after `npx`. */
function documentedCommands(): string[][] {
  const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
  return readme.split('\n').filter((line) => line.startsWith(`npx tsx ${SCRIPT} `)).map((line) => line.trim().split(/\s+/).slice(1));
}

const runScript = (args: string[]) => spawnSync('npx', ['tsx', SCRIPT, ...args], { encoding: 'utf8' });

describe('ingestLine', () => {
  const [message] = generateFleetMessages({ devices: 1, sites: 1, start: '2026-11-20T00:00:00Z', end: '2026-11-20T01:00:00Z', cadenceMs: 300_000, batchSize: 12, seed: 42 });

  it('writes topic, payload object and received_at a moment after the last reading', () => {
    const line = JSON.parse(ingestLine(message!, 42));
    expect(Object.keys(line)).toEqual(['topic', 'payload', 'received_at']);
    expect(line.topic).toBe('dt/energy/site-01/meter-0001/readings');
    expect(line.payload).toEqual(message!.payload);
    expect(line.received_at - message!.readyAt).toBeGreaterThanOrEqual(200);
    expect(line.received_at - message!.readyAt).toBeLessThan(2000);
  });

  it('refuses a payload over the 128 KiB MQTT limit', () => {
    const messages = generateFleetMessages({ devices: 1, sites: 1, start: '2026-11-20T00:00:00Z', end: '2026-11-24T00:00:00Z', cadenceMs: 60_000, batchSize: 2000, seed: 42 });
    const huge = [...messages].find((m) => m.payload.readings.length === 2000);
    expect(() => ingestLine(huge!, 42)).toThrow(/batch-size/);
  });
});

describe('fleet-small.jsonl', () => {
  const path = join(FIXTURES, 'fleet-small.jsonl');
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));

  it('is what its documented command regenerates, byte for byte', () => {
    const command = documentedCommands().find((args) => args[2] === path);
    expect(command).toBeDefined();
    const out = join(scratch, 'fleet-small.jsonl');
    execFileSync('npx', [...command!.slice(0, 2), out, ...command!.slice(3)], { stdio: 'pipe' });
    expect(readFileSync(out).equals(readFileSync(path))).toBe(true);
  });

  it('stays under 1 MB', () => {
    expect(statSync(path).size).toBeLessThan(1_000_000);
  });

  it('holds one day of 12 meters on 3 sites at 5-minute cadence', () => {
    const devices = new Set(lines.map((l) => l.payload.device_id));
    const sites = new Set(lines.map((l) => l.topic.split('/')[2]));
    expect(devices.size).toBe(12);
    expect([...sites].sort()).toEqual(['site-01', 'site-02', 'site-03']);
    expect(lines.reduce((n, l) => n + l.payload.readings.length, 0)).toBe(12 * 288);
  });

  it('mixes ISO-string and epoch-ms timestamps', () => {
    const kinds = new Set(lines.flatMap((l) => l.payload.readings.map((r: { ts: unknown }) => typeof r.ts)));
    expect(kinds).toEqual(new Set(['string', 'number']));
  });

  it('is accepted in full by the pipeline decoder, within the payload size limit', () => {
    for (const { topic, payload, received_at: receivedAt } of lines) {
      expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(LIMITS.maxPayloadBytes);
      const [, , siteId, topicDeviceId] = topic.split('/');
      const decoded = decodeMessage(payload, { siteId, topicDeviceId, receivedAt });
      expect(decoded.rejected).toEqual([]);
    }
  });
});

describe('write-fixture CLI', () => {
  it('documents its options in --help', () => {
    const result = runScript(['--help']);
    expect(result.status).toBe(0);
    for (const option of ['--devices', '--sites', '--start', '--days', '--cadence-seconds', '--batch-size', '--seed', '--ts-format']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('writes to stdout with - and fails clearly on a bad option', () => {
    const ok = runScript(['-', '--devices', '2', '--sites', '1', '--days', '0.25', '--cadence-seconds', '900', '--batch-size', '4']);
    expect(ok.status).toBe(0);
    const readings = ok.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).payload.readings.length);
    expect(readings.reduce((a, b) => a + b, 0)).toBe(2 * 24); // 6 hours at 15 minutes, two meters
    const bad = runScript(['-', '--timezones', 'Mars/Olympus_Mons']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/time ?zone/i);
  });
});
