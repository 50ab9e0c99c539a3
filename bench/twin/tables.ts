// The twin suite's report: set-up, the max (closed-loop) runs, the paced runs at set rates, and
// the acceptance targets.
import { count, markdownTable, perSecond, ratio, seconds } from '../report.ts';
import { PACED_FRACTIONS, TARGETS, type LoadName, type RunResult, type TwinSuiteResult } from './suite.ts';
import type { SystemName } from './systems.ts';

/** `a`, `a and b`, `a, b, and c`. */
const listed = (items: readonly string[]): string => new Intl.ListFormat('en', { type: 'conjunction' }).format(items);
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const SYSTEM_LABEL = { aedes: 'aedes alone (TLS + policy, no persistence)', twin: 'twin (spool + fsync, transform, Parquet)' } as const;

export function twinTables(result: TwinSuiteResult): string {
  return [
    '### Twin: set-up', setupTable(result),
    '### Twin: maximum sustained throughput (closed loop)', maxTable(result),
    '### Twin: at set rates (open loop)', pacedTable(result),
    '### Twin: acceptance', acceptanceTable(result),
  ].join('\n\n');
}

function setupTable({ params, provisionMs, systems }: TwinSuiteResult): string {
  const twin = systems.find((s) => s.system === 'twin');
  return markdownTable(['', ''], [
    ['devices', `${count(params.devices)}, each with its own client certificate (mutual TLS, ECDSA P-256), MQTT 3.1.1, QoS 1`],
    ['processes', `the system under test in the bench process (the twin with its delivery process, whose priority is lowered while it keeps up); all devices in one forked load-generator process (a lean client: TLS socket + mqtt-packet, bench/twin/bench-device.ts); ${params.cores} cores shared`],
    ['loads', 'batched: 10 readings a message (batch form); single: 1 reading a message (single form); ISO timestamps'],
    ['max run', `each device publishes ${count(params.messagesPerDevice)} messages, keeping ${params.window} unacknowledged`],
    ['paced run', `${params.pacedSeconds} s at ${listed(PACED_FRACTIONS.map((f) => `${f * 100} %`))} of the target message rate, spread evenly over the devices; PUBACK latency after a ${Math.min(2, params.pacedSeconds / 5)} s ramp`],
    ['order', `per system: warm-up, paced batched, paced single, max batched, max single; each run starts ${seconds(params.pauseMs)} after the previous one settled`],
    ['CPU others', 'CPU time the machine spent outside the two processes during a run: other users of the machine, which make the timings noisy'],
    ['twin buffer hints', `${params.bufferHints.sizeMb} MB / ${params.bufferHints.intervalSeconds} s`],
    ['provisioning', seconds(provisionMs)],
    ...systems.map((s) => [`TLS connect of all devices to ${s.system}`, seconds(s.connectMs)] as [string, string]),
    ...(twin?.buffer ? [['twin spool', `${count(twin.buffer.spooled)} records in ${count(twin.buffer.fsyncs)} fsyncs; ${count(twin.buffer.segmentsDelivered)} segments delivered, ${count(twin.buffer.curatedFiles)} Parquet files; ${count(twin.buffer.backpressureWaits)} backpressure waits`] as [string, string]] : []),
  ], ['left', 'left']);
}

/** CPU seconds of the system under test, the load generator and everything else on the machine during the run. */
const cpu = (r: RunResult): string => `${(r.systemCpuMs / 1000).toFixed(1)} / ${(r.generator.cpuMs / 1000).toFixed(1)} / ${(r.otherCpuMs / 1000).toFixed(1)} s`;
const loops = (r: RunResult): string => `${ms(r.eventLoopDelayP99Ms)} / ${ms(r.generator.eventLoopDelayP99Ms)}`;
const rate = (n: number, elapsedMs: number): number => n / Math.max(elapsedMs, 1e-3) * 1000;

function maxTable({ runs }: TwinSuiteResult): string {
  return markdownTable(
    ['system', 'load', 'messages', 'readings', 'publish phase', 'messages/s', 'readings/s', 'publish -> Parquet', 'readings/s end to end', 'messages/s end to end', 'PUBACK p50', 'PUBACK p99', 'CPU system / generator / others', 'event-loop p99 system / generator'],
    runs.filter((r) => r.spec.kind === 'max').map((r) => {
      const g = r.generator;
      const twin = r.system === 'twin';
      return [
        SYSTEM_LABEL[r.system], r.load, count(g.messages), count(g.readings), seconds(g.elapsedMs),
        perSecond(rate(g.messages, g.elapsedMs)), perSecond(rate(g.readings, g.elapsedMs)),
        twin ? seconds(r.endToEndMs) : 'n/a', twin ? perSecond(rate(g.readings, r.endToEndMs)) : 'n/a', twin ? perSecond(rate(g.messages, r.endToEndMs)) : 'n/a',
        ms(g.latency.p50Ms), ms(g.latency.p99Ms), cpu(r), loops(r),
      ];
    }),
  ) + '\n\nPUBACK latency in a closed loop is mostly queueing (every device keeps its window full); the paced runs below give the latency at a set load.';
}

