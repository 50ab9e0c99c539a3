import { describe, expect, it } from 'vitest';
import { formatProblem, validateReferenceCsv, type ReferenceProblem } from '../../../pipeline/reference/validate.ts';
import type { ReferenceTableName } from '../../../pipeline/schema/reference.ts';

const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;
const SITES_HEADER = 'site_id,name,timezone,tariff_id,region,contracted_capacity_kw';
const TARIFFS_HEADER = 'tariff_id,band,days,start_local,end_local,price_per_kwh,currency,valid_from,valid_to';
const FACTORS_HEADER = 'region,valid_from,valid_to,kg_co2e_per_kwh';

function problems(table: ReferenceTableName, text: string): ReferenceProblem[] {
  const result = validateReferenceCsv(table, text);
  return result.ok ? [] : result.problems;
}
const only = (table: ReferenceTableName, text: string) => problems(table, text).map(({ line, column, value, rule }) => ({ line, column, value, rule }));

/** A weekday/weekend time-of-use tariff; `edit` rewrites one of its rows. */
function touTariff(edit: (rows: string[]) => string[] = (r) => r): string {
  return csv(TARIFFS_HEADER, ...edit([
    'se-tou,off_peak,mon-fri,22:00,06:00,0.82,SEK,2026-01-01,',
    'se-tou,shoulder,mon-fri,06:00,07:00,1.19,SEK,2026-01-01,',
    'se-tou,peak,mon-fri,07:00,20:00,1.65,SEK,2026-01-01,',
    'se-tou,shoulder,mon-fri,20:00,22:00,1.19,SEK,2026-01-01,',
    'se-tou,off_peak,sat-sun,00:00,24:00,0.82,SEK,2026-01-01,',
  ]));
}

