// The optical-head driver on recorded telegrams (test/fixtures/agent/README.md): an SML telegram
// streamed by a loopback TCP server (as an IR head behind ser2net would), a DSMR (D0) telegram
// read through smartmeter-obis's local-file transport; and the OBIS -> field mapping on its own.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeterDriver } from '../../../../firmware/agent/drivers/driver.ts';
import { createObisDriver } from '../../../../firmware/agent/drivers/obis.ts';
import { obisToValues, type ObisMeasurementLike } from '../../../../firmware/agent/drivers/obis-values.ts';
import { roundValues, type MeterValues } from '../../../../firmware/agent/reading.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/agent/${name}`, import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Retries `driver.read` until the first telegram has arrived. */
async function firstRead(driver: MeterDriver, timeoutMs = 10_000): Promise<MeterValues> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await driver.read(Date.now());
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

describe('obis driver', () => {
  it('reads the EMH SML telegram pushed over TCP: import register and power, in kWh and W', async () => {
    const telegram = await readFile(fixture('emh-ehz-sml.bin'));
    // The meter pushes a telegram every 200 ms, in two pieces, as a serial line delivers it.
    const server = net.createServer((socket) => {
      const timer = setInterval(() => {
        socket.write(telegram.subarray(0, 100));
        socket.write(telegram.subarray(100));
      }, 200);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const driver = createObisDriver({ protocol: 'sml', transport: { kind: 'tcp', host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, maxAgeMs: 5000, requestIntervalSeconds: 0 });
    cleanups.push(() => driver.close());
    expect(roundValues(await firstRead(driver), driver.resolution)).toEqual({ energy_import_kwh: 15338.556, power_w: 563.5 });
  });

  it('reads the DSMR 4.0 D0 telegram: the tariff registers summed, import minus export power', async () => {
    const driver = createObisDriver({ protocol: 'd0', transport: { kind: 'file', path: fixture('dsmr40-example.d0') }, maxAgeMs: 5000, requestIntervalSeconds: 1 });
    cleanups.push(() => driver.close());
    expect(roundValues(await firstRead(driver), driver.resolution)).toEqual({ energy_import_kwh: 246913.578, energy_export_kwh: 246913.578, power_w: 1193 });
  });

  it('fails a read while no telegram has arrived, naming the source', async () => {
    const driver = createObisDriver({ protocol: 'sml', transport: { kind: 'file', path: fixture('no-such-telegram.bin') }, maxAgeMs: 5000, requestIntervalSeconds: 1 });
    cleanups.push(() => driver.close());
    await sleep(100);
    await expect(driver.read(Date.now())).rejects.toThrow(/no telegram yet.*File does not exist/);
  });

  it('treats a telegram older than maxAgeMs as a failed read, not an old value', async () => {
    let clock = 1_000_000;
    const driver = createObisDriver({ protocol: 'd0', transport: { kind: 'file', path: fixture('dsmr40-example.d0') }, maxAgeMs: 30_000, requestIntervalSeconds: 60, now: () => clock });
    cleanups.push(() => driver.close());
    await firstRead(driver);
    clock += 30_001;
    await expect(driver.read(clock)).rejects.toThrow(/last telegram 30001 ms ago/);
  });
});

const m = (id: string, value: unknown, unit: string): [string, ObisMeasurementLike] => {
  const [, medium, c, d, e] = /^(\d+)-\d+:(\d+)\.(\d+)\.(\d+)/.exec(id) as RegExpExecArray;
  return [id, { medium: Number(medium), measurement: Number(c), measureType: Number(d), tariffRate: Number(e), values: [{ value, unit }] }];
};

describe('obisToValues', () => {
  it('maps a three-phase telegram: phase means for voltage and current, Wh registers to kWh', () => {
    const values = obisToValues(Object.fromEntries([
      m('1-0:1.8.0*255', 48_213_375.2, 'Wh'), m('1-0:2.8.0*255', 125, 'Wh'), m('1-0:16.7.0*255', -812.4, 'W'),
      m('1-0:32.7.0*255', 230.1, 'V'), m('1-0:52.7.0*255', 231.3, 'V'), m('1-0:72.7.0*255', 229.5, 'V'),
      m('1-0:31.7.0*255', 1.2, 'A'), m('1-0:51.7.0*255', 2.4, 'A'), m('1-0:71.7.0*255', 0.3, 'A'),
      m('1-0:14.7.0*255', 49.97, 'Hz'), m('1-0:13.7.0*255', 0.95, ''),
    ]));
    expect(roundValues(values)).toEqual({
      energy_import_kwh: 48_213.375, energy_export_kwh: 0.125, power_w: -812.4, voltage_v: 230.3, current_a: 1.3, power_factor: 0.95, frequency_hz: 49.97,
    });
  });

  it('prefers the total register over the tariff registers', () => {
    expect(obisToValues(Object.fromEntries([m('1-0:1.8.0', 10, 'kWh'), m('1-0:1.8.1', 4, 'kWh'), m('1-0:1.8.2', 5, 'kWh')])).energy_import_kwh).toBe(10);
  });

  it('ignores other media (a gas meter on the same P1 port) and unknown units', () => {
    const values = obisToValues(Object.fromEntries([m('1-0:1.8.0', 2.5, 'MWh'), m('7-0:1.8.0', 999, 'm3'), m('1-0:32.7.0', 230, 'furlong')]));
    expect(values).toEqual({ energy_import_kwh: 2500 });
  });

  it('refuses a telegram without an import register', () => {
    expect(() => obisToValues(Object.fromEntries([m('1-0:16.7.0', 5, 'W')]))).toThrow(/no import register/);
  });
});
