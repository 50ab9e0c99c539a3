// The ingest suite's report: one markdown table per measurement, then the acceptance targets.
import type { Timing } from '../measure.ts';
import { bytes, count, markdownTable, medianTime, perSecond, ratio, seconds, verdict } from '../report.ts';
import type { IngestResult } from './suite.ts';

export const TARGETS = { transformThroughput: 0.7, converterThroughput: 0.5, converterBytes: 0.65 } as const;

export function ingestTables(result: IngestResult): string {
  return [
    '### Ingest: dataset', datasetTable(result),
    '### Ingest: transform (Firehose records -> JSON lines)', transformTable(result),
    '### Ingest: converter (raw gzip JSON lines -> Parquet)', convertTable(result),
    '### Ingest: Parquet writers side by side (same readings)', writersTable(result),
    '### Ingest: acceptance', acceptanceTable(result),
  ].join('\n\n');
}

function datasetTable({ params, dataset, raw, peakRssBytes, loadAverageAtEnd }: IngestResult): string {
  return markdownTable(['', ''], [
    ['meters x one-minute readings', `${count(params.devices)} x ${count(params.readingsPerDevice)}`],
    ['readings (redelivered copies included)', count(dataset.readings)],
    ['IoT rule records (batch messages)', count(dataset.messages)],
    ['of which QoS 1 redeliveries (duplicates for the converter)', count(dataset.redelivered)],
    ['Firehose invocations (1 MB buffer)', count(dataset.invocations)],
    ['rule output (transform input)', bytes(dataset.inputBytes)],
    ['raw objects (one per dt, gzip)', `${raw.objects}, ${bytes(raw.bytes)}, ${count(raw.lines)} lines`],
    ['timing', `median of ${params.reps} after 1 warm-up`],
    ['peak RSS', bytes(peakRssBytes)],
    ['load average at end (1 min)', loadAverageAtEnd],
  ], ['left', 'left']);
}

function transformTable({ transform }: IngestResult): string {
  return markdownTable(['', 'median time (range)', 'readings/s', 'vs baseline'], [
    ['baseline: base64-decode + JSON.parse per record, JSON.stringify per output line, base64-encode per output, response array',
      medianTime(transform.baseline.timing), perSecond(transform.baseline.readingsPerSecond), ratio(1)],
    ['`transformFirehoseEvent`', medianTime(transform.transform.timing), perSecond(transform.transform.readingsPerSecond), ratio(transform.ratio)],
  ]);
}

function convertTable({ convert }: IngestResult): string {
  const { duckdbDefault: plain, converter: ours, lines } = convert;
  return markdownTable(['', 'median time (range)', 'lines/s', 'throughput vs DuckDB', 'output', 'bytes/reading', 'bytes vs DuckDB', 'rows'], [
    [`DuckDB \`read_json\` + \`COPY (FORMAT parquet)\`: defaults (${plain.codec}), auto-detected types, arrival order`,
      medianTime(plain.timing), perSecond(plain.readingsPerSecond), ratio(1), bytes(plain.bytes), (plain.bytes / plain.rows).toFixed(1), ratio(1), count(plain.rows)],
    [`\`convertRawObject\` on a FolderStore: schema types, dedup, sorted, ${ours.codec}, fsync'd put`,
      medianTime(ours.timing), perSecond(ours.readingsPerSecond), ratio(convert.throughputRatio), bytes(ours.bytes), (ours.bytes / ours.rows).toFixed(1),
      ratio(convert.bytesRatio), count(ours.rows)],
  ]) + `\n\nThroughput is over the ${count(lines)} raw lines for both.`;
}

function writersTable({ convert, peers }: IngestResult): string {
  const plainMs = convert.duckdbDefault.timing.medianMs;
  const row = (name: string, codec: string, timing: Timing, rate: number, size: number, rows: number): (string | number)[] =>
    [name, codec, medianTime(timing), perSecond(rate), ratio(plainMs / timing.medianMs), bytes(size), (size / rows).toFixed(1)];
  return markdownTable(['writer', 'codec', 'median time (range)', 'readings/s', 'throughput vs DuckDB', 'output', 'bytes/reading'], [
    row('DuckDB read_json + COPY (defaults)', convert.duckdbDefault.codec, convert.duckdbDefault.timing, convert.duckdbDefault.readingsPerSecond, convert.duckdbDefault.bytes, convert.duckdbDefault.rows),
    row('wattlake converter', convert.converter.codec, convert.converter.timing, convert.converter.readingsPerSecond, convert.converter.bytes, convert.converter.rows),
    ...peers.writers.map((w) => row(w.name, w.codec, w.timing, w.readingsPerSecond, w.bytes, w.rows)),
  ], ['left', 'left']) + `\n\nDuckDB and the converter include reading the gzip JSON. The JS writers start from parsed rows (hyparquet-writer's time includes` +
    ` turning them into columns) and write them in arrival order, undeduplicated, with their default row groups; gunzip + JSON.parse of the raw objects` +
    ` takes another ${seconds(peers.parse.timing.medianMs)} (${perSecond(peers.parse.readingsPerSecond)}).`;
}

function acceptanceTable({ transform, convert }: IngestResult): string {
  const rowsMatch = convert.converter.rows === convert.distinctReadings;
  return markdownTable(['criterion', 'measured', 'target'], [
    ['transform throughput / baseline', ratio(transform.ratio), verdict(transform.ratio, '>=', TARGETS.transformThroughput)],
    ['converter throughput / DuckDB read_json + COPY', ratio(convert.throughputRatio), verdict(convert.throughputRatio, '>=', TARGETS.converterThroughput)],
    ['converter bytes / DuckDB default COPY', ratio(convert.bytesRatio), verdict(convert.bytesRatio, '<=', TARGETS.converterBytes)],
    ['converter rows = distinct (device_id, ts)', `${count(convert.converter.rows)} / ${count(convert.distinctReadings)}`, `equal: ${rowsMatch ? 'pass' : 'FAIL'}`],
  ], ['left', 'right', 'left']);
}
