// The deployment's settings: read from CDK context (`cdk.json` or `-c key=value`), defaulted,
// validated with errors that name the key. Nothing account- or region-specific lives here: the
// stack is environment-agnostic unless `account`/`region` are given.

export interface WattlakeConfig {
  /** Short stage name (dev, prod, …): part of every resource name, so stages can share an account. */
  stage: string;
  /** AWS account / region to pin the stack to; both optional (environment-agnostic otherwise). */
  account?: string;
  region?: string;
  /** CloudWatch Logs retention for every log group, days. */
  logRetentionDays: number;
  /** Firehose buffer: flush at this many MiB (>= 64 because dynamic partitioning requires it). */
  bufferSizeMiB: number;
  /** Firehose buffer: flush at the latest after this many seconds (0–900). */
  bufferIntervalSeconds: number;
  /** Raw zone objects move to Glacier Flexible Retrieval after this many days (still replayable). */
  rawToGlacierDays: number;
  /** Athena query results under athena-results/ expire after this many days. */
  athenaResultsExpiryDays: number;
  /** Athena per-query data-scanned cutoff, bytes (Athena's minimum is 10 MB). */
  bytesScannedCutoff: number;
  /** QuickSight principal (user or group ARN) granted the data sets; dashboards are skipped when absent. */
  quicksightPrincipalArn?: string;
  /** Address subscribed to the alarm topic; no subscription when absent. */
  alertEmail?: string;
}

/** Context keys, as written in cdk.json / `-c`. */
export const CONTEXT_KEYS = {
  stage: 'wattlake:stage',
  account: 'wattlake:account',
  region: 'wattlake:region',
  logRetentionDays: 'wattlake:logRetentionDays',
  bufferSizeMiB: 'wattlake:bufferSizeMiB',
  bufferIntervalSeconds: 'wattlake:bufferIntervalSeconds',
  rawToGlacierDays: 'wattlake:rawToGlacierDays',
  athenaResultsExpiryDays: 'wattlake:athenaResultsExpiryDays',
  bytesScannedCutoff: 'wattlake:bytesScannedCutoff',
  quicksightPrincipalArn: 'wattlake:quicksightPrincipalArn',
  alertEmail: 'wattlake:alertEmail',
} as const satisfies Record<keyof WattlakeConfig, string>;

export const DEFAULT_CONFIG = {
  stage: 'dev',
  logRetentionDays: 30,
  bufferSizeMiB: 64,
  bufferIntervalSeconds: 300,
  rawToGlacierDays: 90,
  athenaResultsExpiryDays: 7,
  bytesScannedCutoff: 10 * 1024 ** 3,
} as const;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the config through a context getter (`(key) => app.node.tryGetContext(key)`). */
export function loadConfig(context: (key: string) => unknown): WattlakeConfig {
  const problems: string[] = [];
  const text = (field: keyof typeof CONTEXT_KEYS, pattern: RegExp, rule: string): string | undefined => {
    const value = context(CONTEXT_KEYS[field]);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(`${CONTEXT_KEYS[field]} must be ${rule}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  };
  const integer = (field: keyof typeof DEFAULT_CONFIG & keyof typeof CONTEXT_KEYS, min: number, max: number): number => {
    const raw = context(CONTEXT_KEYS[field]);
    const fallback = DEFAULT_CONFIG[field] as number;
    if (raw === undefined || raw === null || raw === '') return fallback;
    // `-c key=64` arrives as the string "64"; cdk.json values arrive as numbers.
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${CONTEXT_KEYS[field]} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };

  const config: WattlakeConfig = {
    stage: text('stage', /^[a-z][a-z0-9-]{0,19}$/, 'lowercase letters, digits and dashes, starting with a letter, at most 20 characters') ?? DEFAULT_CONFIG.stage,
    account: text('account', /^\d{12}$/, 'a 12-digit account ID'),
    region: text('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'a region name such as eu-north-1'),
    logRetentionDays: integer('logRetentionDays', 1, 3653),
    // Dynamic partitioning needs at least 64 MiB; Firehose's maximum is 128 MiB.
    bufferSizeMiB: integer('bufferSizeMiB', 64, 128),
    bufferIntervalSeconds: integer('bufferIntervalSeconds', 0, 900),
    rawToGlacierDays: integer('rawToGlacierDays', 1, 36500),
    athenaResultsExpiryDays: integer('athenaResultsExpiryDays', 1, 3650),
    bytesScannedCutoff: integer('bytesScannedCutoff', 10_000_000, Number.MAX_SAFE_INTEGER),
    quicksightPrincipalArn: text('quicksightPrincipalArn', /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/.+$/, 'a QuickSight user or group ARN'),
    alertEmail: text('alertEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'),
  };
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(config.logRetentionDays)) {
    problems.push(`${CONTEXT_KEYS.logRetentionDays} must be one of CloudWatch's values (${LOG_RETENTION_DAYS.join(', ')}), got ${config.logRetentionDays}`);
  }
  if (problems.length) throw new ConfigError(`invalid wattlake configuration:\n- ${problems.join('\n- ')}`);
  return config;
}
