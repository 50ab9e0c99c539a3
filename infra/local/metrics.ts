// CloudWatch's local stand-in: Prometheus metrics read from the twin's components at scrape
// time (collect callbacks), so the components keep no metrics code of their own.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunningBroker } from './broker/server.ts';
import type { DurableBuffer } from './buffer/durable-buffer.ts';

export function createTwinMetrics({ broker, buffer }: { broker: () => RunningBroker | undefined; buffer: DurableBuffer }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wattlake_process_' });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  };
  const byLabel = (name: string, help: string, label: string, read: () => Record<string, number>): void => {
    new Gauge({
      name, help, labelNames: [label], registers: [registry],
      collect() {
        this.reset();
        for (const [value, n] of Object.entries(read())) this.set({ [label]: value }, n);
      },
    });
  };
  gauge('wattlake_mqtt_connected_devices', 'Devices connected to the broker', () => broker()?.connectedClients() ?? 0);
  gauge('wattlake_ingest_messages_total', 'Messages accepted by the broker policy and handed to the buffer', () => buffer.stats.messages);
  gauge('wattlake_ingest_unrouted_total', 'Messages on topics the IoT rule does not select', () => buffer.stats.unrouted);
  gauge('wattlake_buffer_spooled_records_total', 'Records made durable in the spool (fsynced before PUBACK)', () => buffer.stats.spooled);
  gauge('wattlake_buffer_bytes', 'Bytes buffered and not yet delivered', () => buffer.stats.bytesBuffered);
  gauge('wattlake_buffer_segments_pending', 'Sealed spool segments waiting for delivery', () => buffer.stats.segmentsPending);
  gauge('wattlake_buffer_backpressure_waits_total', 'Publishes that waited for delivery to make room', () => buffer.stats.backpressureWaits);
  gauge('wattlake_delivery_retries_total', 'Transform/converter delivery retries', () => buffer.stats.deliveryRetries);
  gauge('wattlake_readings_accepted_total', 'Readings accepted by the transform', () => buffer.stats.accepted);
  byLabel('wattlake_readings_rejected_total', 'Readings quarantined, by reason', 'reason', () => buffer.stats.rejected);
  byLabel('wattlake_records_failed_total', 'Messages that failed as a whole (errors/), by error', 'error', () => buffer.stats.failedRecords);
  gauge('wattlake_raw_objects_total', 'Raw objects delivered', () => buffer.stats.rawObjects);
  gauge('wattlake_curated_files_total', 'Curated Parquet files written by the converter', () => buffer.stats.curatedFiles);
  return registry;
}
