// Markdown for benchmark reports: tables and number formats shared by every suite, so the
// printed tables can be pasted into docs/benchmarks.md as they are.
import type { MachineInfo } from './machine.ts';
import type { Timing } from './measure.ts';

export type Cell = string | number;

/** A GitHub-flavoured table; by default the first column (labels) is left-aligned, the rest (numbers) right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[], align: readonly ('left' | 'right')[] = []): string {
  const line = (cells: readonly Cell[]): string => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = headers.map((_, i) => ((align[i] ?? (i === 0 ? 'left' : 'right')) === 'right' ? '---:' : '---'));
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 2)} s`;

/** The median with the samples' range, e.g. `3.595 s (3.410–3.802)`, so noisy runs show as such. */
export function medianTime({ medianMs, samplesMs }: Timing): string {
  if (samplesMs.length < 2) return seconds(medianMs);
  const digits = medianMs < 10_000 ? 3 : 2;
  return `${seconds(medianMs)} (${(Math.min(...samplesMs) / 1000).toFixed(digits)}–${(Math.max(...samplesMs) / 1000).toFixed(digits)})`;
}

/** Rates with thousands separators, e.g. `1,234,567 /s`. */
export const perSecond = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')} /s`;

export const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
};

export const ratio = (r: number): string => `${r.toFixed(2)}x`;

export const count = (n: number): string => n.toLocaleString('en-US');

/** A target as a pass/fail cell, e.g. `>= 0.70x: pass`. */
export function verdict(value: number, op: '>=' | '<=', target: number): string {
  const pass = op === '>=' ? value >= target : value <= target;
  return `${op} ${ratio(target)}: ${pass ? 'pass' : 'FAIL'}`;
}

export function machineTable(info: MachineInfo): string {
  return markdownTable(['machine', ''], [
    ['CPU', info.cpuModel],
    ['cores', info.cores],
    ['memory', `${info.memoryGb} GiB`],
    ['OS', info.platform],
    ['Node.js', info.node],
    ['DuckDB', info.duckdb],
    ['load average at start (1/5/15 min)', info.loadAverage.join(' / ')],
  ], ['left', 'left']);
}
