// Every lake key is built here, only from validated parts, so no device-supplied text can
// become a path. Layout: docs/contracts.md ("Lake layout").
import { isValidDate } from '../schema/ids.ts';
import { isReferenceTableName, type ReferenceTableName } from '../schema/reference.ts';
import { ROLLUP_TABLES, type RollupTableName } from '../schema/rollup.ts';

/** One key segment: a file or folder name made of safe characters, never `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.=-]{0,199}$/;

export class InvalidKeyError extends Error {
  constructor(detail: string) {
    super(`invalid lake key: ${detail}`);
    this.name = 'InvalidKeyError';
  }
}

/** Throws unless `key` is a relative, `/`-separated path of safe segments (defence in depth for stores). */
export function assertSafeKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw new InvalidKeyError(JSON.stringify(key));
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') throw new InvalidKeyError(JSON.stringify(key));
  }
}

function dateSegment(dt: string): string {
  if (!isValidDate(dt)) throw new InvalidKeyError(`dt ${JSON.stringify(dt)} is not a YYYY-MM-DD date`);
  return `dt=${dt}`;
}

function join(...segments: string[]): string {
  const name = segments.at(-1) ?? '';
  if (!SEGMENT.test(name)) throw new InvalidKeyError(`file name ${JSON.stringify(name)} is not a single safe segment`);
  const key = segments.join('/');
  assertSafeKey(key);
  return key;
}

export const LAKE_PREFIXES = {
  raw: 'raw/readings/',
  errors: 'errors/readings/',
  curated: 'curated/readings/',
  rejected: 'curated/rejected_readings/',
  reference: 'reference/',
  exports: 'exports/',
  rollup: 'rollup/',
} as const;

export const rawReadingsKey = (dt: string, fileName: string): string => join('raw', 'readings', dateSegment(dt), fileName);
export const errorsKey = (fileName: string): string => join('errors', 'readings', fileName);
export const curatedReadingsKey = (dt: string, fileName: string): string => join('curated', 'readings', dateSegment(dt), fileName);
export const rejectedReadingsKey = (dt: string, fileName: string): string => join('curated', 'rejected_readings', dateSegment(dt), fileName);

/** A rollup table's prefix (`rollup/<folder>/`, see pipeline/schema/rollup.ts). */
export const rollupPrefix = (table: RollupTableName): string => `${LAKE_PREFIXES.rollup}${ROLLUP_TABLES[table].folder}/`;

/**
 * The one file of a rollup table's partition (`rollup/<folder>/dt=YYYY-MM-DD/part.parquet`), or of
 * an unpartitioned one (`rollup/<folder>/part.parquet`): one object each, so that replacing it is
 * a single atomic PUT and a reader sees the old rows or the new, never both.
 */
export function rollupKey(table: RollupTableName, dt: string | null): string {
  if (!Object.hasOwn(ROLLUP_TABLES, table)) throw new InvalidKeyError(`${JSON.stringify(table)} is not a rollup table`);
  const { folder, partition } = ROLLUP_TABLES[table];
  if ((partition === null) !== (dt === null)) throw new InvalidKeyError(`rollup table ${table} is ${partition === null ? 'not ' : ''}partitioned`);
  return dt === null ? join('rollup', folder, 'part.parquet') : join('rollup', folder, dateSegment(dt), 'part.parquet');
}

/** The one CSV object of a reference table: `reference/<table>/<table>.csv` (replaced whole on each load). */
export function referenceKey(table: ReferenceTableName): string {
  if (!isReferenceTableName(table)) throw new InvalidKeyError(`${JSON.stringify(table)} is not a reference table`);
  return join('reference', table, `${table}.csv`);
}

const REPORT_NAME = /^[a-z0-9][a-z0-9_]{0,63}$/;

/** A scheduled report's file: `exports/<report>/<file name>` (report names are lowercase [a-z0-9_]). */
export function exportsKey(report: string, fileName: string): string {
  if (!REPORT_NAME.test(report)) throw new InvalidKeyError(`report name ${JSON.stringify(report)} is not lowercase [a-z0-9_]`);
  return join('exports', report, fileName);
}

/** The `dt` of a partitioned key such as `raw/readings/dt=2026-11-21/x.gz`, or null. */
export function partitionDate(key: string): string | null {
  const m = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
  return m && isValidDate(m[1]) ? (m[1] as string) : null;
}

/** The Parquet files among `keys`, by their partition's `dt` (keys outside a partition are left out). */
export function parquetKeysByDate(keys: readonly string[]): Map<string, string[]> {
  const byDate = new Map<string, string[]>();
  for (const key of keys) {
    const dt = partitionDate(key);
    if (dt !== null && key.endsWith('.parquet')) byDate.set(dt, [...(byDate.get(dt) ?? []), key]);
  }
  return byDate;
}
