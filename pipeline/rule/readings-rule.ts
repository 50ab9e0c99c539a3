// The IoT topic rule, defined once: CDK deploys this exact SQL, and the local twin and
// `wattlake ingest` evaluate it, compiled once here (so unsupported SQL fails at start-up).
import { compileRule } from './evaluate.ts';

export const READINGS_RULE_NAME = 'wattlake_readings';

export const READINGS_RULE_SQL =
  "SELECT *, topic(3) AS site_id, topic(4) AS topic_device_id, timestamp() AS received_at FROM 'dt/energy/+/+/readings'";

/** The rule's Firehose action separator: appended to every record Firehose receives (CDK and the twin). */
export const READINGS_RULE_SEPARATOR = '\n';

/** The readings rule, compiled: what the twin and `wattlake ingest` evaluate. */
export const readingsRule = compileRule(READINGS_RULE_SQL, { ruleName: READINGS_RULE_NAME });
