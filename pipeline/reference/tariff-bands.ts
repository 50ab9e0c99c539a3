// Tariff bands on the 15-minute grid: parsing `HH:MM` edges and checking that the bands of one
// tariff version tile every local weekday 00:00–24:00 exactly once. Semantics (including
// midnight wrap within a day) are stated on TARIFF_COLUMNS in pipeline/schema/reference.ts.
import type { TariffDays } from '../schema/reference.ts';

export const SLOT_MINUTES = 15;
const SLOTS_PER_DAY = (24 * 60) / SLOT_MINUTES;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_INDEXES: Record<TariffDays, number[]> = { 'mon-fri': [0, 1, 2, 3, 4], 'sat-sun': [5, 6], all: [0, 1, 2, 3, 4, 5, 6] };

const HH_MM = /^(\d{2}):(\d{2})$/;

/**
 * Minutes after local midnight of a band edge, or why it is not one. Both edges are `HH:MM` on a
 * 15-minute boundary; a start runs 00:00–23:45, an end 00:15–24:00 (midnight at the end of a
 * day is written `24:00`, never `00:00`, so that `end < start` always means a wrap).
 */
export function parseBandEdge(text: string, edge: 'start' | 'end'): number | string {
  const m = HH_MM.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) return 'must be a time HH:MM (00:00–24:00)';
  if (minutes % SLOT_MINUTES !== 0) return `must be on a ${SLOT_MINUTES}-minute boundary (:00, :15, :30, :45)`;
  if (edge === 'start' && minutes === 24 * 60) return 'a band cannot start at 24:00; use 00:00';
  if (edge === 'end' && minutes === 0) return 'a band ending at midnight ends at 24:00, not 00:00';
  return minutes;
}

/** `HH:MM` of minutes after midnight (1440 = `24:00`). */
export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export interface Band {
  line: number;
  band: string;
  days: TariffDays;
  /** Minutes after local midnight; `end` < `start` wraps midnight within the day. */
  start: number;
  end: number;
}

/** A time range of the day, in minutes, [from, to). */
export interface DayRange { from: number; to: number }

export type CoverageProblem =
  | { kind: 'overlap'; line: number; otherLine: number; days: Weekday[]; ranges: DayRange[] }
  | { kind: 'gap'; days: Weekday[]; range: DayRange };

/** The 15-minute slots of the day a band covers. */
function bandSlots({ start, end }: Band): number[] {
  const [from, to] = [start / SLOT_MINUTES, end / SLOT_MINUTES];
  const slots: number[] = [];
  if (from < to) for (let s = from; s < to; s++) slots.push(s);
  else {
    for (let s = from; s < SLOTS_PER_DAY; s++) slots.push(s);
    for (let s = 0; s < to; s++) slots.push(s);
  }
  return slots;
}

/** Contiguous runs of sorted, distinct slots as minute ranges. */
function slotRanges(slots: number[]): DayRange[] {
  const ranges: DayRange[] = [];
  for (const slot of [...slots].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last.to === slot * SLOT_MINUTES) last.to += SLOT_MINUTES;
    else ranges.push({ from: slot * SLOT_MINUTES, to: (slot + 1) * SLOT_MINUTES });
  }
  return ranges;
}

/**
 * Every overlap (once per pair of bands, later band first) and every uncovered range (once per
 * range, with the weekdays it is missing on) among the bands of one tariff version.
 */
export function checkBandCoverage(bands: readonly Band[]): CoverageProblem[] {
  const owners: number[][] = WEEKDAYS.map(() => new Array<number>(SLOTS_PER_DAY).fill(-1));
  const overlaps = new Map<string, { line: number; otherLine: number; days: Set<number>; slots: Set<number> }>();
  bands.forEach((band, index) => {
    for (const day of DAY_INDEXES[band.days]) {
      const owner = owners[day]!;
      for (const slot of bandSlots(band)) {
        const other = owner[slot]!;
        if (other === -1) {
          owner[slot] = index;
          continue;
        }
        const key = `${other}/${index}`;
        const overlap = overlaps.get(key) ?? { line: band.line, otherLine: bands[other]!.line, days: new Set(), slots: new Set() };
        overlap.days.add(day);
        overlap.slots.add(slot);
        overlaps.set(key, overlap);
      }
    }
  });

  const problems: CoverageProblem[] = [...overlaps.values()].map((o) => ({
    kind: 'overlap', line: o.line, otherLine: o.otherLine, days: [...o.days].sort((a, b) => a - b).map((d) => WEEKDAYS[d]!), ranges: slotRanges([...o.slots]),
  }));
  const gaps = new Map<string, { range: DayRange; days: Weekday[] }>();
  owners.forEach((owner, day) => {
    const free = owner.flatMap((o, slot) => (o === -1 ? [slot] : []));
    for (const range of slotRanges(free)) {
      const key = `${range.from}-${range.to}`;
      const gap = gaps.get(key) ?? { range, days: [] };
      gap.days.push(WEEKDAYS[day]!);
      gaps.set(key, gap);
    }
  });
  for (const gap of [...gaps.values()].sort((a, b) => a.range.from - b.range.from)) problems.push({ kind: 'gap', ...gap });
  return problems;
}

/** `mon-fri`, `sat-sun`, `every day`, or a list such as `mon, wed`. */
export function describeDays(days: readonly Weekday[]): string {
  const list = days.join(',');
  if (list === 'mon,tue,wed,thu,fri') return 'mon-fri';
  if (list === 'sat,sun') return 'sat-sun';
  if (list === WEEKDAYS.join(',')) return 'every day';
  return days.join(', ');
}

/** `07:00–09:00` (and `, 22:00–24:00` …) for minute ranges. */
export const describeRanges = (ranges: readonly DayRange[]): string =>
  ranges.map((r) => `${formatMinutes(r.from)}–${formatMinutes(r.to)}`).join(', ');
