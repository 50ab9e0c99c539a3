// Lambda shell: the daily schedule -> compactLake over the curated partitions that need it
// (or one `day` when the schedule's input, or a manual invocation, names it).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { compactLake } from '../../../pipeline/convert/compact.ts';
import { lakeDuckDb, lakeStore } from './lake-store.ts';

const logger = new Logger({ serviceName: 'wattlake-compact' });
const metrics = new Metrics({ namespace: 'wattlake', serviceName: 'wattlake-compact' });

export interface CompactEvent {
  /** Only this UTC day (YYYY-MM-DD); every partition that needs it when absent. */
  day?: string;
  /** Rebuild the rollup of every closed day (after a site's timezone changed). */
  rebuildRollup?: boolean;
}

export interface CompactSummary {
  partitions: number;
  /** The rollup's watermark after the run, and the days it rebuilt. */
  closedUntil: string;
  rollupDaysRebuilt: number;
  filesIn: number;
  filesOut: number;
  rowsIn: number;
  rowsOut: number;
}

export async function handler(event: CompactEvent | null | undefined, context: Context): Promise<CompactSummary> {
  logger.addContext(context);
  const day = typeof event?.day === 'string' ? event.day : undefined;
  const { partitions: done, rollup } = await compactLake({ store: lakeStore(), duckdb: await lakeDuckDb(), day, rebuildRollup: event?.rebuildRollup === true });
  const summary: CompactSummary = {
    partitions: done.length,
    closedUntil: rollup.closedUntil,
    rollupDaysRebuilt: rollup.rebuiltDays.length,
    filesIn: done.reduce((n, p) => n + p.inputs.length, 0),
    filesOut: done.reduce((n, p) => n + p.outputs.length, 0),
    rowsIn: done.reduce((n, p) => n + p.rowsIn, 0),
    rowsOut: done.reduce((n, p) => n + p.rowsOut, 0),
  };
  for (const p of done) logger.info('compacted', { table: p.table, dt: p.dt, inputs: p.inputs.length, outputs: p.outputs.length, rowsIn: p.rowsIn, rowsOut: p.rowsOut });
  metrics.addMetric('CompactedPartitions', MetricUnit.Count, summary.partitions);
  metrics.addMetric('CompactedFilesIn', MetricUnit.Count, summary.filesIn);
  metrics.addMetric('RollupDaysRebuilt', MetricUnit.Count, summary.rollupDaysRebuilt);
  logger.info('rollup refreshed', { closedUntil: rollup.closedUntil, previousClosedUntil: rollup.previousClosedUntil, rebuiltDays: rollup.rebuiltDays.length });
  metrics.publishStoredMetrics();
  return summary;
}
