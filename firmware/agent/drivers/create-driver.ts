// The configured meter driver. Each driver's library is imported only when it is configured:
// on a 64 MB budget, a box reading an SDM630 should not carry the SML stack (and vice versa).
import type { AgentConfig } from '../config.ts';
import type { MeterDriver } from './driver.ts';

export async function createDriver(config: Pick<AgentConfig, 'meter' | 'deviceId' | 'siteId'>): Promise<MeterDriver> {
  const { meter } = config;
  switch (meter.driver) {
    case 'modbus-tcp': {
      const { createModbusDriver } = await import('./modbus.ts');
      return createModbusDriver({ connection: { transport: 'tcp', host: meter.host, port: meter.port }, model: meter.model, unitId: meter.unitId, timeoutMs: meter.timeoutMs });
    }
    case 'modbus-rtu': {
      const { createModbusDriver } = await import('./modbus.ts');
      return createModbusDriver({
        connection: { transport: 'rtu', path: meter.path, baudRate: meter.baudRate, parity: meter.parity, dataBits: meter.dataBits, stopBits: meter.stopBits },
        model: meter.model, unitId: meter.unitId, timeoutMs: meter.timeoutMs,
      });
    }
    case 'obis': {
      const { createObisDriver } = await import('./obis.ts');
      return createObisDriver({ protocol: meter.protocol, transport: meter.transport, maxAgeMs: meter.maxAgeMs, requestIntervalSeconds: meter.requestIntervalSeconds });
    }
    case 'simulated': {
      const { createSimulatedDriver } = await import('./simulated.ts');
      return createSimulatedDriver({ deviceId: config.deviceId, siteId: config.siteId, profile: meter.profile, seed: meter.seed, startRegisterKwh: meter.startRegisterKwh });
    }
  }
}
