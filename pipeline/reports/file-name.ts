// Where a report run's file goes: `exports/{report}/{report}_{start}_{end}.{format}`. One name
// per period, so a later period never overwrites an earlier one's file; running the same period
// again (a retry, or `wattlake report run --at`) writes the same key, which the store replaces
// whole (S3 PUT; FolderStore's rename), so readers see the old file or the new one, never a mix.
import { exportsKey, InvalidKeyError } from '../storage/keys.ts';
import { isValidDate } from '../schema/ids.ts';
import type { ReportFormat } from './definitions.ts';
import type { ReportPeriod } from './periods.ts';

/** The file name alone, e.g. `daily_anomalies_2026-03-08_2026-03-08.csv`. */
export function reportFileName(report: string, period: ReportPeriod, format: ReportFormat): string {
  for (const date of [period.start_date, period.end_date]) {
    if (!isValidDate(date)) throw new InvalidKeyError(`report period date ${JSON.stringify(date)} is not YYYY-MM-DD`);
  }
  return `${report}_${period.start_date}_${period.end_date}.${format}`;
}

/** The lake key of a report run's file in one format. */
export function reportFileKey(report: string, period: ReportPeriod, format: ReportFormat): string {
  return exportsKey(report, reportFileName(report, period, format));
}
