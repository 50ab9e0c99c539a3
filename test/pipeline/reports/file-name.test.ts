import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, REPORTS } from '../../../pipeline/reports/definitions.ts';
import { reportFileKey, reportFileName } from '../../../pipeline/reports/file-name.ts';
import { InvalidKeyError } from '../../../pipeline/storage/keys.ts';

const MARCH = { start_date: '2026-03-01', end_date: '2026-03-31' };

describe('reportFileKey', () => {
  it('puts a run under exports/{report}/ named by the report and its period', () => {
    expect(reportFileKey('monthly_consumption_cost', MARCH, 'xlsx')).toBe('exports/monthly_consumption_cost/monthly_consumption_cost_2026-03-01_2026-03-31.xlsx');
    expect(reportFileName('daily_anomalies', { start_date: '2026-02-10', end_date: '2026-02-10' }, 'csv')).toBe('daily_anomalies_2026-02-10_2026-02-10.csv');
  });

  it('gives each period and format its own key, and the same period the same key', () => {
    const april = { start_date: '2026-04-01', end_date: '2026-04-30' };
    const keys = [MARCH, april].flatMap((period) => REPORT_FORMATS.map((format) => reportFileKey('monthly_consumption_cost', period, format)));
    expect(new Set(keys).size).toBe(6);
    expect(reportFileKey('monthly_consumption_cost', { ...MARCH }, 'csv')).toBe(reportFileKey('monthly_consumption_cost', MARCH, 'csv'));
  });

  it('builds a safe key for every shipped report', () => {
    for (const report of REPORTS) {
      for (const format of report.formats) expect(reportFileKey(report.name, MARCH, format)).toMatch(new RegExp(`^exports/${report.name}/${report.name}_2026-03-01_2026-03-31\\.${format}$`));
    }
  });

  it('refuses report names and dates that could leave the folder or are not dates', () => {
    expect(() => reportFileKey('../curated', MARCH, 'csv')).toThrow(InvalidKeyError);
    expect(() => reportFileKey('Monthly Report', MARCH, 'csv')).toThrow(InvalidKeyError);
    expect(() => reportFileKey('monthly', { start_date: '2026-02-30', end_date: '2026-03-31' }, 'csv')).toThrow(InvalidKeyError);
    expect(() => reportFileKey('monthly', { start_date: '2026-03-01', end_date: '../../x' }, 'csv')).toThrow(InvalidKeyError);
  });
});
