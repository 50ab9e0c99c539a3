// Modbus meters (Eastron SDM630/SDM120 register maps) over Modbus TCP or Modbus RTU on a serial
// line (RS-485 adapter), through modbus-serial. One read = the planned input-register requests,
// decoded by sdm-registers.ts. A failed request closes the port, so the next read reconnects.
import ModbusSerial from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import type { MeterValues } from '../reading.ts';
import type { MeterDriver } from './driver.ts';
import { decodeSpans, planReads, REGISTER_MAPS, type MeterModel } from './sdm-registers.ts';

export type ModbusConnection =
  | { transport: 'tcp'; host: string; port: number }
  | { transport: 'rtu'; path: string; baudRate: number; parity: 'none' | 'even' | 'odd'; dataBits: 7 | 8; stopBits: 1 | 2 };

export interface ModbusDriverOptions {
  connection: ModbusConnection;
  model: MeterModel;
  unitId: number;
  timeoutMs: number;
}

export function createModbusDriver({ connection, model, unitId, timeoutMs }: ModbusDriverOptions): MeterDriver {
  const map = REGISTER_MAPS[model];
  if (!map) throw new RangeError(`unknown meter model ${model}`);
  const spans = planReads(map);
  let client: ModbusRTU | null = null;
  const where = connection.transport === 'tcp' ? `${connection.host}:${connection.port}` : connection.path;

  const connect = async (): Promise<ModbusRTU> => {
    const next = new ModbusSerial.default();
    if (connection.transport === 'tcp') {
      await next.connectTCP(connection.host, { port: connection.port });
    } else {
      const { path, baudRate, parity, dataBits, stopBits } = connection;
      await next.connectRTUBuffered(path, { baudRate, parity, dataBits, stopBits });
    }
    next.setID(unitId);
    next.setTimeout(timeoutMs);
    next.on('error', () => undefined); // surfaced through the failing request
    return next;
  };
  const drop = (): void => {
    client?.close(() => undefined);
    client = null;
  };

  return {
    description: `modbus-${connection.transport} ${model} @ ${where} unit ${unitId}`,
    resolution: map.resolution,
    async read(): Promise<MeterValues> {
      try {
        client ??= await connect();
        const answers: number[][] = [];
        // Sequential: a Modbus line carries one request at a time.
        for (const span of spans) answers.push((await client.readInputRegisters(span.address, span.count)).data);
        return decodeSpans(map, spans, answers) as MeterValues;
      } catch (error) {
        drop();
        throw new Error(`${model} unit ${unitId} @ ${where}: ${(error as Error).message ?? String(error)}`, { cause: error });
      }
    },
    async close(): Promise<void> {
      const open = client;
      client = null;
      if (open) await new Promise<void>((resolve) => open.close(() => resolve()));
    },
  };
}
