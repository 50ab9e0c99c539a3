// Options and set-up shared by `wattlake up` and `wattlake demo`.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import pino, { type Logger } from 'pino';
import { stateDirFromEnv } from '../state.ts';
import type { Twin } from '../twin.ts';
import type { DurableBufferStats } from '../buffer/durable-buffer.ts';

export interface TwinCliOptions {
  port: number;
  httpPort: number;
  host: string;
  insecureDev?: number;
  bufferSizeMb: number;
  bufferInterval: number;
  logLevel: string;
}

const portNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
};
/** A commander argument parser for whole numbers from `min` to `max`. */
export const wholeNumber = (min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
};

export function addTwinOptions(command: Command, defaults: { bufferSizeMb: number; bufferInterval: number }): Command {
  return command
    .option('--port <port>', 'mqtts port (TLS, client certificates required)', portNumber, 8883)
    .option('--http-port <port>', 'HTTP port for the dashboard and /metrics', portNumber, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--insecure-dev <port>', 'ALSO open a plain-TCP MQTT listener on this port (development only: no TLS)', portNumber)
    .option('--buffer-size-mb <mb>', 'buffer size hint: deliver when this much is buffered (Firehose: 64 with dynamic partitioning)', positive, defaults.bufferSizeMb)
    .option('--buffer-interval <seconds>', 'buffer interval hint: deliver at least this often', positive, defaults.bufferInterval)
    .addOption(new Option('--log-level <level>', 'log level of the structured log file').choices(['debug', 'info', 'warn', 'error']).default('info'));
}

/** Structured logs (JSON lines) go to `<stateDir>/logs/twin.log`; the terminal shows progress. */
export function twinLogger(stateDir: string, level: string): { logger: Logger; file: string } {
  const dir = join(resolve(stateDir), 'logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'twin.log');
  return { logger: pino({ level }, pino.destination({ dest: file, sync: false, mkdir: true })), file };
}

export function twinPaths(command: Command): { lake: string; stateDir: string } {
  return { lake: resolve(command.optsWithGlobals<{ lake: string }>().lake), stateDir: stateDirFromEnv() };
}

/** One status line: devices, throughput, deliveries, files, rejects. */
export function statusLine(twin: Twin, previous: { at: number; spooled: number; accepted: number }): string {
  const s: DurableBufferStats = twin.buffer.stats;
  const seconds = Math.max(0.001, (Date.now() - previous.at) / 1000);
  const rejected = Object.entries(s.rejected).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k}=${n}`).join(' ');
  const line = `${twin.broker.connectedClients()} devices | ${((s.spooled - previous.spooled) / seconds).toFixed(0)} msg/s`
    + ` | ${((s.accepted - previous.accepted) / seconds).toFixed(0)} readings/s | ${s.accepted} readings in lake`
    + ` | ${s.segmentsDelivered} batches flushed, ${s.segmentsPending} pending | ${s.curatedFiles} Parquet files`
    + (rejected ? ` | rejected: ${rejected}` : '');
  previous.at = Date.now();
  previous.spooled = s.spooled;
  previous.accepted = s.accepted;
  return line;
}

/** Prints the status line every second on a terminal (in place), every 10 s otherwise. Returns a stop function. */
export function showProgress(twin: Twin): () => void {
  const tty = process.stdout.isTTY;
  const previous = { at: Date.now(), spooled: 0, accepted: 0 };
  const timer = setInterval(() => {
    const line = statusLine(twin, previous);
    if (tty) process.stdout.write(`\r\x1b[K${line}`);
    else console.log(line);
  }, tty ? 1000 : 10_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write('\r\x1b[K');
  };
}

/** Runs `stop` once on SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdownSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      void stop(signal).then(() => process.exit(0), (error: Error) => {
        console.error(`wattlake: ${error.message}`);
        process.exit(1);
      });
    });
  }
}
