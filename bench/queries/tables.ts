// The queries suite's report: the lake, each query's time and what it read, pruning, targets.
import { bytes, count, markdownTable, medianTime, seconds } from '../report.ts';
import { TARGETS, type QueriesResult } from './suite.ts';

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

export function queriesTables(result: QueriesResult): string {
  const { build, month } = result;
  const lake = markdownTable(['', ''], [
    ['meters x days at 15-minute cadence', `${count(build.devices)} x ${count(build.days)} (${count(build.sites)} sites)`],
    ['readings', count(build.readings)],
    ['messages (4 readings each)', count(build.messages)],
    ['raw objects (one per 15 minutes of data) -> converter', `${count(build.rawObjects)} -> ${count(build.convertedFiles)} files in ${seconds(build.buildMs)}`],
    ['compaction and rollup', `${count(build.compactedPartitions)} partitions compacted and ${count(build.rollupDays)} rollup days built in ${seconds(build.compactMs)}; closed until ${build.closedUntil}`],
    ...(result.rebuiltRollup ? [['compaction and rollup refresh, run again on the kept lake', `${count(result.rebuiltRollup.partitions)} partitions compacted and ${count(result.rebuiltRollup.days)} rollup days rebuilt in ${seconds(result.rebuiltRollup.ms)}; closed until ${result.rebuiltRollup.closedUntil}`]] : []),
    ['curated readings after compaction', `${count(result.lakeFiles)} files, ${bytes(result.lakeBytes)}`],
    ['query period', `${month.start_date} .. ${month.end_date}, all sites`],
    ['timing', `median of ${result.options.reps} after 1 warm-up, each on a fresh connection (views + Trino layer + query)`],
  ], ['left', 'left']);
  const whole = new Map(result.wholePeriod.queries.map((q) => [q.name, q]));
  const queries = markdownTable(['query', 'one month: median time (range)', 'rows', 'files read', 'bytes read', `< ${TARGETS.queryMs / 1000} s`,
    `${result.wholePeriod.start_date} .. ${result.wholePeriod.end_date}: time`, 'rows', 'bytes read', `< ${TARGETS.queryMs / 1000} s`],
  result.queries.map((q) => {
    const w = whole.get(q.name);
    return [`\`${q.name}\``, medianTime(q.timing), count(q.profile.rows), count(q.profile.filesRead), bytes(q.profile.bytesRead),
      q.timing.medianMs < TARGETS.queryMs ? 'pass' : 'FAIL',
      w ? seconds(w.timing.medianMs) : '', w ? count(w.profile.rows) : '', w ? bytes(w.profile.bytesRead) : '', w ? (w.timing.medianMs < TARGETS.queryMs ? 'pass' : 'FAIL') : ''];
  }));
  const pruning = markdownTable(['`daily_consumption`, one site', 'time', 'files read', 'bytes read', 'full scan: files, bytes', 'share of bytes', `< ${pct(TARGETS.prunedBytesShare)}`],
    result.pruning.map((p) => [p.label, seconds(p.selective.ms), count(p.selective.filesRead), bytes(p.selective.bytesRead),
      `${count(p.fullScan.filesRead)}, ${bytes(p.fullScan.bytesRead)}`, pct(p.bytesShare), p.bytesShare < TARGETS.prunedBytesShare ? 'pass' : 'FAIL']));
  return ['### Queries: lake', lake, '### Queries: each named query, one month and the whole period', queries, '### Queries: partition and row-group pruning', pruning].join('\n\n');
}
