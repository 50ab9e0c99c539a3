// Report definitions carry a classic 5-field cron (minute hour day-of-month month day-of-week,
// what croner runs in the twin); EventBridge Scheduler wants `cron(min hour dom month dow year)`
// with exactly one of day-of-month / day-of-week set to `?`, and numbers its weekdays 1 = Sunday
// where classic cron says 0 (or 7) = Sunday. Weekdays are therefore written as names (MON, TUE …),
// which both sides read the same way.

const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
/** Characters EventBridge accepts in the fields passed through unchanged (month names included). */
const PLAIN_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

export class CronConversionError extends Error {
  override name = 'CronConversionError';
}

/** Day numbers 0–6 (0 = Sunday) of a classic day-of-week field such as `1-5`, `0,6`, `mon-fri`, `*\/2`. */
function weekdays(field: string, cron: string): number[] {
  const fail = (why: string): never => { throw new CronConversionError(`cron ${JSON.stringify(cron)}: day-of-week ${JSON.stringify(field)} ${why}`); };
  const day = (text: string): number => {
    const byName = WEEKDAY_NAMES.indexOf(text.toUpperCase() as (typeof WEEKDAY_NAMES)[number]);
    if (byName >= 0) return byName;
    if (!/^\d$/.test(text) || Number(text) > 7) fail(`has ${JSON.stringify(text)}, not a day 0-7 or SUN-SAT`);
    return Number(text) % 7;
  };
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const m = /^(\*|[0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?(?:\/(\d+))?$/.exec(item) ?? fail(`has an item ${JSON.stringify(item)} that is not a day, a range or a step`);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (step < 1) fail('has a step of 0');
    // A range ending on 7 (Sunday) keeps its order: 5-7 is Fri, Sat, Sun.
    const from = m[1] === '*' ? 0 : day(m[1] as string);
    const to = m[1] === '*' ? 6 : m[2] === undefined ? (m[3] === undefined ? from : 6) : m[2] === '7' ? 7 : day(m[2]);
    if (to < from) fail(`has a range ${JSON.stringify(item)} that runs backwards`);
    for (let d = from; d <= to; d += step) days.add(d % 7);
  }
  return [...days].sort((a, b) => a - b);
}

/**
 * `cron(…)` for EventBridge (Scheduler or rules) from a 5-field cron. Classic cron fires when
 * day-of-month *or* day-of-week matches if both are restricted; EventBridge cannot say that,
 * so such an expression is refused rather than silently changed.
 */
export function eventBridgeCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronConversionError(`cron ${JSON.stringify(cron)} must have 5 fields (minute hour day-of-month month day-of-week), has ${fields.length}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  for (const [name, value] of [['minute', minute], ['hour', hour], ['day-of-month', dayOfMonth], ['month', month]] as const) {
    if (!PLAIN_FIELD.test(value)) throw new CronConversionError(`cron ${JSON.stringify(cron)}: ${name} ${JSON.stringify(value)} is not a value, list, range or step`);
  }
  if (dayOfWeek === '*') return `cron(${minute} ${hour} ${dayOfMonth} ${month} ? *)`;
  if (dayOfMonth !== '*') {
    throw new CronConversionError(`cron ${JSON.stringify(cron)} restricts both day-of-month and day-of-week (classic cron: either matches), which EventBridge cannot express; split it into two schedules`);
  }
  const days = weekdays(dayOfWeek, cron);
  const named = days.length === 7 ? '*' : days.map((d) => WEEKDAY_NAMES[d]).join(',');
  return `cron(${minute} ${hour} ? ${month} ${named} *)`;
}
