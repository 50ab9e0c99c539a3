import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { CronConversionError, eventBridgeCron } from '../../../infra/aws/eventbridge-cron.ts';
import { REPORTS } from '../../../pipeline/reports/definitions.ts';

describe('eventBridgeCron', () => {
  it('sets day-of-week to ? when only the day of month is restricted (monthly report)', () => {
    expect(eventBridgeCron('0 6 1 * *')).toBe('cron(0 6 1 * ? *)');
  });

  it('sets day-of-month to ? and names the weekday when only the weekday is restricted (weekly report)', () => {
    expect(eventBridgeCron('0 6 * * 1')).toBe('cron(0 6 ? * MON *)');
  });

  it('keeps a daily schedule daily', () => {
    expect(eventBridgeCron('0 7 * * *')).toBe('cron(0 7 * * ? *)');
  });

  it('maps classic Sunday (0 and 7) to SUN, not to EventBridge day 0/7', () => {
    expect(eventBridgeCron('30 5 * * 0')).toBe('cron(30 5 ? * SUN *)');
    expect(eventBridgeCron('30 5 * * 7')).toBe('cron(30 5 ? * SUN *)');
  });

  it('expands ranges, lists, steps and names, including a range that ends on Sunday', () => {
    expect(eventBridgeCron('*/15 8-17 * * 1-5')).toBe('cron(*/15 8-17 ? * MON,TUE,WED,THU,FRI *)');
    expect(eventBridgeCron('0 9 * * 5-7')).toBe('cron(0 9 ? * SUN,FRI,SAT *)');
    expect(eventBridgeCron('0 9 * * sat,sun')).toBe('cron(0 9 ? * SUN,SAT *)');
    expect(eventBridgeCron('0 9 * * */2')).toBe('cron(0 9 ? * SUN,TUE,THU,SAT *)');
    expect(eventBridgeCron('0 9 * 1,7 0-7')).toBe('cron(0 9 ? 1,7 * *)');
  });

  it('fires on the same weekdays as croner does for the twin', () => {
    const names = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
    for (const cron of ['0 6 * * 1', '0 9 * * 5-7', '0 9 * * */2', '0 0 * * 1-5']) {
      const runs = new Cron(cron, { timezone: 'UTC' }).nextRuns(14, new Date('2026-03-01T00:00:00Z'));
      const fromCroner = [...new Set(runs.map((d) => names[d.getUTCDay()]))].sort();
      const fromEventBridge = / \? \S+ (\S+) \*\)$/.exec(eventBridgeCron(cron))![1]!.split(',').sort();
      expect(fromEventBridge, cron).toEqual(fromCroner);
    }
  });

  it('refuses a cron that restricts both day-of-month and weekday (classic OR semantics)', () => {
    expect(() => eventBridgeCron('0 6 1 * 1')).toThrow(CronConversionError);
  });

  it('refuses malformed expressions with the offending field named', () => {
    expect(() => eventBridgeCron('0 6 * *')).toThrow(/5 fields/);
    expect(() => eventBridgeCron('0 6 * * 8')).toThrow(/day-of-week/);
    expect(() => eventBridgeCron('0 6 * * 5-1')).toThrow(/backwards/);
    expect(() => eventBridgeCron('0 6;rm * * *')).toThrow(/hour/);
  });

  it('converts every shipped report schedule', () => {
    for (const report of REPORTS) expect(eventBridgeCron(report.schedule), report.name).toMatch(/^cron\(\S+ \S+ \S+ \S+ \S+ \*\)$/);
  });
});
