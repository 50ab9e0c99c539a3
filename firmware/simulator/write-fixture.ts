// CLI: write a simulated fleet's messages in the `wattlake ingest` file format, one JSON line
// per message: {"topic": …, "payload": {…}, "received_at": <epoch ms>}.
//   npx tsx firmware/simulator/write-fixture.ts --help
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseTimestamp } from '../../pipeline/decode/timestamp.ts';
import { LIMITS } from '../../pipeline/schema/readings.ts';
import { type FleetMessage, type FleetOptions, type FleetTsFormat, generateFleetMessages } from './fleet.ts';
import { deriveSeed, uniformAt } from './random.ts';
import { DAY_MS } from '../../pipeline/schema/ids.ts';

/** Publish + broker latency added to a batch's last reading: 0.2–2 s, fixed per (seed, device, seq). */
export function uplinkDelayMs(seed: number, message: FleetMessage): number {
  return 200 + Math.floor(1800 * uniformAt(deriveSeed(seed, `uplink:${message.payload.device_id}`), message.payload.seq));
}

/** One line of the ingest format (without the newline). Throws if the payload breaks the MQTT size limit. */
export function ingestLine(message: FleetMessage, seed: number): string {
  const payload = JSON.stringify(message.payload);
  if (Buffer.byteLength(payload) > LIMITS.maxPayloadBytes) {
    throw new RangeError(`payload of ${message.topic} seq ${message.payload.seq} exceeds ${LIMITS.maxPayloadBytes} bytes: lower --batch-size`);
  }
  return `{"topic":${JSON.stringify(message.topic)},"payload":${payload},"received_at":${message.readyAt + uplinkDelayMs(seed, message)}}`;
}

export interface WriteSummary {
  messages: number;
  readings: number;
}

/** Write every fleet message as an ingest line to `out`, honouring back-pressure. */
export async function writeIngestFile(options: FleetOptions, out: NodeJS.WritableStream): Promise<WriteSummary> {
  const summary: WriteSummary = { messages: 0, readings: 0 };
  let chunk: string[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length > 0 && !out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
    chunk = [];
  };
  for (const message of generateFleetMessages(options)) {
    chunk.push(ingestLine(message, options.seed));
    summary.messages += 1;
    summary.readings += message.payload.readings.length;
    if (chunk.length >= 256) await flush();
  }
  await flush();
  return summary;
}

// --- command line ---------------------------------------------------------------------------

function integer(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return value;
  };
}

function fraction(text: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return value;
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidArgumentError('expected a number > 0');
  return value;
}

function timestamp(text: string): string {
  if (parseTimestamp(text) === null) throw new InvalidArgumentError('expected ISO-8601 with offset, e.g. 2026-11-20T00:00:00Z');
  return text;
}

function timezoneList(text: string): string[] {
  const zones = text.split(',').map((zone) => zone.trim());
  for (const zone of zones) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new InvalidArgumentError(`unknown IANA timezone ${JSON.stringify(zone)}`);
    }
  }
  return zones;
}

interface CliOptions {
  devices: number;
  sites: number;
  start: string;
  days: number;
  cadenceSeconds: number;
  batchSize: number;
  seed: number;
  tsFormat: FleetTsFormat;
  commercialShare: number;
  resetProbability: number;
  timezones: string[];
}

export function buildCommand(): Command {
  return new Command('write-fixture')
    .description('Write simulated meter messages as ingest JSON lines: {"topic", "payload", "received_at"} (input of `wattlake ingest`).')
    .argument('<file>', 'output file, or - for stdout')
    .option('--devices <n>', 'number of meters (meter-0001, …)', integer(1), 12)
    .option('--sites <n>', 'number of sites (site-01, …); meters are split over them in contiguous blocks', integer(1), 3)
    .option('--start <iso>', 'time of the first reading', timestamp, '2026-11-20T00:00:00Z')
    .option('--days <d>', 'length of the period in days (end exclusive)', positiveNumber, 1)
    .option('--cadence-seconds <s>', 'seconds between readings', integer(1), 300)
    .option('--batch-size <n>', 'readings per message', integer(1), 12)
    .option('--seed <n>', 'random seed: same seed, same file', integer(0), 42)
    .addOption(new Option('--ts-format <format>', 'ts as ISO strings, epoch ms, or mixed (alternating by device)').choices(['iso', 'epoch-ms', 'mixed']).default('iso'))
    .option('--commercial-share <x>', 'share of commercial meters (the rest are households)', fraction, 0.2)
    .option('--reset-probability <p>', 'chance per reading of a register reset', fraction, 0)
    .addOption(new Option('--timezones <list>', 'comma-separated IANA timezones, assigned to sites in turn').argParser(timezoneList).default(['UTC'], 'UTC'))
    .action(async (file: string, opts: CliOptions) => {
      const start = parseTimestamp(opts.start) as number;
      const out = file === '-' ? process.stdout : createWriteStream(file);
      const summary = await writeIngestFile({
        devices: opts.devices,
        sites: opts.sites,
        start,
        end: start + Math.round(opts.days * DAY_MS),
        cadenceMs: opts.cadenceSeconds * 1000,
        batchSize: opts.batchSize,
        seed: opts.seed,
        tsFormat: opts.tsFormat,
        commercialShare: opts.commercialShare,
        resetProbability: opts.resetProbability,
        timezones: opts.timezones,
      }, out);
      if (out !== process.stdout) {
        out.end();
        await once(out, 'finish');
      }
      process.stderr.write(`wrote ${summary.messages} messages (${summary.readings} readings) to ${file}\n`);
    });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildCommand().parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`write-fixture: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
