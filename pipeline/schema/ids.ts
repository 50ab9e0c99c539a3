// Site and device IDs end up in topics, S3 keys, partition values and SQL results,
// so they are checked once, here, before they can reach any of those.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** True for a contract-valid `site_id` / `device_id`. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && value !== '.' && value !== '..';
}

/** The UTC calendar date (YYYY-MM-DD) of an epoch-millisecond instant: the `dt` partition value. */
export function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written as YYYY-MM-DD (the only form a `dt` may take). */
export function isValidDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && utcDate(ms) === value;
}
