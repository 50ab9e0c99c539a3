import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';
import { isValidId } from '../../../pipeline/schema/ids.ts';
import { fleetDevices, type FleetMessage, type FleetOptions, generateFleetMessages } from '../../../firmware/simulator/fleet.ts';
import type { Reading } from '../../../firmware/simulator/meter-model.ts';

const START = Date.parse('2026-11-20T00:00:00Z');
const FIVE_MIN = 300_000;
const oneDay: FleetOptions = {
  devices: 12, sites: 3, start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z',
  cadenceMs: FIVE_MIN, batchSize: 12, seed: 42, tsFormat: 'mixed',
};
const messages = [...generateFleetMessages(oneDay)];
const TOPIC = /^dt\/energy\/([^/]+)\/([^/]+)\/readings$/;
const tsMs = (reading: Reading): number => (typeof reading.ts === 'number' ? reading.ts : Date.parse(reading.ts));

describe('fleetDevices', () => {
  const devices = fleetDevices({ devices: 12, sites: 3, tsFormat: 'mixed' });

  it('names devices meter-0001… and sites site-01…, all contract-valid', () => {
    expect(devices.map((d) => d.deviceId).slice(0, 2)).toEqual(['meter-0001', 'meter-0002']);
    expect(devices.at(-1)?.deviceId).toBe('meter-0012');
    expect(devices.every((d) => isValidId(d.deviceId) && isValidId(d.siteId))).toBe(true);
  });

  it('splits devices over sites in contiguous blocks', () => {
    expect(devices.map((d) => d.siteId)).toEqual([...Array(4).fill('site-01'), ...Array(4).fill('site-02'), ...Array(4).fill('site-03')]);
  });

  it('makes every fifth meter commercial by default (20 %)', () => {
    expect(devices.filter((d) => d.profile === 'commercial').map((d) => d.deviceId)).toEqual(['meter-0005', 'meter-0010']);
  });

  it('alternates ISO and epoch-ms timestamps in mixed mode', () => {
    expect(devices.slice(0, 4).map((d) => d.tsFormat)).toEqual(['iso', 'epoch-ms', 'iso', 'epoch-ms']);
  });

  it('widens the numbering for large fleets', () => {
    const large = fleetDevices({ devices: 12_000, sites: 150 });
    expect(large.at(-1)).toMatchObject({ deviceId: 'meter-12000', siteId: 'site-150' });
  });

  it('assigns site timezones in turn', () => {
    const zoned = fleetDevices({ devices: 4, sites: 2, timezones: ['Europe/Stockholm', 'America/New_York'] });
    expect(zoned.map((d) => d.timezone)).toEqual(['Europe/Stockholm', 'Europe/Stockholm', 'America/New_York', 'America/New_York']);
  });
});

describe('generateFleetMessages', () => {
  it('is deterministic: the same options give the same messages', () => {
    expect([...generateFleetMessages(oneDay)]).toEqual(messages);
  });

  it('gives another seed different readings', () => {
    const other = [...generateFleetMessages({ ...oneDay, seed: 43 })];
    expect(other.map((m) => m.payload.readings[0]?.power_w)).not.toEqual(messages.map((m) => m.payload.readings[0]?.power_w));
  });

  it('publishes on contract topics whose device matches the envelope', () => {
    for (const { topic, payload } of messages) {
      const match = TOPIC.exec(topic);
      expect(match).not.toBeNull();
      expect(isValidId(match?.[1])).toBe(true);
      expect(match?.[2]).toBe(payload.device_id);
      expect(isValidId(payload.device_id)).toBe(true);
    }
  });

  it('puts between 1 and batchSize readings in each message', () => {
    for (const { payload } of messages) {
      expect(payload.readings.length).toBeGreaterThanOrEqual(1);
      expect(payload.readings.length).toBeLessThanOrEqual(12);
    }
    expect(messages.filter((m) => m.payload.readings.length === 12).length).toBeGreaterThan(messages.length / 2);
  });

  it('delivers every reading of every device exactly once, on the cadence, inside [start, end)', () => {
    const byDevice = new Map<string, number[]>();
    for (const { payload } of messages) {
      byDevice.set(payload.device_id, [...(byDevice.get(payload.device_id) ?? []), ...payload.readings.map(tsMs)]);
    }
    const expected = Array.from({ length: 288 }, (_, i) => START + i * FIVE_MIN);
    expect(byDevice.size).toBe(12);
    for (const timestamps of byDevice.values()) expect(timestamps).toEqual(expected);
  });

  it('yields messages in publish order, each ready at its last reading', () => {
    let previous = -Infinity;
    for (const message of messages) {
      expect(message.readyAt).toBe(tsMs(message.payload.readings.at(-1) as Reading));
      expect(message.readyAt).toBeGreaterThanOrEqual(previous);
      previous = message.readyAt;
    }
  });

  it('staggers devices so they do not all publish on the same tick', () => {
    const firstPublish = new Set(fleetDevices(oneDay).map((d) => messages.find((m) => m.payload.device_id === d.deviceId)?.readyAt));
    expect(firstPublish.size).toBeGreaterThan(3);
  });

  it('counts seq up by one per message of a device', () => {
    const seqs = (device: string): number[] => messages.filter((m) => m.payload.device_id === device).map((m) => m.payload.seq);
    const seq = seqs('meter-0007');
    expect(seq.length).toBeGreaterThan(20);
    seq.forEach((s, i) => expect(s).toBe((seq[0] as number) + i));
  });

  it('produces payloads that the pipeline decoder accepts in full', () => {
    for (const message of messages) {
      const [, siteId, topicDeviceId] = TOPIC.exec(message.topic) as RegExpExecArray;
      const decoded = decodeMessage({ ...message.payload }, { siteId, topicDeviceId, receivedAt: message.readyAt + 1000 });
      expect(decoded.rejected).toEqual([]);
      expect(decoded.accepted).toHaveLength(message.payload.readings.length);
    }
  });

  it("keeps a device's readings independent of the rest of the fleet", () => {
    const readingsOf = (all: FleetMessage[], device: string): Reading[] => all.filter((m) => m.payload.device_id === device).flatMap((m) => m.payload.readings);
    const small = [...generateFleetMessages({ ...oneDay, devices: 3, sites: 1 })];
    expect(readingsOf(small, 'meter-0001')).toEqual(readingsOf(messages, 'meter-0001'));
  });

  it('rejects an invalid period or batch size', () => {
    expect(() => [...generateFleetMessages({ ...oneDay, start: 'yesterday' })]).toThrow(RangeError);
    expect(() => [...generateFleetMessages({ ...oneDay, batchSize: 0 })]).toThrow(RangeError);
  });
});
