// Lambda shell: Firehose data transformation -> pipeline/transform/firehose.ts. Adds structured
// logs (record failures, never payloads) and EMF metrics; the response is the pipeline's.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { transformFirehoseEvent } from '../../../pipeline/transform/firehose.ts';

const logger = new Logger({ serviceName: 'wattlake-transform' });
const metrics = new Metrics({ namespace: 'wattlake', serviceName: 'wattlake-transform' });

export async function handler(event: FirehoseTransformationEvent, context: Context): Promise<FirehoseTransformationResult> {
  logger.addContext(context);
  const { response, stats, failures } = transformFirehoseEvent(event);
  // The detail may quote the payload; Firehose's error output keeps the record, the log keeps the reason.
  for (const { recordId, error } of failures) logger.warn('record failed', { recordId, error });
  const rejected = Object.values(stats.rejected).reduce((n, count) => n + count, 0);
  const failed = Object.values(stats.failedRecords).reduce((n, count) => n + (count ?? 0), 0);
  metrics.addMetric('Records', MetricUnit.Count, stats.records);
  metrics.addMetric('FailedRecords', MetricUnit.Count, failed);
  metrics.addMetric('DroppedRecords', MetricUnit.Count, stats.droppedRecords);
  metrics.addMetric('AcceptedReadings', MetricUnit.Count, stats.accepted);
  metrics.addMetric('RejectedReadings', MetricUnit.Count, rejected);
  metrics.publishStoredMetrics();
  logger.info('transformed', { records: stats.records, ok: stats.okRecords, dropped: stats.droppedRecords, failed: stats.failedRecords, accepted: stats.accepted, rejected: stats.rejected });
  return response;
}
