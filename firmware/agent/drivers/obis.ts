// Optical-head meters (IEC 62056-21 D0 and SML, the German/Dutch/Nordic household meters)
// through smartmeter-obis. These meters push telegrams on their own rhythm (or answer D0
// requests at the library's interval), so the driver keeps the latest parsed telegram and a
// read returns it while it is fresh; a stale telegram is a failed read, not an old value.
import { init } from 'smartmeter-obis';
import type { MeterValues, Resolution } from '../reading.ts';
import type { MeterDriver } from './driver.ts';
import { obisToValues, type ObisMeasurementLike } from './obis-values.ts';

export type ObisTransport =
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'file'; path: string };

export interface ObisDriverOptions {
  protocol: 'sml' | 'd0';
  transport: ObisTransport;
  /** A telegram older than this is stale. */
  maxAgeMs: number;
  /** Seconds between D0 requests / file reads (smartmeter-obis's requestInterval); 0 = continuous for push meters. */
  requestIntervalSeconds: number;
  now?: () => number;
}

/** What the meters' displays and telegrams resolve: 0.1 Wh registers, W, 0.1 V, 0.01 A. */
const OBIS_RESOLUTION: Resolution = { energy_import_kwh: 3, energy_export_kwh: 3, power_w: 1, voltage_v: 1, current_a: 3, power_factor: 3, frequency_hz: 2 };

function transportOptions(transport: ObisTransport, protocol: 'sml' | 'd0'): Record<string, unknown> {
  switch (transport.kind) {
    case 'serial':
      // SML meters push (SerialResponseTransport); D0 meters answer a sign-on request.
      return {
        transport: protocol === 'sml' ? 'SerialResponseTransport' : 'SerialRequestResponseTransport',
        transportSerialPort: transport.path,
        ...(transport.baudRate !== undefined && { transportSerialBaudrate: transport.baudRate }),
      };
    case 'tcp':
      return { transport: 'TCPTransport', transportTcpHost: transport.host, transportTcpPort: transport.port };
    case 'file':
      return { transport: 'LocalFileTransport', transportLocalFilePath: transport.path };
  }
}

export function createObisDriver({ protocol, transport, maxAgeMs, requestIntervalSeconds, now = Date.now }: ObisDriverOptions): MeterDriver {
  let latest: { at: number; values: MeterValues } | null = null;
  let lastError: string | null = null;
  const options = {
    protocol: protocol === 'sml' ? 'SmlProtocol' : 'D0Protocol',
    protocolSmlIgnoreInvalidCRC: false,
    protocolSmlInputEncoding: 'binary',
    requestInterval: requestIntervalSeconds,
    debug: 0,
    logger: () => undefined,
    ...transportOptions(transport, protocol),
  };
  const smTransport = init(options as never, (error: Error | null, result: Record<string, ObisMeasurementLike> | null) => {
    if (error || !result) {
      lastError = error?.message ?? 'empty telegram';
      return;
    }
    try {
      latest = { at: now(), values: obisToValues(result) };
      lastError = null;
    } catch (mappingError) {
      lastError = (mappingError as Error).message;
    }
  });
  smTransport.process();
  const where = transport.kind === 'tcp' ? `${transport.host}:${transport.port}` : transport.path;

  return {
    description: `obis ${protocol} via ${transport.kind} ${where}`,
    resolution: OBIS_RESOLUTION,
    async read(): Promise<MeterValues> {
      if (latest && now() - latest.at <= maxAgeMs) return latest.values;
      const age = latest ? `last telegram ${now() - latest.at} ms ago` : 'no telegram yet';
      throw new Error(`${protocol} meter via ${where}: ${age}${lastError ? ` (${lastError})` : ''}`);
    },
    async close(): Promise<void> {
      await new Promise<void>((resolve) => smTransport.stop(() => resolve()));
    },
  };
}
