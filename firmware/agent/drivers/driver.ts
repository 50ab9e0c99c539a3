// The one small interface every meter driver implements: read the meter now, and let go of
// the port. The sampler decides when to read and stamps the reading with its tick.
import type { MeterValues, Resolution } from '../reading.ts';

export interface MeterDriver {
  /** e.g. `modbus-tcp sdm630 @ 192.168.1.50:502 unit 1`, for logs and the status message. */
  readonly description: string;
  /** Decimal places the meter reports per field; readings are rounded to it. */
  readonly resolution: Resolution;
  /** Reads the meter; `tsMs` is the sampling instant (a simulated meter integrates up to it). Rejects when the meter does not answer. */
  read(tsMs: number): Promise<MeterValues>;
  close(): Promise<void>;
}
