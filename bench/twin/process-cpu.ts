// CPU time of the system under test when it is more than this process: the twin delivers in a
// child process of its own (infra/local/buffer/process-delivery.ts), whose CPU
// process.cpuUsage() does not see. Read from /proc (Linux; elsewhere children count as 0).
import { readdirSync, readFileSync } from 'node:fs';

/** /proc's clock ticks per second (USER_HZ, 100 on Linux builds). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) used so far by the live child processes whose command line contains `marker`. */
export function childProcessCpuMs(marker: string): number {
  if (process.platform !== 'linux') return 0;
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || !readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) continue;
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // the process ended meanwhile
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU milliseconds of this process, all its threads. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
