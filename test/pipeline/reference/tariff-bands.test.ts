import { describe, expect, it } from 'vitest';
import { checkBandCoverage, describeDays, formatMinutes, parseBandEdge, type Band } from '../../../pipeline/reference/tariff-bands.ts';
import type { TariffDays } from '../../../pipeline/schema/reference.ts';

let nextLine = 2;
function band(days: TariffDays, start: string, end: string, name = 'peak'): Band {
  return { line: nextLine++, band: name, days, start: parseBandEdge(start, 'start') as number, end: parseBandEdge(end, 'end') as number };
}

describe('parseBandEdge', () => {
  it('reads HH:MM as minutes after local midnight', () => {
    expect(parseBandEdge('00:00', 'start')).toBe(0);
    expect(parseBandEdge('07:45', 'start')).toBe(465);
    expect(parseBandEdge('24:00', 'end')).toBe(1440);
  });

  it.each(['7:00', '07:00:00', '25:00', '24:15', '12:60', '0700', '', 'noon'])('refuses %j as a time', (text) => {
    expect(parseBandEdge(text, 'start')).toMatch(/HH:MM/);
  });

  it.each(['07:10', '23:59', '00:05'])('refuses %s, which is off the 15-minute grid', (text) => {
    expect(parseBandEdge(text, 'end')).toMatch(/15-minute boundary/);
  });

  it('lets only an end be 24:00 and only a start be 00:00', () => {
    expect(parseBandEdge('24:00', 'start')).toMatch(/cannot start at 24:00/);
    expect(parseBandEdge('00:00', 'end')).toMatch(/ends at 24:00/);
  });

  it('formats minutes back to HH:MM, midnight at the end of the day as 24:00', () => {
    expect([0, 465, 1440].map(formatMinutes)).toEqual(['00:00', '07:45', '24:00']);
  });
});

describe('checkBandCoverage', () => {
  it('accepts a time-of-use tariff whose weekday and weekend bands tile each day', () => {
    const bands = [
      band('mon-fri', '22:00', '06:00', 'off_peak'), band('mon-fri', '06:00', '07:00', 'shoulder'), band('mon-fri', '07:00', '20:00', 'peak'),
      band('mon-fri', '20:00', '22:00', 'shoulder'), band('sat-sun', '08:00', '20:00', 'shoulder'), band('sat-sun', '20:00', '08:00', 'off_peak'),
    ];
    expect(checkBandCoverage(bands)).toEqual([]);
  });

  it('accepts a flat tariff of one band, all days 00:00–24:00', () => {
    expect(checkBandCoverage([band('all', '00:00', '24:00', 'flat')])).toEqual([]);
  });

  it('reads a wrapping band as both ends of each of its own days, not as running into the next day', () => {
    // 22:00–06:00 on mon-fri covers Monday 00:00–06:00 too; Saturday 00:00–06:00 stays uncovered.
    const problems = checkBandCoverage([band('mon-fri', '22:00', '06:00'), band('mon-fri', '06:00', '22:00'), band('sat-sun', '06:00', '24:00')]);
    expect(problems).toEqual([{ kind: 'gap', days: ['sat', 'sun'], range: { from: 0, to: 360 } }]);
  });

  it('reports each gap once with the weekdays it is missing on', () => {
    const problems = checkBandCoverage([band('all', '00:00', '07:00'), band('all', '09:00', '24:00'), band('sat-sun', '07:00', '09:00')]);
    expect(problems).toEqual([{ kind: 'gap', days: ['mon', 'tue', 'wed', 'thu', 'fri'], range: { from: 420, to: 540 } }]);
  });

  it('reports an overlap on the later band, naming the earlier one, the times and the days', () => {
    const peak = band('mon-fri', '07:00', '20:00');
    const evening = band('all', '19:00', '07:00', 'off_peak');
    const problems = checkBandCoverage([peak, evening, band('sat-sun', '07:00', '19:00', 'weekend')]);
    expect(problems).toEqual([{ kind: 'overlap', line: evening.line, otherLine: peak.line, days: ['mon', 'tue', 'wed', 'thu', 'fri'], ranges: [{ from: 1140, to: 1200 }] }]);
  });

  it('finds the overlap of two bands that both wrap midnight', () => {
    const a = band('all', '22:00', '06:00');
    const b = band('all', '23:00', '07:00');
    const problems = checkBandCoverage([a, b, band('all', '07:00', '22:00')]);
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'overlap', line: b.line, otherLine: a.line, ranges: [{ from: 0, to: 360 }, { from: 1380, to: 1440 }] }));
  });
});

describe('describeDays', () => {
  it('names the usual day sets and lists the others', () => {
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri'])).toBe('mon-fri');
    expect(describeDays(['sat', 'sun'])).toBe('sat-sun');
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).toBe('every day');
    expect(describeDays(['mon', 'wed'])).toBe('mon, wed');
  });
});
