// The Modbus TCP driver against modbus-serial's ServerTCP on loopback, serving an Eastron
// register map: what the agent reads is what the meter serves, at the meter's resolution.
import net from 'node:net';
import { ServerTCP } from 'modbus-serial';
import { afterEach, describe, expect, it } from 'vitest';
import { createModbusDriver } from '../../../../firmware/agent/drivers/modbus.ts';
import { encodeFloat32, SDM120, SDM630, type RegisterMap } from '../../../../firmware/agent/drivers/sdm-registers.ts';
import { roundValues, type MeterValues } from '../../../../firmware/agent/reading.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A meter: input registers holding `values` as the map lays them out; every request is recorded. */
async function serveMeter(map: RegisterMap, values: MeterValues, unitId = 1, fixedPort?: number): Promise<{ port: number; requests: { address: number; length: number }[]; close: () => Promise<void> }> {
  const registers = new Map<number, number>();
  for (const { field, address } of map.fields) {
    const [high, low] = encodeFloat32(values[field] as number, map.wordOrder);
    registers.set(address, high);
    registers.set(address + 1, low);
  }
  const requests: { address: number; length: number }[] = [];
  const port = fixedPort ?? await freePort();
  const server = new ServerTCP({
    getMultipleInputRegisters: (address: number, length: number) => {
      requests.push({ address, length });
      return Array.from({ length }, (_, i) => registers.get(address + i) ?? 0);
    },
    getInputRegister: (address: number) => {
      requests.push({ address, length: 1 });
      return registers.get(address) ?? 0;
    },
  }, { host: '127.0.0.1', port, unitID: unitId });
  await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
  return { port, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Three-phase commercial meter at mid-day, exporting nothing. */
const SDM630_VALUES: MeterValues = {
  voltage_v: 231.4, current_a: 17.355, power_w: 11_623.8, power_factor: 0.962, frequency_hz: 49.98,
  energy_import_kwh: 48_213.375, energy_export_kwh: 0.125,
};
/** Single-phase house with PV, exporting. */
const SDM120_VALUES: MeterValues = {
  voltage_v: 238.2, current_a: 6.412, power_w: -1_484.7, power_factor: -0.972, frequency_hz: 50.02,
  energy_import_kwh: 6_812.402, energy_export_kwh: 2_093.77,
};

describe.each([
  ['SDM630', SDM630, 'sdm630', SDM630_VALUES, 1],
  ['SDM120', SDM120, 'sdm120', SDM120_VALUES, 7],
] as const)('modbus-tcp driver against a loopback %s', (_name, map, model, values, unitId) => {
  it('reads the served values, equal at the meter resolution', async () => {
    const meter = await serveMeter(map, values, unitId);
    cleanups.push(meter.close);
    const driver = createModbusDriver({ connection: { transport: 'tcp', host: '127.0.0.1', port: meter.port }, model, unitId, timeoutMs: 2000 });
    cleanups.push(() => driver.close());
    expect(roundValues(await driver.read(Date.now()), driver.resolution)).toEqual(values);
    expect(meter.requests.length).toBeGreaterThan(0);
  });

  it('fails a read when the meter is gone, and reads again once it is back', async () => {
    const first = await serveMeter(map, values, unitId);
    const driver = createModbusDriver({ connection: { transport: 'tcp', host: '127.0.0.1', port: first.port }, model, unitId, timeoutMs: 1000 });
    cleanups.push(() => driver.close());
    await driver.read(Date.now());
    await first.close();
    await expect(driver.read(Date.now())).rejects.toThrow(new RegExp(`${model} unit ${unitId}`));
    const again = await serveMeter(map, { ...values, energy_import_kwh: values.energy_import_kwh + 0.5 }, unitId, first.port);
    cleanups.push(again.close);
    expect(roundValues(await driver.read(Date.now()), driver.resolution)?.energy_import_kwh).toBe(values.energy_import_kwh + 0.5);
  });
});

it('sends one request per read for the SDM630 block and one per value for the SDM120', async () => {
  const three = await serveMeter(SDM630, SDM630_VALUES);
  const one = await serveMeter(SDM120, SDM120_VALUES);
  cleanups.push(three.close, one.close);
  const d630 = createModbusDriver({ connection: { transport: 'tcp', host: '127.0.0.1', port: three.port }, model: 'sdm630', unitId: 1, timeoutMs: 2000 });
  const d120 = createModbusDriver({ connection: { transport: 'tcp', host: '127.0.0.1', port: one.port }, model: 'sdm120', unitId: 1, timeoutMs: 2000 });
  cleanups.push(() => d630.close(), () => d120.close());
  await d630.read(Date.now());
  await d120.read(Date.now());
  expect(three.requests).toEqual([{ address: 0x2a, length: 0x22 }]);
  expect(one.requests).toHaveLength(SDM120.fields.length);
});
