// The simulated meter (firmware/simulator/meter-model.ts) behind the driver interface: the
// agent runs end to end on a desk, in tests and in benchmarks, with realistic values.
import type { LoadProfile } from '../../simulator/load-shapes.ts';
import { createMeter } from '../../simulator/meter-model.ts';
import { DEFAULT_RESOLUTION, type MeterValues } from '../reading.ts';
import type { MeterDriver } from './driver.ts';

export interface SimulatedDriverOptions {
  deviceId: string;
  siteId: string;
  profile: LoadProfile;
  seed: number;
  startRegisterKwh?: number;
}

export function createSimulatedDriver(options: SimulatedDriverOptions): MeterDriver {
  const meter = createMeter({ ...options, tsFormat: 'epoch-ms' });
  return {
    description: `simulated ${options.profile} meter (seed ${options.seed})`,
    resolution: DEFAULT_RESOLUTION,
    async read(tsMs: number): Promise<MeterValues> {
      const { ts: _ts, ...values } = meter.readAt(tsMs);
      return values;
    },
    async close(): Promise<void> {},
  };
}
