// CPU time and resident memory of another process, read from /proc (Linux): what `top` shows
// for the agent or the simulator, without measuring the bench process itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of `pid` so far, ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** VmRSS and VmHWM (peak RSS) of `pid`, MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export interface Usage {
  wallMs: number;
  cpuMs: number;
  /** CPU time / wall time: 1 = one core busy. */
  cpuShare: number;
  rssMedianMiB: number;
  rssMaxMiB: number;
  /** VmHWM at the end: the highest RSS since the process started (start-up and connects included). */
  peakRssMiB: number;
}

/** Samples `pid` every `intervalMs` until `stop()`. */
export function watchProcess(pid: number, intervalMs = 1000): { stop(): Usage } {
  const startedAt = performance.now();
  const cpuAtStart = cpuMs(pid);
  const rss: number[] = [memoryMiB(pid).rss];
  const timer = setInterval(() => rss.push(memoryMiB(pid).rss), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const wallMs = performance.now() - startedAt;
      const used = cpuMs(pid) - cpuAtStart;
      const memory = memoryMiB(pid);
      rss.push(memory.rss);
      const sorted = [...rss].sort((a, b) => a - b);
      return { wallMs, cpuMs: used, cpuShare: used / wallMs, rssMedianMiB: sorted[Math.floor(sorted.length / 2)] as number, rssMaxMiB: sorted.at(-1) as number, peakRssMiB: memory.peak };
    },
  };
}
