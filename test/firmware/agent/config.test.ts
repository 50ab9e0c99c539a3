import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadAgentConfig, parseAgentConfig } from '../../../firmware/agent/config.ts';

const MINIMAL = {
  deviceId: 'meter-0001', siteId: 'site-01',
  meter: { driver: 'modbus-tcp', host: '192.168.1.50', model: 'sdm630' },
  mqtt: { url: 'mqtts://a1b2c3-ats.iot.eu-north-1.amazonaws.com:8883', ca: 'AmazonRootCA1.pem', cert: 'cert.pem', key: 'key.pem' },
};

describe('parseAgentConfig', () => {
  it('fills in the defaults and takes the queue folder from systemd\'s $STATE_DIRECTORY', () => {
    const config = parseAgentConfig(MINIMAL, { baseDir: '/etc/wattlake-agent', env: { STATE_DIRECTORY: '/var/lib/wattlake-agent' } });
    expect(config).toMatchObject({
      meter: { port: 502, unitId: 1, timeoutMs: 1000 },
      sampling: { intervalMs: 15_000, offsetMs: 0 },
      batch: { maxReadings: 20, maxAgeMs: 60_000 },
      queue: { dir: '/var/lib/wattlake-agent', maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 },
      mqtt: { protocolVersion: 5, inFlight: 4, ca: '/etc/wattlake-agent/AmazonRootCA1.pem', backoff: { initialMs: 1000, maxMs: 120_000 } },
      clock: { syncMarker: '/run/systemd/timesync/synchronized' },
    });
  });

  it('needs a queue folder when not run by systemd', () => {
    expect(() => parseAgentConfig(MINIMAL, { baseDir: '/etc', env: {} })).toThrow(/queue\.dir: required when \$STATE_DIRECTORY is not set/);
  });

  it('refuses unknown keys (a typo is not silently ignored)', () => {
    expect(() => parseAgentConfig({ ...MINIMAL, batch: { maxReading: 10 } }, { baseDir: '/', env: { STATE_DIRECTORY: '/q' } })).toThrow(/batch: Unrecognized key: "maxReading"/);
  });

  it('refuses a queue whose bound cannot hold two segments', () => {
    expect(() => parseAgentConfig({ ...MINIMAL, queue: { maxBytes: 100_000, segmentBytes: 60_000 } }, { baseDir: '/', env: { STATE_DIRECTORY: '/q' } }))
      .toThrow(ConfigError);
  });

  it('refuses plain mqtt:// (the device certificate needs TLS)', () => {
    expect(() => parseAgentConfig({ ...MINIMAL, mqtt: { ...MINIMAL.mqtt, url: 'mqtt://broker:1883' } }, { baseDir: '/', env: { STATE_DIRECTORY: '/q' } }))
      .toThrow(/mqtt\.url/);
  });

  it('accepts each driver kind', () => {
    const env = { STATE_DIRECTORY: '/q' };
    for (const meter of [
      { driver: 'modbus-rtu', path: '/dev/ttyAMA0', model: 'sdm120', baudRate: 2400, parity: 'even' },
      { driver: 'obis', protocol: 'sml', transport: { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 } },
      { driver: 'obis', protocol: 'd0', transport: { kind: 'tcp', host: '10.0.0.7', port: 2000 } },
      { driver: 'simulated', profile: 'commercial', seed: 4 },
    ]) expect(parseAgentConfig({ ...MINIMAL, meter }, { baseDir: '/', env }).meter).toMatchObject(meter);
  });
});

describe('loadAgentConfig', () => {
  it('validates the shipped example config', async () => {
    const example = fileURLToPath(new URL('../../../firmware/agent/agent.example.json', import.meta.url));
    const config = await loadAgentConfig(example, { STATE_DIRECTORY: '/var/lib/wattlake-agent' });
    expect(config.meter.driver).toBe('modbus-tcp');
  });

  it('names the file when it is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wattlake-agent-config-'));
    try {
      await writeFile(join(dir, 'agent.json'), '{ "deviceId": "meter-0001", }');
      await expect(loadAgentConfig(join(dir, 'agent.json'))).rejects.toThrow(/config .*agent\.json is not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