describe('validateReferenceCsv: sites', () => {
  it('accepts sites in different time zones and returns typed rows with their line numbers', () => {
    const result = validateReferenceCsv('sites', csv(SITES_HEADER,
      'site-01,Vasastan apartments,Europe/Stockholm,se-tou,SE3,63',
      'site-03,Brooklyn corner shop,America/New_York,us-flat,US-NY,75.5',
      'site-04,Test bench,UTC,,,'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toEqual([
      { line: 2, values: { site_id: 'site-01', name: 'Vasastan apartments', timezone: 'Europe/Stockholm', tariff_id: 'se-tou', region: 'SE3', contracted_capacity_kw: 63 } },
      { line: 3, values: { site_id: 'site-03', name: 'Brooklyn corner shop', timezone: 'America/New_York', tariff_id: 'us-flat', region: 'US-NY', contracted_capacity_kw: 75.5 } },
      { line: 4, values: { site_id: 'site-04', name: 'Test bench', timezone: 'UTC', tariff_id: null, region: null, contracted_capacity_kw: null } },
    ]);
  });

  it('installs canonical CSV: schema column order, trimmed cells, quoting only where needed, absent optional columns empty', () => {
    const result = validateReferenceCsv('sites', '\uFEFFtimezone,site_id,name\r\n Europe/Stockholm , site-02 ,"Malmö office, floor 2"\r\n');
    expect(result.ok && result.csv).toBe(`${SITES_HEADER}\nsite-02,"Malmö office, floor 2",Europe/Stockholm,,,\n`);
  });

  it('reports an invalid site_id, an unknown time zone and a negative capacity with line, column and value', () => {
    expect(only('sites', csv(SITES_HEADER,
      'site 01,Office,Europe/Stockholm,,,',
      'site-02,Office,Europe/Stokholm,,,',
      'site-03,Office,UTC,,,-5'))).toEqual([
      { line: 2, column: 'site_id', value: 'site 01', rule: 'id' },
      { line: 3, column: 'timezone', value: 'Europe/Stokholm', rule: 'timezone' },
      { line: 4, column: 'contracted_capacity_kw', value: '-5', rule: 'negative' },
    ]);
  });

  it.each(['63 kW', '1,5', '0x40', 'NaN', 'Infinity', '1e999', '.5'])('refuses the capacity %j, which is not a finite decimal number', (value) => {
    expect(only('sites', csv(SITES_HEADER, `site-01,Office,UTC,,,"${value}"`))).toEqual([{ line: 2, column: 'contracted_capacity_kw', value, rule: 'number' }]);
  });

  it('requires the non-nullable columns in the header and a value in each row', () => {
    expect(only('sites', csv('site_id,name', 'site-01,Office'))).toEqual([{ line: 1, column: null, value: null, rule: 'header' }]);
    expect(only('sites', csv(SITES_HEADER, 'site-01,,UTC,,,'))).toEqual([{ line: 2, column: 'name', value: '', rule: 'required' }]);
  });

  it('refuses unknown and repeated header columns, so that a typo cannot silently drop data', () => {
    expect(only('sites', csv('site_id,name,timezone,tarif_id,name', 'site-01,Office,UTC,se-tou,Office'))).toEqual([
      { line: 1, column: null, value: 'tarif_id', rule: 'header' },
      { line: 1, column: null, value: 'name', rule: 'header' },
    ]);
  });

  it('refuses a site_id defined twice, pointing at the first definition', () => {
    const found = problems('sites', csv(SITES_HEADER, 'site-01,Office,UTC,,,', 'site-02,Shop,UTC,,,', 'site-01,Office again,UTC,,,'));
    expect(found).toEqual([expect.objectContaining({ line: 4, column: 'site_id', value: 'site-01', rule: 'duplicate', message: expect.stringContaining('line 2') })]);
  });

  it('counts lines as the file has them: blank lines and quoted line breaks included', () => {
    const text = csv(SITES_HEADER, '', 'site-01,"Main', 'street",UTC,,,', 'site-02,Office,Mars/Base,,,');
    expect(only('sites', text)).toEqual([
      { line: 3, column: 'name', value: 'Main\nstreet', rule: 'control_character' },
      { line: 5, column: 'timezone', value: 'Mars/Base', rule: 'timezone' },
    ]);
  });

  it('reports a row with the wrong number of fields as a CSV error on its line', () => {
    expect(problems('sites', csv(SITES_HEADER, 'site-01,Office,UTC,,,', 'site-02,Office,UTC'))).toEqual([
      { line: 3, column: null, value: null, rule: 'csv_syntax', message: 'the row has 3 fields but the header has 6' },
    ]);
  });

  it('refuses bytes that are not UTF-8 and an empty file', () => {
    expect(only('sites', '')).toEqual([{ line: 1, column: null, value: null, rule: 'csv_syntax' }]);
    const latin1 = Buffer.from(`${SITES_HEADER}\nsite-02,Malm\xf6,UTC,,,\n`, 'latin1');
    expect(validateReferenceCsv('sites', latin1)).toMatchObject({ ok: false, problems: [{ rule: 'encoding' }] });
  });
});

describe('validateReferenceCsv: tariffs', () => {
  it('accepts a time-of-use tariff with a band that wraps midnight', () => {
    expect(problems('tariffs', touTariff())).toEqual([]);
  });

  it('accepts two versions of a tariff whose validity periods follow each other', () => {
    const text = csv(TARIFFS_HEADER, 'us-flat,flat,all,00:00,24:00,0.2190,USD,2025-01-01,2025-12-31', 'us-flat,flat,all,00:00,24:00,0.2315,USD,2026-01-01,');
    expect(problems('tariffs', text)).toEqual([]);
  });

  it('reports a gap between bands once, with the tariff version, the times and the weekdays', () => {
    const found = problems('tariffs', touTariff((rows) => rows.filter((r) => !r.includes(',06:00,07:00,'))));
    expect(found).toEqual([{ line: 2, column: null, value: null, rule: 'band_gap', message: 'tariff se-tou 2026-01-01..open: no band covers 06:00–07:00 on mon-fri' }]);
  });

  it('reports overlapping bands on the later row, naming the earlier one', () => {
    const found = problems('tariffs', touTariff((rows) => rows.map((r) => r.replace('peak,mon-fri,07:00,20:00', 'peak,mon-fri,07:00,21:00'))));
    expect(found).toEqual([expect.objectContaining({
      line: 5, column: 'start_local', value: '20:00', rule: 'band_overlap',
      message: 'band shoulder mon-fri 20:00–22:00 overlaps peak mon-fri 07:00–21:00 on line 4 at 20:00–21:00 on mon-fri',
    })]);
  });

  it('reports times off the 15-minute grid, and a band that starts where it ends', () => {
    const text = touTariff((rows) => [...rows.slice(0, 2), 'se-tou,peak,mon-fri,07:00,19:50,1.65,SEK,2026-01-01,', rows[3]!, 'se-tou,off_peak,sat-sun,00:00,00:00,0.82,SEK,2026-01-01,']);
    expect(only('tariffs', text)).toEqual([
      { line: 4, column: 'end_local', value: '19:50', rule: 'time' },
      { line: 6, column: 'end_local', value: '00:00', rule: 'time' },
    ]);
    const empty = touTariff((rows) => [...rows.slice(0, 4), 'se-tou,off_peak,sat-sun,08:00,08:00,0.82,SEK,2026-01-01,']);
    expect(only('tariffs', empty)).toEqual([{ line: 6, column: 'end_local', value: '08:00', rule: 'empty_band' }]);
  });

  it('judges the coverage of a tariff version only once all its rows are valid', () => {
    // The broken row would otherwise also show up as a gap at 07:00–20:00.
    const found = only('tariffs', touTariff((rows) => rows.map((r) => r.replace('peak,mon-fri,07:00,20:00,1.65', 'peak,mon-fri,07:00,20:00,1.65 SEK'))));
    expect(found).toEqual([{ line: 4, column: 'price_per_kwh', value: '1.65 SEK', rule: 'number' }]);
  });

  it('refuses unknown day sets, currencies and negative prices', () => {
    const text = csv(TARIFFS_HEADER, 'flat,flat,weekdays,00:00,24:00,0.2,usd,2026-01-01,', 'flat2,flat,all,00:00,24:00,-0.01,EUR,2026-01-01,');
    expect(only('tariffs', text)).toEqual([
      { line: 2, column: 'days', value: 'weekdays', rule: 'days' },
      { line: 2, column: 'currency', value: 'usd', rule: 'currency' },
      { line: 3, column: 'price_per_kwh', value: '-0.01', rule: 'negative' },
    ]);
  });

  it('refuses a tariff version that mixes currencies', () => {
    const found = only('tariffs', touTariff((rows) => rows.map((r) => r.replace('sat-sun,00:00,24:00,0.82,SEK', 'sat-sun,00:00,24:00,0.08,EUR'))));
    expect(found).toEqual([{ line: 6, column: 'currency', value: 'EUR', rule: 'currency_mismatch' }]);
  });

  it('refuses invalid dates, a period that ends before it starts, and overlapping versions of one tariff', () => {
    const text = csv(TARIFFS_HEADER,
      'flat,flat,all,00:00,24:00,0.2,EUR,2026-02-30,',
      'flat2,flat,all,00:00,24:00,0.2,EUR,2026-06-01,2026-05-31',
      'flat3,flat,all,00:00,24:00,0.2,EUR,2025-01-01,2025-12-31',
      'flat3,flat,all,00:00,24:00,0.3,EUR,2025-12-31,');
    expect(only('tariffs', text)).toEqual([
      { line: 2, column: 'valid_from', value: '2026-02-30', rule: 'date' },
      { line: 3, column: 'valid_to', value: '2026-05-31', rule: 'period_order' },
      { line: 5, column: 'valid_from', value: '2025-12-31', rule: 'period_overlap' },
    ]);
  });
});

describe('validateReferenceCsv: emission_factors', () => {
  it('accepts consecutive periods per region, the last open-ended', () => {
    const text = csv(FACTORS_HEADER, 'SE3,2025-01-01,2025-12-31,0.036', 'SE3,2026-01-01,,0.033', 'US-NY,2025-01-01,,0.241');
    const result = validateReferenceCsv('emission_factors', text);
    expect(result.ok && result.rows.map((r) => r.values)).toEqual([
      { region: 'SE3', valid_from: '2025-01-01', valid_to: '2025-12-31', kg_co2e_per_kwh: 0.036 },
      { region: 'SE3', valid_from: '2026-01-01', valid_to: null, kg_co2e_per_kwh: 0.033 },
      { region: 'US-NY', valid_from: '2025-01-01', valid_to: null, kg_co2e_per_kwh: 0.241 },
    ]);
  });

  it('refuses periods of one region that overlap (both ends are inclusive), whatever the row order', () => {
    const text = csv(FACTORS_HEADER, 'SE3,2026-01-01,,0.033', 'SE3,2025-01-01,2026-01-01,0.036', 'SE4,2025-01-01,2026-01-01,0.06');
    expect(problems('emission_factors', text)).toEqual([expect.objectContaining({
      line: 2, column: 'valid_from', value: '2026-01-01', rule: 'period_overlap', message: 'region SE3: period 2026-01-01..open overlaps period 2025-01-01..2026-01-01 on line 3',
    })]);
  });

  it('refuses a missing factor', () => {
    expect(only('emission_factors', csv(FACTORS_HEADER, 'SE3,2025-01-01,,'))).toEqual([{ line: 2, column: 'kg_co2e_per_kwh', value: '', rule: 'required' }]);
  });
});

describe('formatProblem', () => {
  it('says where, what and which rule', () => {
    expect(formatProblem({ line: 4, column: 'end_local', value: '25:00', rule: 'time', message: 'end_local must be a time HH:MM (00:00–24:00)' }))
      .toBe('line 4, column end_local, value "25:00": end_local must be a time HH:MM (00:00–24:00) [time]');
    expect(formatProblem({ line: 2, column: null, value: null, rule: 'band_gap', message: 'no band covers 06:00–07:00 on mon-fri' }))
      .toBe('line 2: no band covers 06:00–07:00 on mon-fri [band_gap]');
  });
});