function pacedTable({ runs }: TwinSuiteResult): string {
  return markdownTable(
    ['system', 'load', 'target messages/s', 'achieved messages/s', 'readings/s', 'skipped turns', 'PUBACK p50', 'PUBACK p99', 'PUBACK max', 'publish -> Parquet', 'CPU system / generator / others', 'event-loop p99 system / generator'],
    runs.filter((r) => r.spec.kind === 'paced').map((r) => {
      const g = r.generator;
      const target = r.spec.kind === 'paced' ? r.spec.messagesPerSecond : 0;
      return [
        SYSTEM_LABEL[r.system], r.load, perSecond(target), perSecond(rate(g.messages, g.elapsedMs)), perSecond(rate(g.readings, g.elapsedMs)), count(g.skipped),
        ms(g.latency.p50Ms), ms(g.latency.p99Ms), ms(g.latency.maxMs), r.system === 'twin' ? seconds(r.endToEndMs) : 'n/a',
        cpu(r), loops(r),
      ];
    }),
  );
}

/** A system's run of a load: its max run, or its paced run at the highest rate (the target). */
const find = (runs: RunResult[], system: SystemName, load: LoadName, kind: 'max' | 'paced'): RunResult | undefined =>
  runs.filter((r) => r.system === system && r.load === load && r.spec.kind === kind)
    .sort((a, b) => (b.spec.kind === 'paced' ? b.spec.messagesPerSecond : 0) - (a.spec.kind === 'paced' ? a.spec.messagesPerSecond : 0))[0];

/** Of a max run: readings (or messages) per second until everything was in Parquet (twin), or in its publish phase (aedes alone, as in the max table). */
const maxRate = (run: RunResult, unit: 'readings' | 'messages'): number => rate(run.generator[unit], run.system === 'twin' ? run.endToEndMs : run.generator.elapsedMs);

/** Of a paced run: its PUBACK p99, and whether it meets the latency target: within 5 % of the target rate, nothing skipped, p99 at most the target. */
function pacedLatency(run: RunResult): { text: string; meets: boolean } {
  const target = run.spec.kind === 'paced' ? run.spec.messagesPerSecond : Number.POSITIVE_INFINITY;
  const achieved = rate(run.generator.messages, run.generator.elapsedMs);
  const heldRate = achieved >= 0.95 * target && run.generator.skipped === 0;
  return { text: `${ms(run.generator.latency.p99Ms)} at ${perSecond(achieved)}`, meets: heldRate && run.generator.latency.p99Ms <= TARGETS.p99PubackMs };
}

/**
 * The targets, judged on the twin's runs, next to aedes alone's runs of the same load in the same
 * suite run: aedes alone does no persistence, so where it misses a target too, the machine at
 * that moment was the bound, not the twin's own work.
 */
function acceptanceTable({ runs, systems }: TwinSuiteResult): string {
  const rows: string[][] = [];
  const pass = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
  const peerVerdict = (ok: boolean): string => (ok ? 'meets the target' : 'misses the target too');
  const throughput = [
    { load: 'batched', unit: 'readings', target: TARGETS.batchedReadingsPerSecond, label: 'twin, batched: readings/s publish -> Parquet (max run)' },
    { load: 'single', unit: 'messages', target: TARGETS.singleMessagesPerSecond, label: 'twin, single-reading: messages/s publish -> Parquet (max run)' },
  ] as const;
  for (const { load, unit, target, label } of throughput) {
    const twin = find(runs, 'twin', load, 'max');
    if (!twin) continue;
    const aedes = find(runs, 'aedes', load, 'max');
    const value = maxRate(twin, unit);
    const peer = aedes ? maxRate(aedes, unit) : undefined;
    rows.push([label, perSecond(value),
      peer === undefined ? 'n/a' : `${perSecond(peer)} (${peerVerdict(peer >= target)})`,
      peer === undefined ? 'n/a' : ratio(value / peer),
      `>= ${perSecond(target)}: ${pass(value >= target)}`]);
  }
  for (const load of ['batched', 'single'] as const) {
    const twin = find(runs, 'twin', load, 'paced');
    if (!twin || twin.spec.kind !== 'paced') continue;
    const aedes = find(runs, 'aedes', load, 'paced');
    const measured = pacedLatency(twin);
    const peer = aedes ? pacedLatency(aedes) : undefined;
    rows.push([`twin, ${load}: PUBACK p99 at ${perSecond(twin.spec.messagesPerSecond)} messages (paced run)`, measured.text,
      peer === undefined ? 'n/a' : `${peer.text} (${peerVerdict(peer.meets)})`, '',
      `<= ${TARGETS.p99PubackMs} ms at the target rate: ${pass(measured.meets)}`]);
  }
  const twin = systems.find((s) => s.system === 'twin');
  if (twin) {
    rows.push(['lake rows = readings acknowledged to devices (all twin runs, warm-up included)', `${count(twin.storedReadings ?? 0)} / ${count(twin.ackedReadings)}`, 'n/a (keeps nothing)', '', `equal: ${pass(twin.storedReadings === twin.ackedReadings)}`]);
  }
  return markdownTable(['criterion', 'twin', 'aedes alone, same run (publish -> PUBACK)', 'twin / aedes', 'target (the twin)'], rows, ['left', 'right', 'right', 'right', 'left'])
    + '\n\naedes alone does no persistence: where it misses a target in the same run, the machine at that moment was the bound.';
}
